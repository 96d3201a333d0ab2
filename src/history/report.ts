/** Savings report and history listing straight from the history database (CLI and admin API share these). */
import type { HistoryStore } from './store.js';
import { computeSavings, type BaselineSpec, type SavingsReport } from './savings.js';

const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `24h`, `30m`, `7d`, `90s`, `2w` before `now`, or an ISO date/time; throws with the accepted forms. */
export function parseSince(v: string, now = Date.now()): Date {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$/i.exec(v);
  if (m) return new Date(now - Number(m[1]) * UNIT_MS[m[2]!.toLowerCase()]!);
  const d = new Date(v);
  if (!Number.isNaN(d.getTime()) && /^\d{4}-\d{2}-\d{2}/.test(v.trim())) return d;
  throw new Error(`cannot read "${v}" as a time: use a duration before now (90s, 30m, 24h, 7d, 2w) or an ISO date (2026-11-30T00:00:00Z)`);
}

export interface SavingsQuery {
  readonly since?: Date;
  readonly until?: Date;
  readonly baseline?: BaselineSpec;
  readonly top?: number;
}

/** Scan the window once and fold it into the report. */
export function savingsReport(store: HistoryStore, q: SavingsQuery): Promise<SavingsReport> {
  return computeSavings(store.scan({ since: q.since, until: q.until }), q);
}
