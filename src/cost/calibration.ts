/**
 * Online calibration of the seconds model: per cluster, recursive least squares (with forgetting)
 * on the log-ratio between observed seconds and the card's prior, over a small feature vector.
 * With no observations the model is the prior; each outcome moves it. The state (weights,
 * covariance, sample count, recent errors) is persisted as JSON so a restart does not forget it.
 */

/** Regressors of the seconds model, in order (x[0] = 1). */
export const REGRESSORS = ['bias', 'log_mb', 'log_rows', 'joins', 'aggregates', 'windows', 'group_by', 'distinct', 'subqueries', 'eq_lookup'] as const;
const K = REGRESSORS.length;
const ERROR_WINDOW = 200;

export interface CalibrationState {
  w: number[];
  /** Covariance, row-major K×K. */
  p: number[];
  n: number;
  /** Recent relative errors |estimated - actual| / actual, oldest first. */
  errors: number[];
  /**
   * Log-space level of the cluster's recent outcomes against the weights and the shapes' memory
   * (an exponential average over ≈ 10 outcomes): its statements now take e^level times what those say.
   */
  level: number;
  /** The level per decade of statement size (model.ts levelAt); empty in a state from before it: `level` for all. */
  levels: number[];
  /**
   * Log-space variances: of one shape's runs around the shape's own mean (`within`), and of a new
   * shape's first run around the weights' estimate (`between`). Their ratio is how many runs a
   * shape's history needs to outweigh the model (an empirical-Bayes shrinkage).
   */
  within: number;
  between: number;
}

/** Starting variances: a shape's runs within ≈ ±20% of each other, new shapes ≈ ±50% from the model. */
const WITHIN0 = 0.04;
const BETWEEN0 = 0.16;

export function freshState(): CalibrationState {
  const p = new Array<number>(K * K).fill(0);
  // Prior variance 10 per weight: loose enough that a few hundred outcomes dominate the card's
  // priors (bench/savings measured a held-out error of 0.45 with 10·I against 0.58 with I).
  for (let i = 0; i < K; i++) p[i * K + i] = 10;
  return { w: new Array<number>(K).fill(0), p, n: 0, errors: [], level: 0, levels: [], within: WITHIN0, between: BETWEEN0 };
}

/** A valid state or a fresh one (a state file from another version is ignored, not trusted). */
export function restoreState(s: unknown): CalibrationState {
  const c = s as Partial<CalibrationState> | null;
  if (c && Array.isArray(c.w) && c.w.length === K && Array.isArray(c.p) && c.p.length === K * K && typeof c.n === 'number' && [...c.w, ...c.p].every(Number.isFinite)) {
    return { w: c.w, p: c.p, n: c.n, errors: Array.isArray(c.errors) ? c.errors.filter(Number.isFinite).slice(-ERROR_WINDOW) : [], level: finite(c.level, 0), levels: Array.isArray(c.levels) && c.levels.every(Number.isFinite) ? c.levels : [], within: positive(c.within, WITHIN0), between: positive(c.between, BETWEEN0) };
  }
  return freshState();
}

const finite = (v: unknown, d: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : d);
const positive = (v: unknown, d: number): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : d);

/** log-space correction w·x for one query. */
export function correction(state: CalibrationState, x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < K; i++) s += state.w[i]! * x[i]!;
  // Never let a young model move an estimate by more than e^±6 (400×).
  return Math.max(-6, Math.min(6, s));
}

/**
 * One RLS step toward y = ln(actual / prior) for regressors x, forgetting factor lambda.
 * Also records the relative error the estimate had before this update.
 */
export function update(state: CalibrationState, x: Float64Array, y: number, lambda: number, relError: number): void {
  const { w, p } = state;
  const px = PX;
  for (let i = 0; i < K; i++) {
    let s = 0;
    for (let j = 0; j < K; j++) s += p[i * K + j]! * x[j]!;
    px[i] = s;
  }
  let denom = lambda;
  for (let i = 0; i < K; i++) denom += x[i]! * px[i]!;
  let pred = 0;
  for (let i = 0; i < K; i++) pred += w[i]! * x[i]!;
  const err = y - pred;
  const invDenom = 1 / denom;
  const invLambda = 1 / lambda;
  for (let i = 0; i < K; i++) w[i] = w[i]! + px[i]! * invDenom * err;
  for (let i = 0; i < K; i++) {
    const a = px[i]! * invDenom;
    for (let j = 0; j < K; j++) p[i * K + j] = (p[i * K + j]! - a * px[j]!) * invLambda;
  }
  state.n++;
  state.errors.push(relError);
  // shift() of a short array is a pointer move in V8; splice(0, 1) copied the window every outcome.
  while (state.errors.length > ERROR_WINDOW) state.errors.shift();
}

/** Scratch P·x of one update (one per outcome would be allocated otherwise). */
const PX = new Float64Array(K);

export function median(xs: readonly number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1]! + s[m]!) / 2;
}
