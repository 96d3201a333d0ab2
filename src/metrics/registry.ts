/** Prometheus metrics (prom-client), all prefixed `queryflux_`, served on the admin port at /metrics. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { FastCounter, FastHistogram } from './fast.js';
import type { OutcomeSink, QueryOutcome } from '../core/outcome.js';
import type { ClusterGroup } from '../dispatch/cluster-group.js';
import type { RouterChain } from '../routing/chain.js';
import { PolicyRouter } from '../routing/policy/router.js';

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/** The gateway's metrics; one instance per gateway (tests start several in one process). */
export class Metrics implements OutcomeSink {
  readonly registry = new Registry();
  // Per-query metrics are FastCounter/FastHistogram (src/metrics/fast.ts): ≈ 0.1 µs an update
  // instead of prom-client's ≈ 1.3 µs, on the path of every statement.
  readonly queries: FastCounter;
  readonly duration: FastHistogram;
  readonly queueDuration: FastHistogram;
  readonly queueRejections: FastCounter;
  readonly routeDecisions: FastCounter;
  readonly connections: Gauge<'protocol'>;
  readonly translations: FastCounter;
  readonly historyDropped: Counter<'reason'>;
  readonly historyRowsWritten: Counter;
  readonly historyWrite: Histogram;
  private readonly connectionSources = new Map<string, () => number>();
  private historyBuffered: () => number = () => 0;
  /** Hooks the history writer reports through (src/history/writer.ts HistoryObserver). */
  readonly historyObserver = {
    dropped: (rows: number, reason: string): void => this.historyDropped.inc({ reason }, rows),
    wrote: (rows: number, seconds: number): void => {
      this.historyRowsWritten.inc(rows);
      this.historyWrite.observe(seconds);
    },
  };

  constructor(groups: ReadonlyMap<string, ClusterGroup>, chain: RouterChain) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'queryflux_process_' });
    // prom-client names three gauges *_total, which Prometheus reserves for counters (promtool
    // rejects them); the same numbers stay available as active_handles/requests/resources.
    for (const kind of ['handles', 'requests', 'resources']) this.registry.removeSingleMetric(`queryflux_process_nodejs_active_${kind}_total`);
    const reg = this.registry;
    this.queries = new FastCounter('queryflux_queries_total', 'Queries finished, by outcome', ['protocol', 'group', 'cluster', 'engine', 'status'], reg);
    this.duration = new FastHistogram('queryflux_query_duration_seconds', 'Time from receipt to the last row', ['protocol', 'group', 'engine'], LATENCY_BUCKETS, reg);
    this.queueDuration = new FastHistogram('queryflux_queue_duration_seconds', 'Time spent waiting for capacity in a cluster group', ['group'], LATENCY_BUCKETS, reg);
    this.queueRejections = new FastCounter('queryflux_queue_rejections_total', 'Queries refused by a full queue or a queue timeout', ['group', 'reason'], reg);
    this.routeDecisions = new FastCounter('queryflux_route_decisions_total', 'Routing decisions, by deciding router and group', ['router', 'group'], reg);
    this.translations = new FastCounter('queryflux_translations_total', 'Statements run on an engine of another dialect than the client spoke', ['from', 'to'], reg);
    this.historyDropped = new Counter({ name: 'queryflux_history_dropped_total', help: 'History rows not written: buffer_full (database down or slow), rejected (refused by the database), shutdown', labelNames: ['reason'], registers });
    this.historyRowsWritten = new Counter({ name: 'queryflux_history_rows_written_total', help: 'History rows written to the database', registers });
    this.historyWrite = new Histogram({ name: 'queryflux_history_write_seconds', help: 'Time to write one batch of history rows', buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers });
    const historyBuffered = () => this.historyBuffered();
    new Gauge({
      name: 'queryflux_history_buffer_rows',
      help: 'History rows held in memory, waiting to be written',
      registers,
      collect() {
        this.set(historyBuffered());
      },
    });
    const connectionSources = this.connectionSources;
    this.connections = new Gauge({
      name: 'queryflux_client_connections',
      help: 'Open client connections',
      labelNames: ['protocol'],
      registers,
      collect() {
        for (const [protocol, count] of connectionSources) this.set({ protocol }, count());
      },
    });
    new Gauge({
      name: 'queryflux_running_queries',
      help: 'Queries running per cluster group',
      labelNames: ['group'],
      registers,
      collect() {
        for (const g of groups.values()) this.set({ group: g.name }, g.load().running);
      },
    });
    new Gauge({
      name: 'queryflux_queued_queries',
      help: 'Queries waiting for capacity per cluster group',
      labelNames: ['group'],
      registers,
      collect() {
        for (const g of groups.values()) this.set({ group: g.name }, g.load().queued);
      },
    });
    new Gauge({
      name: 'queryflux_cluster_healthy',
      help: '1 when the cluster is healthy',
      labelNames: ['group', 'cluster', 'engine'],
      registers,
      collect() {
        for (const g of groups.values()) for (const m of g.members) this.set({ group: g.name, cluster: m.name, engine: m.engine.kind }, m.healthy ? 1 : 0);
      },
    });
    new Gauge({
      name: 'queryflux_circuit_state',
      help: 'Circuit breaker per cluster: 0 closed, 1 half-open, 2 open',
      labelNames: ['group', 'cluster'],
      registers,
      collect() {
        for (const g of groups.values()) for (const m of g.members) if (m.breaker) this.set({ group: g.name, cluster: m.name }, { closed: 0, 'half-open': 1, open: 2 }[m.breaker.current]);
      },
    });
    const policies = chain.routers.filter((r): r is PolicyRouter => r instanceof PolicyRouter);
    new Gauge({
      name: 'queryflux_policy_reload_failures',
      help: 'Policy reloads that failed (the previous policy stayed in force)',
      labelNames: ['router'],
      registers,
      collect() {
        for (const p of policies) this.set({ router: p.rule }, p.stats.reloadFailures);
      },
    });
    new Gauge({
      name: 'queryflux_policy_eval_errors',
      help: 'Policy evaluations that raised an error',
      labelNames: ['router'],
      registers,
      collect() {
        for (const p of policies) this.set({ router: p.rule }, p.stats.evalErrors);
      },
    });
    new Gauge({
      name: 'queryflux_policy_memo_hits',
      help: 'Policy decisions answered from memory (a deterministic policy, the same projected input as an earlier query)',
      labelNames: ['router'],
      registers,
      collect() {
        for (const p of policies) this.set({ router: p.rule }, p.stats.memoHits);
      },
    });
  }

  /** Report a frontend's open connections (read at scrape time). */
  trackConnections(protocol: string, count: () => number): void {
    this.connectionSources.set(protocol, count);
  }

  /** Report the history writer's buffered rows (read at scrape time). */
  trackHistory(buffered: () => number): void {
    this.historyBuffered = buffered;
  }

  /** Outcome sink: counters and histograms once a query is done (never before its last row). */
  record(o: QueryOutcome): void {
    const group = o.group ?? '';
    const engine = o.engine ?? '';
    this.queries.inc(1, o.protocol, group, o.cluster ?? '', engine, o.status);
    if (o.rule !== undefined) this.routeDecisions.inc(1, o.rule, group);
    if (o.translatedFrom !== undefined && o.translatedTo !== undefined && o.translatedFrom !== o.translatedTo) this.translations.inc(1, o.translatedFrom, o.translatedTo);
    if (o.status === 'ok') this.duration.observe(o.durationMs / 1000, o.protocol, group, engine);
    if (o.group !== undefined && o.cluster !== undefined) this.queueDuration.observe(o.queuedMs / 1000, group);
    if (o.errorCode === 'QF_QUEUE_FULL' || o.errorCode === 'QF_QUEUE_TIMEOUT') this.queueRejections.inc(1, group, o.errorCode === 'QF_QUEUE_FULL' ? 'full' : 'timeout');
  }
}
