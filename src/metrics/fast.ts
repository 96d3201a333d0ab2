/**
 * Counters and histograms for the per-query path. prom-client's labelled inc/observe cost
 * ≈ 1.3 µs each (label object hashing and validation); these keep one series per joined label
 * string and do the formatting work at scrape time, through the same Registry (they implement
 * the metric interface prom-client's Registry serialises: name, help, type, get()).
 */
import type { Registry } from 'prom-client';

interface Series {
  readonly labels: Record<string, string>;
  value: number;
}

interface HistSeries {
  readonly labels: Record<string, string>;
  readonly buckets: Float64Array;
  sum: number;
  count: number;
}

type MetricValue = { labels: Record<string, string | number>; value: number; metricName?: string };

abstract class FastMetric {
  readonly aggregator = 'sum';

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    registry: Registry,
  ) {
    registry.registerMetric(this as never);
  }

  protected labelsOf(values: readonly string[]): Record<string, string> {
    const labels: Record<string, string> = {};
    for (let i = 0; i < this.labelNames.length; i++) labels[this.labelNames[i]!] = values[i] ?? '';
    return labels;
  }
}

/** A counter; `inc(by, ...labelValues)` with label values in `labelNames` order. */
export class FastCounter extends FastMetric {
  readonly type = 'counter';
  private readonly series = new Map<string, Series>();

  inc(by: number, ...values: string[]): void {
    const key = values.length === 1 ? values[0]! : values.join('\u0001');
    const s = this.series.get(key);
    if (s !== undefined) s.value += by;
    else this.series.set(key, { labels: this.labelsOf(values), value: by });
  }

  get(): { name: string; help: string; type: string; aggregator: string; values: MetricValue[] } {
    const values: MetricValue[] = [];
    for (const s of this.series.values()) values.push({ labels: s.labels, value: s.value });
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    this.series.clear();
  }
}

/** A histogram with fixed buckets; `observe(value, ...labelValues)`. */
export class FastHistogram extends FastMetric {
  readonly type = 'histogram';
  private readonly series = new Map<string, HistSeries>();

  constructor(name: string, help: string, labelNames: readonly string[], readonly buckets: readonly number[], registry: Registry) {
    super(name, help, labelNames, registry);
  }

  observe(value: number, ...values: string[]): void {
    const key = values.length === 1 ? values[0]! : values.join('\u0001');
    let s = this.series.get(key);
    if (s === undefined) {
      s = { labels: this.labelsOf(values), buckets: new Float64Array(this.buckets.length), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    const b = this.buckets;
    for (let i = 0; i < b.length; i++) {
      if (value <= b[i]!) {
        s.buckets[i]!++;
        break;
      }
    }
    s.sum += value;
    s.count++;
  }

  get(): { name: string; help: string; type: string; aggregator: string; values: MetricValue[] } {
    const values: MetricValue[] = [];
    for (const s of this.series.values()) {
      let acc = 0;
      for (let i = 0; i < this.buckets.length; i++) {
        acc += s.buckets[i]!;
        values.push({ metricName: `${this.name}_bucket`, labels: { le: this.buckets[i]!, ...s.labels }, value: acc });
      }
      values.push({ metricName: `${this.name}_bucket`, labels: { le: '+Inf', ...s.labels }, value: s.count });
      values.push({ metricName: `${this.name}_sum`, labels: s.labels, value: s.sum });
      values.push({ metricName: `${this.name}_count`, labels: s.labels, value: s.count });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    this.series.clear();
  }
}
