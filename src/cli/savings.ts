/** `queryflux savings` and `queryflux history`: reports read from the history database the gateway writes. */
import type { ResolvedConfig } from '../config/load.js';
import { openHistoryDb } from '../history/db.js';
import { formatHistory, formatSavings, parseFormat } from '../history/format.js';
import { migrate } from '../history/migrate.js';
import { parseSince, savingsReport } from '../history/report.js';
import { engineGroups } from '../history/savings.js';
import { HistoryStore } from '../history/store.js';

export interface ReportFlags {
  readonly since?: string;
  readonly until?: string;
  readonly baseline?: string;
  readonly format?: string;
  readonly top?: string;
  readonly limit?: string;
  readonly user?: string;
  readonly status?: string;
}

export const SAVINGS_USAGE = `  savings --config FILE [--since 24h] [--until T] [--baseline GROUP|ENGINE] [--top 10] [--format table|json|csv|markdown]
                          paid vs baseline cost, saved $ and %, per engine, user and tag, top saving and
                          losing queries, estimate accuracy (default baseline: each query's own baselineUsd)
  history --config FILE [--since 1h] [--limit 50] [--user U] [--status ok|error|canceled|denied] [--format table|json|csv|markdown]
                          recent queries from the history, newest first`;

function positiveInt(v: string | undefined, name: string, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer (got "${v}")`);
  return n;
}

async function withStore<T>(config: ResolvedConfig, fn: (store: HistoryStore) => Promise<T>): Promise<T> {
  const p = config.raw.queryflux.persistence;
  if (p.type === 'inMemory') throw new Error(`${config.file}: persistence.type is inMemory, so the history lives inside the gateway process: read it there (GET /api/savings, GET /api/history on the admin port)`);
  const db = await openHistoryDb(p);
  try {
    // Creates the table on a fresh database; a read-only user (no DDL rights) may still read.
    await migrate(db).catch(() => undefined);
    return await fn(new HistoryStore(db));
  } finally {
    await db.close();
  }
}

/** `queryflux savings`. */
export async function savingsCommand(config: ResolvedConfig, flags: ReportFlags): Promise<number> {
  const format = parseFormat(flags.format);
  const since = parseSince(flags.since ?? '24h');
  const until = flags.until !== undefined ? parseSince(flags.until) : undefined;
  const top = positiveInt(flags.top, 'top', 10);
  const groups = engineGroups(config);
  if (flags.baseline !== undefined && !config.groups.has(flags.baseline) && !groups.has(flags.baseline)) {
    throw new Error(`--baseline ${flags.baseline}: no such group or engine in ${config.file} (groups: ${[...config.groups.keys()].join(', ')}; engines: ${[...groups.keys()].join(', ')})`);
  }
  const report = await withStore(config, (store) => savingsReport(store, { since, until, top, baseline: flags.baseline === undefined ? undefined : { name: flags.baseline, engineGroups: groups } }));
  process.stdout.write(formatSavings(report, format));
  return 0;
}

/** `queryflux history`. */
export async function historyCommand(config: ResolvedConfig, flags: ReportFlags): Promise<number> {
  const format = parseFormat(flags.format);
  const since = parseSince(flags.since ?? '1h');
  const limit = positiveInt(flags.limit, 'limit', 50);
  const entries = await withStore(config, (store) => store.list({ since, limit, user: flags.user, status: flags.status }));
  process.stdout.write(formatHistory(entries, format));
  return 0;
}
