/**
 * The cost model: for each candidate group, predicted bytes scanned, seconds and dollars of a
 * query, with a confidence; after the query, its actual and baseline cost; and calibration of the
 * seconds model from every outcome.
 *
 *   bytes   = Σ over tables read: stored bytes × share of columns read (columnar engines)
 *   seconds = prior(card performance, bytes, shape) × exp(w·x)   (w learned per cluster, RLS),
 *             or, for a shape seen before, mostly its own mean time (a random intercept),
 *             × exp(level)                                       (the cluster's recent speed)
 *   usd     = card price of {seconds, bytes}
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Analysis } from '../analysis/types.js';
import { LruCache } from '../core/lru.js';
import { correction, freshState, median, REGRESSORS, restoreState, update, type CalibrationState } from './calibration.js';
import { priceUsd, type PricingCard } from './cards.js';
import type { TableStats, TableStatsStore } from './stats.js';
import type { CostEstimate } from './types.js';

/** One cluster as the cost model sees it. */
export interface CostTarget {
  readonly cluster: string;
  readonly group: string;
  readonly engineKind: string;
  readonly card: PricingCard;
  /** Nodes billed, when the cluster overrides its card. */
  readonly nodes?: number;
  /** Share of the group's traffic it gets (member weight). */
  readonly weight: number;
}

export interface CostModelOptions {
  readonly targets: readonly CostTarget[];
  readonly stats: TableStatsStore;
  readonly baselineGroup?: string;
  readonly calibration: { readonly enabled: boolean; readonly statePath: string; readonly forgetting: number };
  /** Start from the priors even if a saved state exists (batch refit). */
  readonly fresh?: boolean;
  /** Told when a periodic save of the calibration state fails (disk full, no permission); the next one tries again. */
  readonly onSaveError?: (err: Error) => void;
}

/** What the gateway knows about a finished query, for pricing and calibration. */
export interface Observed {
  readonly group?: string;
  readonly cluster?: string;
  readonly status: string;
  readonly durationMs: number;
  readonly queuedMs: number;
  readonly bytesScanned?: number;
}

export interface Priced {
  readonly costUsd?: number;
  readonly baselineUsd?: number;
  readonly baselineGroup?: string;
}

/** The calibration state file (calibration.statePath). */
interface SavedState {
  version?: number;
  regressors?: readonly string[];
  clusters?: Record<string, unknown>;
  /**
   * Per cluster, least recently used first: [fingerprint, runs, mean ln(seconds) − level, mean
   * ln(prior), mean regressors] (version 2; version 1 kept a residual against the weights of its
   * day, which means nothing against today's: its shapes are not loaded).
   */
  shapes?: Record<string, [string, number, number, number, number[]][]>;
  tableStats?: Record<string, TableStats>;
}

/** Assumed when a table has no statistics: small enough not to scare, flagged by a low confidence. */
const UNKNOWN_TABLE = { rows: 100_000, bytes: 20_000_000 } as const;
const SELECTIVITY = { eq: 0.05, neq: 0.9, range: 0.3, in: 0.05, like: 0.25, null: 0.1 } as const;
const K = REGRESSORS.length;

interface Shape {
  /** Bytes a scan reads (columnar: only the columns used). */
  readonly bytes: number;
  /** Rows after predicates (all tables together). */
  readonly rows: number;
  /** Share of tables that had statistics (0..1). */
  readonly known: number;
}

interface CachedEstimates {
  readonly at: number;
  readonly groups: readonly string[];
  readonly estimates: Record<string, CostEstimate>;
}

/**
 * True when no literal of the statement can change its estimate (see CostModel.estimate): range
 * bounds and IN lists do, and the value compared by = or <> where its column has value statistics.
 */
function literalFree(a: Analysis, stats: TableStatsStore): boolean {
  for (const p of a.predicates) {
    if (p.op === 'in' || (p.op === 'range' && (p.low !== undefined || p.high !== undefined))) return false;
    if ((p.op === 'eq' || p.op === 'neq') && p.low !== undefined && valueStats(a, p.column, stats) !== undefined) return false;
  }
  return true;
}

/** The most-common-value statistics of a predicate's column, from the table that owns it. */
function valueStats(a: Analysis, column: string, stats: TableStatsStore): Readonly<Record<string, number>> | undefined {
  const dot = column.lastIndexOf('.');
  // Most columns have none: one set lookup says so before any table is looked up.
  if (!stats.hasValueColumn(dot > 0 ? column.slice(dot + 1) : column)) return undefined;
  if (dot > 0) return stats.lookup(column.slice(0, dot))?.columnValues?.[column.slice(dot + 1)];
  for (const t of a.tables) {
    const v = stats.lookup(t)?.columnValues?.[column];
    if (v !== undefined) return v;
  }
  return undefined;
}

/**
 * Share of rows where `column = value` by the column's most common values: the value's own share,
 * else an equal part of what the listed values leave (at most the fixed guess).
 */
function valueShare(freqs: Readonly<Record<string, number>>, value: number | string): number {
  const f = freqs[String(value)];
  if (f !== undefined) return f;
  let listed = 0;
  let n = 0;
  for (const k in freqs) {
    listed += freqs[k]!;
    n++;
  }
  return Math.min(SELECTIVITY.eq, Math.max(0, 1 - listed) / Math.max(1, n));
}

export class CostModel {
  private readonly byGroup = new Map<string, CostTarget[]>();
  private readonly byCluster = new Map<string, CostTarget>();
  private readonly state = new Map<string, CalibrationState>();
  private dirty = false;
  private saveTimer: NodeJS.Timeout | undefined;
  readonly baselineGroup: string | undefined;
  readonly stats: TableStatsStore;

  constructor(private readonly opts: CostModelOptions) {
    this.baselineGroup = opts.baselineGroup;
    this.stats = opts.stats;
    for (const t of opts.targets) {
      const list = this.byGroup.get(t.group) ?? [];
      list.push(t);
      this.byGroup.set(t.group, list);
      this.byCluster.set(t.cluster, t);
    }
    if (opts.fresh !== true) this.load();
    else this.loadStatsOnly();
    if (opts.calibration.enabled && opts.calibration.statePath !== '') {
      this.saveTimer = setInterval(() => void this.save().catch((err: unknown) => this.opts.onSaveError?.(err as Error)), 30_000);
      this.saveTimer.unref();
    }
  }

  /** The target of a cluster, if it is priced. */
  target(cluster: string): CostTarget | undefined {
    return this.byCluster.get(cluster);
  }

  /**
   * Estimates for every candidate group (the pipeline's Estimator). Cached per analysis (shared by
   * every query of the same text) for up to a second, so calibration steps and fresh statistics
   * show within a second while a hot statement is priced once per second, not per query.
   */
  readonly estimate = (analysis: Analysis, groups: readonly string[]): Record<string, CostEstimate> => {
    const now = performance.now();
    const hit = this.cache.get(analysis);
    if (hit !== undefined && hit.groups === groups && now - hit.at < 1000) return hit.estimates;
    // Statements of one shape whose literals cannot change the estimate (no range bounds, no IN
    // lists: equality selectivity does not depend on the value) share it, also across literals —
    // `... where id = 17` and `... where id = 18` are priced once a second, not per query.
    const byShape = literalFree(analysis, this.opts.stats) ? analysis.fingerprint : undefined;
    if (byShape !== undefined) {
      const shared = this.shapeCache.get(byShape);
      // (Not remembered per analysis as well: with a new literal in every statement, as in OLTP
      // traffic, that was one WeakMap insertion per query for a lookup the shape cache answers.)
      if (shared !== undefined && shared.groups === groups && now - shared.at < 1000) return shared.estimates;
    }
    const out: Record<string, CostEstimate> = {};
    for (const g of groups) {
      const e = this.estimateGroup(analysis, g);
      if (e !== undefined) out[g] = e;
    }
    const entry = { at: now, groups, estimates: out };
    this.cache.set(analysis, entry);
    if (byShape !== undefined) this.shapeCache.set(byShape, entry);
    return out;
  };
  private cache = new WeakMap<Analysis, CachedEstimates>();
  private shapeCache = new LruCache<string, CachedEstimates>(4096);

  /** Forget cached estimates (after new statistics). */
  invalidate(): void {
    this.cache = new WeakMap();
    this.shapeCache.clear();
  }

  /** Weighted mean over the group's members (the strategy picks one; the estimate is the expectation). */
  estimateGroup(analysis: Analysis, group: string): CostEstimate | undefined {
    const targets = this.byGroup.get(group);
    if (targets === undefined || targets.length === 0) return undefined;
    if (targets.length === 1) return this.estimateTarget(analysis, targets[0]!);
    let wsum = 0;
    let usd = 0;
    let seconds = 0;
    let bytes = 0;
    let conf = 0;
    for (const t of targets) {
      const e = this.estimateTarget(analysis, t);
      const w = t.weight > 0 ? t.weight : 0;
      wsum += w;
      usd += w * e.usd;
      seconds += w * e.seconds;
      bytes += w * e.bytesScanned;
      conf += w * e.confidence;
    }
    if (wsum === 0) return this.estimateTarget(analysis, targets[0]!);
    return { usd: usd / wsum, seconds: seconds / wsum, bytesScanned: bytes / wsum, confidence: conf / wsum };
  }

  estimateTarget(analysis: Analysis, t: CostTarget): CostEstimate {
    const shape = this.shape(analysis, t.card.columnar, t.group);
    const x = regressors(analysis, shape);
    const prior = priorSeconds(t.card, analysis, shape);
    const st = this.state.get(t.cluster);
    const mem = this.memory.get(t.cluster);
    const seen = mem?.get(analysis.fingerprint);
    const key = this.valueKey(analysis);
    const z = logEstimate(st, seen, key === undefined ? undefined : mem?.get(key), x, prior);
    const seconds = Math.exp(z + (st === undefined ? 0 : levelAt(st, z)));
    const usd = priceUsd(t.card, { seconds, bytesScanned: shape.bytes }, t.nodes);
    return { usd, seconds, bytesScanned: shape.bytes, confidence: this.confidence(st, shape, seen?.n ?? 0) };
  }

  /**
   * Per cluster and statement shape (fingerprint): what that shape took (ShapeMemory). Statements
   * repeat (dashboards, reports, jobs), and what makes one shape cost 2 s and a similar one 0.2 s
   * is often beyond any feature; this memory learns it from the shape's own history (bounded per
   * cluster, forgotten least recently used first).
   */
  private readonly memory = new Map<string, LruCache<string, ShapeMemory>>();

  /**
   * The shape and the values it compares categorical columns with (`= 'view'`, `<> 'buy'`, on
   * columns with value statistics: a bounded set), as a second, finer key of the shape memory:
   * `kind = 'view'` reads four times the rows of `kind = 'buy'` and the weights alone do not tell.
   */
  private valueKey(a: Analysis): string | undefined {
    let k: string | undefined;
    for (const p of a.predicates) {
      if ((p.op === 'eq' || p.op === 'neq') && p.low !== undefined && valueStats(a, p.column, this.opts.stats)?.[String(p.low)] !== undefined) {
        k = `${k ?? a.fingerprint}\u0001${p.column}${p.op === 'eq' ? '=' : '<>'}${p.low}`;
      }
    }
    return k;
  }

  private confidence(st: CalibrationState | undefined, shape: Shape, seen: number): number {
    const n = st?.n ?? 0;
    const learned = Math.max(n / (n + 20), seen / (seen + 3));
    const err = st ? medianError(st) : 1;
    const c = (0.25 + 0.75 * learned / (1 + err)) * (0.5 + 0.5 * shape.known);
    return Math.round(c * 1000) / 1000;
  }

  /**
   * Bytes a scan reads and rows after predicates, for one group's storage. Per table: the columns
   * the statement uses (all for `*` directly over it; unqualified names go to the table that has
   * them), their sizes (declared per column, else an equal share), pruned by ranges on the
   * columns the data is sorted or partitioned by; rows scaled by each predicate's selectivity
   * (from declared value ranges when the bounds are literals, else fixed guesses).
   */
  private shape(a: Analysis, columnar: boolean, group?: string): Shape {
    if (a.tables.length === 0) return { bytes: 0, rows: 1, known: 1 };
    let bytes = 0;
    let rows = 0;
    let known = 0;
    const single = a.tables.length === 1;
    for (const table of a.tables) {
      const s = this.opts.stats.lookup(table, group);
      if (s !== undefined) known++;
      const st: TableStats = s ?? UNKNOWN_TABLE;
      let tableBytes = st.bytes;
      if (columnar && !a.starTables.includes(table)) {
        const used = new Set<string>();
        for (const c of a.columns) {
          const name = owns(c, table, single, st);
          if (name !== undefined) used.add(name);
        }
        const perColumn = st.columns !== undefined ? st.bytes / st.columns : undefined;
        if (st.columnBytes !== undefined) {
          const sizes = columnSizes(st);
          let sum = 0;
          for (const c of used) sum += st.columnBytes[c] ?? sizes.undeclared;
          // count(*) and the like read no column but still touch the smallest one.
          tableBytes = used.size > 0 ? sum : sizes.smallest;
        } else if (perColumn !== undefined) {
          tableBytes = Math.min(st.bytes, Math.max(1, used.size) * perColumn);
        }
      }
      let sel = 1;
      let pruned = 1;
      // Bounds on one column from several predicates (a >= x AND a < y) make one range.
      let bounds: Map<string, { low?: number; high?: number }> | undefined;
      for (const p of a.predicates) {
        const col = owns(p.column, table, single, st);
        if (col === undefined) continue;
        const r = st.columnRanges?.[col];
        if (r !== undefined && p.op === 'range' && (p.low !== undefined || p.high !== undefined)) {
          bounds ??= new Map();
          const b = bounds.get(col) ?? {};
          const lo = p.low === undefined ? undefined : toNumber(p.low);
          const hi = p.high === undefined ? undefined : toNumber(p.high);
          if (lo !== undefined && Number.isFinite(lo)) b.low = b.low === undefined ? lo : Math.max(b.low, lo);
          if (hi !== undefined && Number.isFinite(hi)) b.high = b.high === undefined ? hi : Math.min(b.high, hi);
          bounds.set(col, b);
          continue;
        }
        const freqs = (p.op === 'eq' || p.op === 'neq') && p.low !== undefined ? st.columnValues?.[col] : undefined;
        if (freqs !== undefined) {
          const share = valueShare(freqs, p.low!);
          sel *= p.op === 'eq' ? share : 1 - share;
          continue;
        }
        sel *= p.op === 'in' ? Math.min(1, SELECTIVITY.in * p.values) : SELECTIVITY[p.op];
      }
      if (bounds !== undefined) for (const [col, b] of bounds) {
        const f = rangeFraction(b.low, b.high, st.columnRanges![col]) ?? SELECTIVITY.range;
        sel *= f;
        if (columnar && st.sortedBy?.includes(col)) pruned = Math.min(pruned, f);
      }
      bytes += tableBytes * pruned;
      rows += st.rows * sel;
    }
    return { bytes, rows, known: known / a.tables.length };
  }

  /** Actual cost of a finished query where it ran, and its baseline cost. */
  price(o: Observed, estimates: Readonly<Record<string, CostEstimate>> | undefined, analysis: Analysis | undefined): Priced {
    const t = o.cluster === undefined ? undefined : this.byCluster.get(o.cluster);
    if (t === undefined || o.status === 'denied') return {};
    const seconds = Math.max(0, o.durationMs - o.queuedMs) / 1000;
    const bytes = o.bytesScanned ?? estimates?.[t.group]?.bytesScanned ?? (analysis ? this.shape(analysis, t.card.columnar, t.group).bytes : 0);
    const costUsd = priceUsd(t.card, { seconds, bytesScanned: bytes }, t.nodes);
    const baselineGroup = this.baselineGroup;
    if (baselineGroup === undefined) return { costUsd };
    const baselineUsd = o.group === baselineGroup ? costUsd : estimates?.[baselineGroup]?.usd;
    return { costUsd, baselineUsd, baselineGroup };
  }

  /** Learn from one successful query: move the cluster's seconds model toward what happened. */
  observe(o: Observed, analysis: Analysis): void {
    // Queries only: DDL and DML times depend on what they write, which the features do not describe.
    if (!this.opts.calibration.enabled || o.status !== 'ok' || o.cluster === undefined || analysis.depth !== 'ast' || analysis.kind !== 'select') return;
    const t = this.byCluster.get(o.cluster);
    if (t === undefined) return;
    const actual = Math.max(1e-5, (o.durationMs - o.queuedMs) / 1000);
    const shape = this.shape(analysis, t.card.columnar, t.group);
    const x = regressors(analysis, shape);
    const prior = priorSeconds(t.card, analysis, shape);
    let st = this.state.get(t.cluster);
    if (st === undefined) {
      st = freshState();
      this.state.set(t.cluster, st);
    }
    let mem = this.memory.get(t.cluster);
    if (mem === undefined) this.memory.set(t.cluster, (mem = new LruCache(5_000)));
    const seen = mem.get(analysis.fingerprint);
    const key = this.valueKey(analysis);
    const sub = key === undefined ? undefined : mem.get(key);
    const logActual = Math.log(actual);
    const logPrior = Math.log(prior);
    const logEst = logEstimate(st, seen, sub, x, prior);
    const levelBefore = levelAt(st, logEst);
    const estimated = Math.exp(logEst + levelBefore);
    // The level follows where this cluster's outcomes land against the model and their shapes'
    // memory (load, a warm or cold cache, a resized cluster: what moves every shape at once).
    // Only shapes with a history say how the cluster's speed moved: a new shape's miss is the
    // model's (between shapes), and counting it here would shift every other shape's estimate.
    moveLevel(st, logEst, LEVEL_RATE * shapeTrust(st, seen), step(logActual - logEst - levelBefore));
    const level = levelAt(st, logEst);
    // The weights and the memory learn what the level does not explain, so a slow or fast spell is
    // counted once, in the level, and not again in every shape that ran during it.
    update(st, x, logActual - logPrior - level, this.opts.calibration.forgetting, Math.abs(estimated - actual) / actual);
    const y = logActual - level;
    // How far a shape's runs scatter around its own mean, and a new shape around the model (before this run moved it).
    if (seen === undefined) st.between += VARIANCE_RATE * ((logActual - logEst - levelBefore) ** 2 - st.between);
    else if (seen.n > 1) st.within += VARIANCE_RATE * ((y - seen.y) ** 2 - st.within); // (not against a cold first run)
    remember(mem, analysis.fingerprint, seen, y, x, logPrior);
    if (key !== undefined) remember(mem, key, sub, y, x, logPrior);
    this.dirty = true;
  }

  /** Per cluster: observations and median relative error of recent seconds estimates. */
  accuracy(): Record<string, { observations: number; medianRelativeError: number | null }> {
    const out: Record<string, { observations: number; medianRelativeError: number | null }> = {};
    for (const [cluster, st] of this.state) out[cluster] = { observations: st.n, medianRelativeError: median(st.errors) ?? null };
    return out;
  }

  /** Mark the state changed (saved at the next save()). */
  touch(): void {
    this.dirty = true;
  }

  private readState(): SavedState | undefined {
    const path = this.opts.calibration.statePath;
    if (path === '' || !existsSync(path)) return undefined;
    try {
      const saved = JSON.parse(readFileSync(path, 'utf8')) as SavedState;
      return saved.version === 1 || saved.version === STATE_VERSION ? saved : undefined;
    } catch {
      return undefined; // unreadable state: start from the priors
    }
  }

  private load(): void {
    if (!this.opts.calibration.enabled) return;
    const saved = this.readState();
    if (saved?.clusters === undefined) return;
    for (const [cluster, s] of Object.entries(saved.clusters)) if (this.byCluster.has(cluster)) this.state.set(cluster, restoreState(s));
    for (const [cluster, shapes] of Object.entries((saved.version === STATE_VERSION && saved.shapes) || {})) {
      if (!this.byCluster.has(cluster) || !Array.isArray(shapes)) continue;
      const mem = new LruCache<string, ShapeMemory>(5_000);
      for (const e of shapes) if (validShape(e)) mem.set(e[0], { n: e[1], y: e[2], p: e[3], x: Float64Array.from(e[4]) });
      this.memory.set(cluster, mem);
    }
    this.loadStats(saved);
  }

  /** The engines' statistics saved with the state, so offline tools (calibrate) estimate bytes as the gateway did. */
  private loadStatsOnly(): void {
    const saved = this.readState();
    if (saved) this.loadStats(saved);
  }

  private loadStats(saved: { tableStats?: Record<string, TableStats> }): void {
    if (saved.tableStats && this.stats.fetchedSize === 0) this.stats.setFetched(new Map(Object.entries(saved.tableStats)));
  }

  /**
   * Persist the calibration state (every 30 s when it changed, and at shutdown). The shapes'
   * memory (up to 5,000 per cluster) is serialised in slices of 500 with a turn of the event loop
   * between them — in one piece, 10,000 shapes held the loop ≈ 30 ms; sliced, no turn of the save
   * is over ≈ 2 ms (the longest turns seen, 5–10 ms, are the collector's) — and written to a temporary
   * file renamed over the old one, so a crash mid-write leaves the previous state, not half a file.
   * Saves do not overlap: one asked for while another runs follows it.
   */
  save(): Promise<void> {
    // A failed save does not stop the next one (it rejects only its own callers).
    this.saving = this.saving.catch(() => undefined).then(() => this.saveNow());
    return this.saving;
  }
  private saving: Promise<void> = Promise.resolve();

  private async saveNow(): Promise<void> {
    const path = this.opts.calibration.statePath;
    if (!this.dirty || !this.opts.calibration.enabled || path === '') return;
    this.dirty = false;
    try {
      await this.write(path);
    } catch (err) {
      this.dirty = true; // the next save tries again
      throw err;
    }
  }

  private async write(path: string): Promise<void> {
    mkdirSync(dirname(path), { recursive: true });
    const clusters: Record<string, CalibrationState> = {};
    for (const [k, v] of this.state) clusters[k] = v;
    const head: Omit<SavedState, 'shapes'> = { version: STATE_VERSION, regressors: REGRESSORS, clusters, tableStats: this.stats.fetchedSnapshot() };
    const parts = [JSON.stringify(head).slice(0, -1), ',"shapes":{'];
    let c = 0;
    for (const [cluster, mem] of this.memory) {
      parts.push(`${c++ > 0 ? ',' : ''}${JSON.stringify(cluster)}:[`);
      const entries = [...mem.entries()];
      for (let i = 0; i < entries.length; i++) {
        const [fp, v] = entries[i]!;
        parts.push(`${i > 0 ? ',' : ''}${JSON.stringify([fp, v.n, round6(v.y), round6(v.p), Array.from(v.x, round6)])}`);
        if (i % 500 === 499) await new Promise<void>((r) => setImmediate(r));
      }
      parts.push(']');
    }
    parts.push('}}');
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, parts.join(''));
    await rename(tmp, path);
  }

  async close(): Promise<void> {
    if (this.saveTimer) clearInterval(this.saveTimer);
    await this.save();
  }
}

/**
 * The name of `column` (as the analysis reports it) within `table`, or undefined when it is not
 * the table's: `table.col` is, an unqualified name is when the statement reads one table or the
 * table's statistics list it.
 */
function owns(column: string, table: string, single: boolean, st: TableStats): string | undefined {
  const n = table.length;
  if (column.length > n + 1 && column.charCodeAt(n) === 46 /* . */ && column.startsWith(table)) return column.slice(n + 1);
  if (!column.includes('.') && (single || st.columnBytes?.[column] !== undefined)) return column;
  return undefined;
}

/** Six decimals: log-space means need no more, and the state file is a third the size. */
const round6 = (v: number): number => Math.round(v * 1e6) / 1e6;

/** Version of the calibration state file (2: shapes remember their own means, see ShapeMemory). */
const STATE_VERSION = 2;

function validShape(e: unknown): e is [string, number, number, number, number[]] {
  return Array.isArray(e) && typeof e[0] === 'string' && [e[1], e[2], e[3]].every(Number.isFinite) && Array.isArray(e[4]) && e[4].length === K && (e[4] as unknown[]).every(Number.isFinite);
}

/**
 * The level by a statement's size: on top of the cluster's level, a value per decade of estimated
 * seconds (1 ms ... 100 s), read and moved with a Gaussian kernel half a decade wide. A cluster's
 * millisecond lookups and its multi-second joins do not always speed up and slow down together
 * (cache misses and planning against CPU contention): with one level for both, a run of faster
 * lookups halved the estimate of a window statement measured at 0.7–0.9 s (bench/savings run 18).
 */
const LEVEL_GRID = [-6.9, -4.6, -2.3, 0, 2.3, 4.6];
const LEVEL_WIDTH = Math.LN10 / 2;
function kernel(z: number, out: Float64Array): number {
  let max = 0;
  for (let i = 0; i < LEVEL_GRID.length; i++) {
    const d = (z - LEVEL_GRID[i]!) / LEVEL_WIDTH;
    out[i] = Math.exp(-0.5 * d * d);
    if (out[i]! > max) max = out[i]!;
  }
  return max;
}
const KERNEL = new Float64Array(LEVEL_GRID.length);

/** The cluster's level for a statement of ln(seconds) z (before the level): the cluster's, plus its size's. */
function levelAt(st: CalibrationState, z: number): number {
  const levels = st.levels;
  kernel(z, KERNEL);
  let a = 0;
  let b = 0;
  for (let i = 0; i < KERNEL.length; i++) {
    a += KERNEL[i]! * (levels[i] ?? 0);
    b += KERNEL[i]!;
  }
  return st.level + a / b;
}

/**
 * One outcome's miss e (log) at size z: the cluster's level moves by rate·e (a change of the
 * whole cluster shows in every size at once), the sizes near z by rate·(what that leaves).
 */
function moveLevel(st: CalibrationState, z: number, rate: number, e: number): void {
  st.level += rate * e;
  const left = e - rate * e;
  const max = kernel(z, KERNEL);
  for (let i = 0; i < KERNEL.length; i++) st.levels[i] = (st.levels[i] ?? 0) + (rate * left * KERNEL[i]!) / max;
}

/** Share of one outcome in the cluster's level: an exponential average over ≈ 10 outcomes. */
const LEVEL_RATE = 0.1;
/**
 * Largest log-space step one outcome makes toward itself (in the level and a shape's memory): a
 * statement that took 10× its usual time (a cold start, a stall on a shared machine) counts as 2×.
 */
const MAX_STEP = Math.LN2;
function step(delta: number): number {
  return delta > MAX_STEP ? MAX_STEP : delta < -MAX_STEP ? -MAX_STEP : delta;
}

/**
 * What a cluster remembers of one statement shape: how many times it ran, the mean of its log
 * seconds net of the cluster's level at the time, and the means of its regressors and log prior
 * over those runs. The shape's own intercept in the regression (a random-intercept model): its
 * estimate is its own mean, moved by the model's slopes only as far as this statement's
 * regressors differ from the shape's usual ones (a wider date range, another IN list), so the
 * weights drifting with other shapes' outcomes no longer move a shape already seen.
 */
export interface ShapeMemory {
  n: number;
  /** Mean of ln(seconds) − level. */
  y: number;
  /** Mean regressors. */
  readonly x: Float64Array;
  /** Mean ln(prior seconds). */
  p: number;
}

/** Share of one run in the cluster's within- and between-shape variances: an average over ≈ 50. */
const VARIANCE_RATE = 0.02;

/** Weight of a shape's own history against the model after its n runs: n / (n + within / between). */
function shapeTrust(st: CalibrationState, seen: ShapeMemory | undefined): number {
  return seen === undefined ? 0 : seen.n / (seen.n + st.within / st.between);
}

/**
 * ln(seconds) − level for regressors x and prior seconds: the weights' estimate, then the shape's
 * own mean over it, then (when the statement compares a categorical column with a common value)
 * the mean of the shape's runs with those values over that, each weighted by its runs.
 */
function logEstimate(st: CalibrationState | undefined, seen: ShapeMemory | undefined, sub: ShapeMemory | undefined, x: Float64Array, prior: number): number {
  const logPrior = Math.log(prior);
  if (st === undefined) return logPrior;
  const cx = correction(st, x);
  const modelled = logPrior + cx;
  if (seen === undefined) return modelled;
  const shaped = blend(st, seen, modelled, cx, logPrior);
  return sub === undefined ? shaped : blend(st, sub, shaped, cx, logPrior);
}

/** A memory's own estimate (its mean, moved by the weights for how x differs from its usual x̄) blended over `under`. */
function blend(st: CalibrationState, m: ShapeMemory, under: number, cx: number, logPrior: number): number {
  const own = m.y + cx - correction(st, m.x) + logPrior - m.p;
  const trust = shapeTrust(st, m);
  return trust * own + (1 - trust) * under;
}

/**
 * One run of a shape into its memory: a running mean, then an exponential average over ≈ 10 runs.
 * The second run replaces the first: a shape's first run on a cluster is often a cold one (its
 * data, plans and caches touched for the first time) — on the savings benchmark 3–5× its later
 * runs — and averaging it in kept the estimate high for ten runs and, through the misses of the
 * runs after it, pulled the cluster's level down for every other shape.
 */
function remember(mem: LruCache<string, ShapeMemory>, fingerprint: string, seen: ShapeMemory | undefined, y: number, x: Float64Array, logPrior: number): void {
  if (seen === undefined) {
    mem.set(fingerprint, { n: 1, y, x: Float64Array.from(x), p: logPrior });
    return;
  }
  seen.n++;
  const r = seen.n === 2 ? 1 : 1 / Math.min(seen.n, 10);
  seen.y += seen.n === 2 ? y - seen.y : step(y - seen.y) * r;
  for (let i = 0; i < K; i++) seen.x[i] = seen.x[i]! + (x[i]! - seen.x[i]!) * r;
  seen.p += (logPrior - seen.p) * r;
}

/**
 * Median recent relative error of a cluster's state (over its last 200 outcomes), recomputed
 * after every 16 new outcomes rather than per estimate: it sorts 200 numbers, and one outcome
 * barely moves it.
 */
const MEDIANS = new WeakMap<CalibrationState, { n: number; value: number }>();
function medianError(st: CalibrationState): number {
  const m = MEDIANS.get(st);
  if (m !== undefined && st.n >= m.n && st.n - m.n < 16 && (m.n >= 16 || st.n === m.n)) return m.value;
  const value = median(st.errors) ?? 1;
  MEDIANS.set(st, { n: st.n, value });
  return value;
}

/**
 * Per table statistics with per-column sizes: the size of a column they do not list, and the
 * smallest column. When they list every column (as many as `columns`), a name they do not list is
 * no column of the table (a derived table's alias, `select max(running) from (...)`) and reads
 * nothing; otherwise it gets an equal share of the bytes the listed columns leave. Computed once
 * per statistics object, not per query.
 */
const SIZES = new WeakMap<TableStats, { undeclared: number; smallest: number }>();
function columnSizes(st: TableStats): { undeclared: number; smallest: number } {
  let v = SIZES.get(st);
  if (v === undefined) {
    const sizes = Object.values(st.columnBytes ?? {});
    let declared = 0;
    for (const b of sizes) declared += b;
    const rest = st.columns === undefined ? undefined : st.columns - sizes.length;
    const undeclared = rest === undefined ? 0 : rest > 0 ? Math.max(0, st.bytes - declared) / rest : 0;
    v = { undeclared, smallest: Math.min(...sizes, undeclared > 0 ? undeclared : Infinity) };
    SIZES.set(st, v);
  }
  return v;
}

/** A bound as a number: numbers as they are, dates and timestamps as epoch ms (UTC unless zoned). */
export function toNumber(v: number | string): number {
  if (typeof v === 'number') return v;
  if (/^\d{4}-\d{2}-\d{2}/.test(v)) {
    // PostgreSQL prints offsets as +00 or +05:30; Date.parse wants +00:00.
    const t = v.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00');
    const iso = v.length === 10 ? `${v}T00:00:00Z` : `${t}${/[zZ]|[+-]\d\d:?\d\d$/.test(t) ? '' : 'Z'}`;
    return Date.parse(iso);
  }
  return Number(v);
}

/** Share of a column's declared [min, max] that the range [low, high] covers (undefined when unknown). */
export function rangeFraction(low: number | undefined, high: number | undefined, r: { readonly min: number | string; readonly max: number | string } | undefined): number | undefined {
  if (r === undefined || (low === undefined && high === undefined)) return undefined;
  const min = toNumber(r.min);
  const max = toNumber(r.max);
  const lo = low ?? min;
  const hi = high ?? max;
  if (![min, max, lo, hi].every(Number.isFinite) || max <= min) return undefined;
  return Math.max(0, Math.min(hi, max) - Math.max(lo, min)) / (max - min);
}

/** Prior seconds from the card's performance section and the statement's shape. */
export function priorSeconds(card: PricingCard, a: Analysis, s: Shape): number {
  const f = a.features;
  const mb = s.bytes / 1e6;
  // Row stores with an equality predicate are assumed to use an index: they read the matching rows.
  const scanMb = !card.columnar && f.eq_predicates > 0 ? Math.min(mb, (s.rows * 200) / 1e6) : mb;
  const complexity = (1 + 0.5 * f.joins) * (f.aggregates > 0 || f.group_by_width > 0 ? 1.3 : 1) * (1 + 0.5 * f.window_functions) * (f.distinct ? 1.2 : 1) * (1 + 0.3 * f.subqueries);
  return card.performance.overheadMs / 1000 + (scanMb / card.performance.mbPerSecond) * complexity;
}

/** Scratch regressors: one vector per call would be allocated on every estimate; none is kept past the call (memories copy it). */
const X = new Float64Array(K);

function regressors(a: Analysis, s: Shape): Float64Array {
  const f = a.features;
  const x = X;
  x[0] = 1;
  x[1] = Math.log1p(s.bytes / 1e6);
  x[2] = Math.log1p(s.rows / 1e3);
  x[3] = f.joins;
  x[4] = f.aggregates > 0 ? 1 : 0;
  x[5] = f.window_functions;
  x[6] = f.group_by_width > 0 ? 1 : 0;
  x[7] = f.distinct;
  x[8] = f.subqueries;
  x[9] = f.eq_predicates > 0 ? 1 : 0;
  return x;
}
