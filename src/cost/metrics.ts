/** Cost metrics: dollars paid per group and engine, dollars saved against the baseline, estimate error. */
import type { Registry } from 'prom-client';
import type { OutcomeSink, QueryOutcome } from '../core/outcome.js';
import { FastCounter, FastHistogram } from '../metrics/fast.js';

export class CostMetrics implements OutcomeSink {
  private readonly cost: FastCounter;
  private readonly savings: FastCounter;
  private readonly baseline: FastCounter;
  private readonly error: FastHistogram;

  constructor(registry: Registry) {
    this.cost = new FastCounter('queryflux_cost_usd_total', 'Dollars the queries cost where they ran (pricing cards)', ['group', 'engine'], registry);
    this.savings = new FastCounter('queryflux_savings_usd_total', 'Dollars saved against the baseline group, summed over queries cheaper than their baseline (net savings: baseline_usd_total - cost_usd_total)', ['group', 'baseline'], registry);
    this.baseline = new FastCounter('queryflux_baseline_usd_total', 'What the same queries would have cost on the baseline group (estimated)', ['group', 'baseline'], registry);
    this.error = new FastHistogram('queryflux_cost_estimate_relative_error', 'Relative error of the estimated seconds of the group a query ran on', ['engine'], [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10], registry);
  }

  record(o: QueryOutcome): void {
    if (o.costUsd === undefined || o.group === undefined) return;
    const engine = o.engine ?? 'unknown';
    this.cost.inc(o.costUsd, o.group, engine);
    if (o.baselineUsd !== undefined && o.baselineGroup !== undefined) {
      this.baseline.inc(o.baselineUsd, o.group, o.baselineGroup);
      if (o.baselineUsd > o.costUsd) this.savings.inc(o.baselineUsd - o.costUsd, o.group, o.baselineGroup);
    }
    const est = o.estimates?.[o.group];
    if (est !== undefined && o.status === 'ok') {
      const actual = Math.max(1e-5, (o.durationMs - o.queuedMs) / 1000);
      this.error.observe(Math.abs(est.seconds - actual) / actual, engine);
    }
  }
}
