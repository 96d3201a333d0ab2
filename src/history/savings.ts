/**
 * Savings report: what the recorded queries cost where they ran (paid) against what they would
 * have cost on a baseline, per engine, user and tag, the fingerprints that saved or lost the
 * most, and how accurate the estimates were. A pure fold over history entries (one pass), so the
 * CLI, the admin API and the tests compute it the same way; src/history/report.ts feeds it.
 */
import type { ResolvedConfig } from '../config/load.js';
import type { HistoryEntry } from './record.js';

/** Which baseline a record is compared with. */
export interface BaselineSpec {
  /**
   * Absent: each record's own `baselineUsd` (what the cost model priced the fallback at).
   * A group name: that group's estimate in the record's `estimates`.
   * An engine kind: the estimate of the first group (config order) of that engine present in the record.
   */
  readonly name?: string;
  /** Engine kind → its groups in config order (engineGroups(config)). */
  readonly engineGroups?: ReadonlyMap<string, readonly string[]>;
}

export interface SavingsOptions {
  readonly baseline?: BaselineSpec;
  /** Rows in each top list (default 10). */
  readonly top?: number;
  /** Window, echoed in the report. */
  readonly since?: Date;
  readonly until?: Date;
}

/** Sums for one slice (total, an engine, a user, a tag). Money in USD. */
export interface SavingsLine {
  readonly key: string;
  /** Records in the slice. */
  readonly queries: number;
  /** Records with both an actual cost and a baseline: the ones paid/baseline/saved are computed on. */
  readonly compared: number;
  readonly paidUsd: number;
  readonly baselineUsd: number;
  /** baselineUsd − paidUsd (negative: the routing cost more than the baseline would have). */
  readonly savedUsd: number;
  /**
   * The part of baselineUsd that is an estimate: queries that ran elsewhere, priced on the baseline
   * by the cost model before they ran (the rest is what queries that ran on the baseline cost).
   */
  readonly baselineEstimatedUsd: number;
  /** savedUsd / baselineUsd × 100; null when the baseline is 0. */
  readonly savedPct: number | null;
  /** Records with an actual cost but no baseline: counted, their cost reported, never compared. */
  readonly noBaseline: number;
  readonly noBaselinePaidUsd: number;
  /** Records without an actual cost (not priced: no pricing card, denied before running, ...). */
  readonly unpriced: number;
}

/** One fingerprint in the top saving / losing lists. */
export interface FingerprintLine extends SavingsLine {
  readonly fingerprint: string;
  /** The latest SQL text seen with this fingerprint (redacted when persistence.redactSql is on). */
  readonly sample: string;
  readonly engines: readonly string[];
}

/** Relative error |estimate − actual| / actual over the records that have both. */
export interface ErrorStats {
  readonly n: number;
  readonly median: number | null;
  readonly p90: number | null;
}

export interface AccuracyLine {
  readonly key: string;
  readonly seconds: ErrorStats;
  readonly usd: ErrorStats;
}

export interface SavingsReport {
  readonly since: string | null;
  readonly until: string | null;
  /** "per-record baselineUsd", "group <g>" or "engine <e>". */
  readonly baseline: string;
  readonly total: SavingsLine;
  readonly byEngine: readonly SavingsLine[];
  /** By cluster group (two groups of one engine kind, e.g. a warm cluster and a lake, apart). */
  readonly byGroup: readonly SavingsLine[];
  readonly byUser: readonly SavingsLine[];
  readonly byTag: readonly SavingsLine[];
  readonly topSaving: readonly FingerprintLine[];
  readonly topLosing: readonly FingerprintLine[];
  readonly accuracy: { readonly total: AccuracyLine; readonly byEngine: readonly AccuracyLine[] };
}

/** Engine kind → group names, in config order (for `--baseline <engine>`). */
export function engineGroups(config: ResolvedConfig): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const g of config.groups.values()) {
    const kinds = new Set(g.members.map((m) => m.engine));
    if (g.engine !== undefined) kinds.add(g.engine);
    for (const k of kinds) out.set(k, [...(out.get(k) ?? []), g.name]);
  }
  return out;
}

class Acc {
  queries = 0;
  compared = 0;
  paid = 0;
  baseline = 0;
  noBaseline = 0;
  noBaselinePaid = 0;
  unpriced = 0;

  baselineEstimated = 0;

  add(paid: number | null, baseline: number | null, estimated: boolean): void {
    this.queries++;
    if (paid === null) this.unpriced++;
    else if (baseline === null) {
      this.noBaseline++;
      this.noBaselinePaid += paid;
    } else {
      this.compared++;
      this.paid += paid;
      this.baseline += baseline;
      if (estimated) this.baselineEstimated += baseline;
    }
  }

  get saved(): number {
    return this.baseline - this.paid;
  }

  line(key: string): SavingsLine {
    return {
      key,
      queries: this.queries,
      compared: this.compared,
      paidUsd: this.paid,
      baselineUsd: this.baseline,
      baselineEstimatedUsd: this.baselineEstimated,
      savedUsd: this.saved,
      savedPct: this.baseline > 0 ? (this.saved / this.baseline) * 100 : null,
      noBaseline: this.noBaseline,
      noBaselinePaidUsd: this.noBaselinePaid,
      unpriced: this.unpriced,
    };
  }
}

class FingerprintAcc extends Acc {
  sample = '';
  readonly engines = new Set<string>();
}

class ErrorAcc {
  readonly seconds: number[] = [];
  readonly usd: number[] = [];
  line(key: string): AccuracyLine {
    return { key, seconds: errorStats(this.seconds), usd: errorStats(this.usd) };
  }
}

/** Median (mean of the two middle values for an even count) and p90 (nearest rank: the ⌈0.9·n⌉-th smallest). */
export function errorStats(values: readonly number[]): ErrorStats {
  const n = values.length;
  if (n === 0) return { n, median: null, p90: null };
  const s = [...values].sort((a, b) => a - b);
  const median = n % 2 === 1 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
  return { n, median, p90: s[Math.ceil(0.9 * n) - 1]! };
}

/** |estimate − actual| / actual; undefined when actual ≤ 0 or either is missing. */
function relativeError(estimate: number | undefined, actual: number | null | undefined): number | undefined {
  if (estimate === undefined || actual === null || actual === undefined || !(actual > 0) || !Number.isFinite(estimate)) return undefined;
  return Math.abs(estimate - actual) / actual;
}

const NONE = '(none)';
const UNTAGGED = '(untagged)';

/**
 * The baseline of one record under `spec`, or null when it has none: its USD, and whether that is
 * an estimate (the record did not run on the baseline) rather than what it actually cost there.
 */
export function baselineOf(e: HistoryEntry, spec: BaselineSpec | undefined): { readonly usd: number; readonly estimated: boolean } | null {
  if (spec?.name === undefined) return e.baselineUsd === null ? null : { usd: e.baselineUsd, estimated: e.group !== e.baselineGroup };
  // It ran on the baseline: its baseline cost is what it actually cost.
  if (e.group === spec.name && e.costUsd !== null) return { usd: e.costUsd, estimated: false };
  const direct = e.estimates?.[spec.name];
  if (direct !== undefined) return { usd: direct.usd, estimated: true };
  const groups = spec.engineGroups?.get(spec.name);
  if (groups) {
    if (e.engine === spec.name && e.costUsd !== null) return { usd: e.costUsd, estimated: false };
    for (const g of groups) {
      const est = e.estimates?.[g];
      if (est !== undefined) return { usd: est.usd, estimated: true };
    }
  }
  return null;
}

const isGroupName = (spec: BaselineSpec): boolean => [...(spec.engineGroups?.values() ?? [])].some((gs) => gs.includes(spec.name!));

function baselineLabel(spec: BaselineSpec | undefined): string {
  if (spec?.name === undefined) return 'per-record baselineUsd';
  return !isGroupName(spec) && spec.engineGroups?.has(spec.name) ? `engine ${spec.name}` : `group ${spec.name}`;
}

/** Fold entries into the report (one pass; memory grows with distinct engines, users, tags and fingerprints). */
export async function computeSavings(entries: AsyncIterable<HistoryEntry> | Iterable<HistoryEntry>, opts: SavingsOptions = {}): Promise<SavingsReport> {
  const spec = opts.baseline;
  const total = new Acc();
  const byEngine = new Map<string, Acc>();
  const byGroup = new Map<string, Acc>();
  const byUser = new Map<string, Acc>();
  const byTag = new Map<string, Acc>();
  const byFingerprint = new Map<string, FingerprintAcc>();
  const errTotal = new ErrorAcc();
  const errByEngine = new Map<string, ErrorAcc>();
  const get = <T>(m: Map<string, T>, k: string, make: () => T): T => {
    let v = m.get(k);
    if (v === undefined) m.set(k, (v = make()));
    return v;
  };
  const newAcc = () => new Acc();

  for await (const e of entries) {
    const paid = e.costUsd;
    const b = paid === null ? null : baselineOf(e, spec);
    const base = b === null ? null : b.usd;
    const estimated = b !== null && b.estimated;
    const engine = e.engine ?? NONE;
    total.add(paid, base, estimated);
    get(byEngine, engine, newAcc).add(paid, base, estimated);
    get(byGroup, e.group ?? NONE, newAcc).add(paid, base, estimated);
    get(byUser, e.user, newAcc).add(paid, base, estimated);
    const tags = e.clientTags.length > 0 ? new Set(e.clientTags) : [UNTAGGED];
    for (const t of tags) get(byTag, t, newAcc).add(paid, base, estimated);
    const fp = get(byFingerprint, e.fingerprint || e.sql, () => new FingerprintAcc());
    fp.add(paid, base, estimated);
    fp.sample = e.sql;
    if (e.engine !== null) fp.engines.add(e.engine);

    const est = e.group !== null ? e.estimates?.[e.group] : undefined;
    if (est !== undefined) {
      const errs = get(errByEngine, engine, () => new ErrorAcc());
      // Busy seconds, as the cost model estimates and learns them: time queued at the proxy is not the engine's.
      const es = relativeError(est.seconds, Math.max(0, e.durationMs - e.queuedMs) / 1000);
      if (es !== undefined) {
        errTotal.seconds.push(es);
        errs.seconds.push(es);
      }
      const eu = relativeError(est.usd, paid);
      if (eu !== undefined) {
        errTotal.usd.push(eu);
        errs.usd.push(eu);
      }
    }
  }

  const lines = (m: Map<string, Acc>) =>
    [...m.entries()].map(([k, a]) => a.line(k)).sort((a, b) => b.paidUsd + b.noBaselinePaidUsd - (a.paidUsd + a.noBaselinePaidUsd) || a.key.localeCompare(b.key));
  const top = opts.top ?? 10;
  const fps = [...byFingerprint.entries()]
    .filter(([, a]) => a.compared > 0)
    .map(([k, a]): FingerprintLine => ({ ...a.line(k), fingerprint: k, sample: a.sample, engines: [...a.engines].sort() }));
  return {
    since: opts.since?.toISOString() ?? null,
    until: opts.until?.toISOString() ?? null,
    baseline: baselineLabel(spec),
    total: total.line('total'),
    byEngine: lines(byEngine),
    byGroup: lines(byGroup),
    byUser: lines(byUser),
    byTag: lines(byTag),
    topSaving: fps.filter((f) => f.savedUsd > 0).sort((a, b) => b.savedUsd - a.savedUsd || a.key.localeCompare(b.key)).slice(0, top),
    topLosing: fps.filter((f) => f.savedUsd < 0).sort((a, b) => a.savedUsd - b.savedUsd || a.key.localeCompare(b.key)).slice(0, top),
    accuracy: {
      total: errTotal.line('total'),
      byEngine: [...errByEngine.entries()].map(([k, a]) => a.line(k)).sort((a, b) => a.key.localeCompare(b.key)),
    },
  };
}
