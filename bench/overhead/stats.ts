/** Small statistics helpers for latency samples (microseconds). */

/** Summary of one latency sample set, all in µs. */
export interface LatencySummary {
  readonly n: number;
  readonly min: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** Nearest-rank percentile of an ascending-sorted array (p in 0..1). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length)));
  return sorted[rank - 1]!;
}

/** min/p50/p95/p99/max/mean of `samples`, rounded to 0.1 µs. */
export function summarize(samples: readonly number[]): LatencySummary {
  const s = [...samples].sort((a, b) => a - b);
  const r = (x: number): number => Math.round(x * 10) / 10;
  const mean = s.reduce((a, b) => a + b, 0) / (s.length || 1);
  return { n: s.length, min: r(s[0] ?? Number.NaN), p50: r(percentile(s, 0.5)), p95: r(percentile(s, 0.95)), p99: r(percentile(s, 0.99)), max: r(s.at(-1) ?? Number.NaN), mean: r(mean) };
}

/** Time `fn` per call (µs) over `n` calls after `warm` calls; one sample per call. */
export function measure(n: number, fn: (i: number) => unknown, warm = Math.min(n, 10_000)): number[] {
  for (let i = 0; i < warm; i++) fn(i);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    fn(i);
    out[i] = (performance.now() - t0) * 1000;
  }
  return out;
}
