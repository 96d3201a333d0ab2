/** Cost metrics: dollars paid per group and engine, dollars saved against the baseline, estimate error. */
import { Counter, Histogram, type Registry } from 'prom-client';
import type { OutcomeSink, QueryOutcome } from '../core/outcome.js';

export class CostMetrics implements OutcomeSink {
  private readonly cost: Counter<'group' | 'engine'>;
  private readonly savings: Counter<'group' | 'baseline'>;
  private readonly baseline: Counter<'group' | 'baseline'>;
  private readonly error: Histogram<'engine'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.cost = new Counter({ name: 'queryflux_cost_usd_total', help: 'Dollars the queries cost where they ran (pricing cards)', labelNames: ['group', 'engine'], registers });
    this.savings = new Counter({ name: 'queryflux_savings_usd_total', help: 'Dollars saved against the baseline group, summed over queries cheaper than their baseline (net savings: baseline_usd_total - cost_usd_total)', labelNames: ['group', 'baseline'], registers });
    this.baseline = new Counter({ name: 'queryflux_baseline_usd_total', help: 'What the same queries would have cost on the baseline group (estimated)', labelNames: ['group', 'baseline'], registers });
    this.error = new Histogram({ name: 'queryflux_cost_estimate_relative_error', help: 'Relative error of the estimated seconds of the group a query ran on', labelNames: ['engine'], buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10], registers });
  }

  record(o: QueryOutcome): void {
    if (o.costUsd === undefined || o.group === undefined) return;
    const engine = o.engine ?? 'unknown';
    this.cost.inc({ group: o.group, engine }, o.costUsd);
    if (o.baselineUsd !== undefined && o.baselineGroup !== undefined) {
      this.baseline.inc({ group: o.group, baseline: o.baselineGroup }, o.baselineUsd);
      if (o.baselineUsd > o.costUsd) this.savings.inc({ group: o.group, baseline: o.baselineGroup }, o.baselineUsd - o.costUsd);
    }
    const est = o.estimates?.[o.group];
    if (est !== undefined && o.status === 'ok') {
      const actual = Math.max(1e-5, (o.durationMs - o.queuedMs) / 1000);
      this.error.observe({ engine }, Math.abs(est.seconds - actual) / actual);
    }
  }
}
