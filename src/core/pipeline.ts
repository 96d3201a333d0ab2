/**
 * The one place the stages meet: analyze → estimate → route → admit → translate → execute → record.
 * Frontends call it through the Gateway interface; nothing here knows about wire protocols.
 */
import { analyze, confirmedSyntaxError } from '../analysis/analyzer.js';
import type { Analysis } from '../analysis/types.js';
import type { CostModel, Priced } from '../cost/model.js';
import type { CostEstimate } from '../cost/types.js';
import type { ClusterGroup, Lease } from '../dispatch/cluster-group.js';
import type { Engine, StatementDescription } from '../engines/engine.js';
import type { RouterChain } from '../routing/chain.js';
import { explainRoute, type Explanation } from '../routing/explain.js';
import type { Decision, GroupLoad, RoutingInput } from '../routing/types.js';
import { postgresColumnNames } from '../translate/column-names.js';
import type { Translator } from '../translate/translator.js';
import { qfError, toQueryFluxError } from './errors.js';
import type { DescribeRequest, Gateway } from './gateway.js';
import type { OutcomeSink, QueryOutcome } from './outcome.js';
import { PROTOCOL_DIALECT } from './dialects.js';
import type { Column, Dialect, PgDataRows, QueryRequest, ResultStream, Row, SessionState, StatementSummary } from './types.js';

export { PROTOCOL_DIALECT };

/** Estimates per candidate group; the cost model's issue provides a real one. */
export type Estimator = (analysis: Analysis, groups: readonly string[]) => Readonly<Record<string, CostEstimate>>;

export interface PipelineOptions {
  readonly chain: RouterChain;
  readonly groups: ReadonlyMap<string, ClusterGroup>;
  readonly translator: Translator;
  readonly sinks: readonly OutcomeSink[];
  readonly estimator?: Estimator;
  /** Prices outcomes and learns from them (src/cost); its `estimate` is the default estimator. */
  readonly cost?: CostModel;
  readonly translationEnabled?: boolean;
  /** Auth groups of a user, for routers that match on them. */
  readonly userGroups?: (user: string) => readonly string[];
}

const NO_ESTIMATES: Readonly<Record<string, CostEstimate>> = Object.freeze({});
/** Renamed columns per engine column list (engines reuse the list for a repeated statement). */
const RENAMED = new WeakMap<readonly Column[], { names: readonly (string | undefined)[]; columns: readonly Column[] }>();
const NO_GROUPS: readonly string[] = Object.freeze([]);
const TX_BEGIN = new Set(['BEGIN', 'START']);
const TX_END = new Set(['COMMIT', 'END', 'ROLLBACK', 'ABORT']);

/** What is known about a statement so far; filled as it passes the stages (for outcomes). */
type Trace = { -readonly [K in keyof Admitted]?: Admitted[K] };

/** A routed and admitted statement, ready to run. */
interface Admitted {
  readonly analysis: Analysis;
  readonly estimates: Readonly<Record<string, CostEstimate>>;
  readonly decision: Decision;
  readonly lease: Lease;
  readonly sql: string;
  readonly from: Dialect;
}

export class Pipeline implements Gateway {
  /** Statements admitted and not yet finished (drain waits for this to reach 0). */
  private inflight = 0;
  private idleWaiters: (() => void)[] = [];
  private readonly groupNames: readonly string[];
  private readonly groupOfCluster = new Map<string, ClusterGroup>();

  private readonly estimator: Estimator | undefined;

  constructor(private readonly opts: PipelineOptions) {
    this.groupNames = [...opts.groups.keys()];
    this.estimator = opts.estimator ?? opts.cost?.estimate;
    for (const g of opts.groups.values()) for (const m of g.members) this.groupOfCluster.set(m.name, g);
  }

  private readonly groupLoad = (name: string): GroupLoad | undefined => this.opts.groups.get(name)?.load();

  /** Route one request (no admission); exposed for explain. */
  route(req: QueryRequest, analysis: Analysis = analyze(req.sql, PROTOCOL_DIALECT[req.protocol]), estimates = this.estimate(analysis)): Decision {
    const userGroups = this.opts.userGroups ? this.opts.userGroups(req.user) : NO_GROUPS;
    const input: RoutingInput = { request: req, userGroups, analysis, estimates, groupNames: this.groupNames, groupLoad: this.groupLoad };
    return this.opts.chain.route(input);
  }

  /** Every router's verdict for a request, with live group load; nothing is executed. */
  explain(req: QueryRequest): Explanation {
    const analysis = analyze(req.sql, PROTOCOL_DIALECT[req.protocol]);
    const estimates = this.estimate(analysis);
    const userGroups = this.opts.userGroups ? this.opts.userGroups(req.user) : NO_GROUPS;
    return explainRoute(this.opts.chain, req, { groupNames: this.groupNames, groupLoad: this.groupLoad, userGroups, estimates, analysis });
  }

  /** Cost estimates of a statement on every group (none without a cost model; utility statements cost nothing to price). */
  private estimate(analysis: Analysis): Readonly<Record<string, CostEstimate>> {
    const est = this.estimator;
    return est === undefined || analysis.depth !== 'ast' ? NO_ESTIMATES : est(analysis, this.groupNames);
  }

  /** Route a request (or follow its transaction pin) to a group. Throws on denial or unknown group. */
  private resolve(req: QueryRequest, analysis: Analysis, estimates: Readonly<Record<string, CostEstimate>>): { decision: Decision; group: ClusterGroup } {
    const pinned = req.session.pinnedCluster;
    const pinnedGroup = pinned === undefined ? undefined : this.groupOfCluster.get(pinned);
    if (pinnedGroup !== undefined) {
      return { decision: { group: pinnedGroup.name, rule: 'transaction', reason: `session pinned to ${pinned} by an open transaction` }, group: pinnedGroup };
    }
    const decision = this.route(req, analysis, estimates);
    if (decision.deny !== undefined) throw Object.assign(qfError('QF_ROUTE_DENIED', { detail: decision.deny }), { decision });
    const group = this.opts.groups.get(decision.group);
    if (group === undefined) throw Object.assign(qfError('QF_NO_ROUTE', { detail: `router ${decision.rule} chose unknown group "${decision.group}"` }), { decision });
    return { decision, group };
  }

  /** Route, wait for capacity, translate. On failure nothing is held. */
  private async admit(req: QueryRequest, signal: AbortSignal | undefined, trace: Trace): Promise<Admitted> {
    const analysis = analyze(req.sql, PROTOCOL_DIALECT[req.protocol]);
    trace.analysis = analysis;
    const estimates = req.session.pinnedCluster === undefined ? this.estimate(analysis) : NO_ESTIMATES;
    trace.estimates = estimates;
    let decision: Decision;
    let group: ClusterGroup;
    try {
      ({ decision, group } = this.resolve(req, analysis, estimates));
    } catch (err) {
      trace.decision = (err as { decision?: Decision }).decision;
      throw err;
    }
    trace.decision = decision;
    let lease: Lease;
    try {
      lease = await group.acquire(signal, { only: req.session.pinnedCluster, priority: decision.priority, onQueued: req.onQueued });
    } catch (err) {
      // A full group (or a wait that timed out) spills once to its overflow group, if any.
      const code = (err as { code?: string }).code;
      const overflow = group.overflowGroup === undefined ? undefined : this.opts.groups.get(group.overflowGroup);
      if (overflow === undefined || req.session.pinnedCluster !== undefined || (code !== 'QF_QUEUE_FULL' && code !== 'QF_QUEUE_TIMEOUT')) throw err;
      decision = { ...decision, group: overflow.name, reason: `${decision.reason}; ${group.name} ${code === 'QF_QUEUE_FULL' ? 'queue full' : 'wait timed out'}, overflow → ${overflow.name}` };
      trace.decision = decision;
      lease = await overflow.acquire(signal, { priority: decision.priority, onQueued: req.onQueued });
    }
    const from = PROTOCOL_DIALECT[req.protocol];
    let sql = req.sql;
    if (this.opts.translationEnabled !== false) {
      try {
        const syntax = confirmedSyntaxError(req.sql, analysis, lease.member.engine.dialect, from);
        if (syntax !== undefined) throw qfError('QF_SYNTAX_ERROR', { detail: syntax.position ? `${syntax.message} at character ${syntax.position}` : syntax.message }, { position: syntax.position });
        sql = this.opts.translator.translate(req.sql, from, lease.member.engine.dialect);
      } catch (err) {
        lease.release();
        throw err;
      }
    }
    return { analysis, estimates, decision, lease, sql, from };
  }

  async execute(req: QueryRequest, signal?: AbortSignal): Promise<ResultStream> {
    const startedAt = performance.now();
    const trace: Trace = {};
    let admitted: Admitted;
    try {
      admitted = await this.admit(req, signal, trace);
    } catch (err) {
      const e = toQueryFluxError(err);
      this.record(req, trace, e.code === 'QF_ROUTE_DENIED' ? 'denied' : e.code === 'QF_QUERY_CANCELED' ? 'canceled' : 'error', e.code, startedAt, 0);
      throw e;
    }
    let { lease } = admitted;
    const { analysis } = admitted;
    let inner: ResultStream;
    this.inflight++;
    const tried = new Set<string>();
    for (;;) {
      const engine = lease.member.engine;
      try {
        inner = await engine.execute({ sql: admitted.sql, params: req.params, session: req.session, user: req.user, database: req.database, id: req.id }, signal);
        break;
      } catch (err) {
        const e = toQueryFluxError(err);
        const unavailable = e.code === 'QF_ENGINE_UNAVAILABLE';
        lease.release(unavailable);
        tried.add(lease.member.name);
        // No row has reached the client yet: a read-only statement outside a transaction may
        // run on another member of the same group (once per member). Writes never are retried.
        const group = this.opts.groups.get(admitted.decision.group);
        if (unavailable && analysis.readOnly && req.session.pinnedCluster === undefined && group?.hasAlternative(tried)) {
          try {
            lease = await group.acquire(signal, { exclude: tried, priority: admitted.decision.priority });
            admitted = { ...admitted, lease, decision: { ...admitted.decision, reason: `${admitted.decision.reason}; retried after ${[...tried].join(', ')} was unavailable` } };
            continue;
          } catch {
            /* no capacity elsewhere: report the original error */
          }
        }
        this.done();
        this.record(req, admitted, e.code === 'QF_QUERY_CANCELED' ? 'canceled' : 'error', e.code, startedAt, 0);
        throw e;
      }
    }
    this.trackTransaction(req.session, analysis.verb, lease.member.name);
    const finalLease = lease;
    const finalAdmitted = admitted;
    const columns = this.clientColumns(req.sql, admitted.from, lease.member.engine.dialect, inner.columns);
    return new AdmittedStream(inner, columns, (status, errorCode, rows) => {
      finalLease.release(errorCode === 'QF_ENGINE_UNAVAILABLE');
      // Pricing, calibration, metrics and history run after the client's answer is written (the
      // frontend writes it in this same turn): they are off the statement's latency. The statement
      // counts as in flight until it is recorded, so a drain never loses its history row.
      this.deferRecord(req, finalAdmitted, status, errorCode, startedAt, rows, performance.now() - startedAt);
    });
  }

  async describe(req: DescribeRequest, signal?: AbortSignal): Promise<StatementDescription> {
    const admitted = await this.admit(req, signal, {});
    try {
      const d = await admitted.lease.member.engine.describe({ sql: admitted.sql, paramTypes: req.paramTypes, session: req.session, user: req.user, database: req.database, id: req.id }, signal);
      const columns = this.clientColumns(req.sql, admitted.from, admitted.lease.member.engine.dialect, d.columns);
      return columns === d.columns ? d : { ...d, columns };
    } finally {
      admitted.lease.release();
    }
  }

  /**
   * Result columns named as the client's dialect names them, when the statement ran on an engine
   * of another dialect (a PostgreSQL client gets `count`, not DuckDB's `count_star()`).
   */
  private clientColumns(sql: string, from: Dialect, to: Dialect, columns: readonly Column[]): readonly Column[] {
    if (from === to || from !== 'postgres' || columns.length === 0 || this.opts.translationEnabled === false) return columns;
    const names = postgresColumnNames(sql);
    if (names === undefined || names.length !== columns.length) return columns;
    const seen = RENAMED.get(columns);
    if (seen !== undefined && seen.names === names) return seen.columns;
    let out: Column[] | undefined;
    for (let i = 0; i < columns.length; i++) {
      const name = names[i];
      if (name === undefined || name === columns[i]!.name) continue;
      out ??= [...columns];
      out[i] = { ...columns[i]!, name };
    }
    const result = out ?? columns;
    RENAMED.set(columns, { names, columns: result });
    return result;
  }

  private done(): void {
    if (--this.inflight === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  /** Resolves when no statement is running, or after `timeoutMs` (true when idle). */
  waitIdle(timeoutMs: number): Promise<boolean> {
    if (this.inflight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Statements running right now. */
  get running(): number {
    return this.inflight;
  }

  async endSession(session: SessionState): Promise<void> {
    session.pinnedCluster = undefined;
    const engines = new Set<Engine>();
    for (const g of this.opts.groups.values()) for (const m of g.members) engines.add(m.engine);
    await Promise.all([...engines].map((e) => e.endSession?.(session).catch(() => undefined)));
  }

  /** Pin a session to the cluster that opened its transaction, unpin when it ends. */
  private trackTransaction(session: SessionState, verb: string, cluster: string): void {
    if (TX_BEGIN.has(verb)) session.pinnedCluster = cluster;
    else if (TX_END.has(verb)) session.pinnedCluster = undefined;
  }

  private pendingRecords: Parameters<Pipeline['record']>[] = [];
  private readonly flushRecords = (): void => {
    const list = this.pendingRecords;
    this.pendingRecords = [];
    for (const r of list) {
      try {
        this.record(...r);
      } catch {
        // Sinks never throw by contract; if one does, the other statements are still recorded.
      }
      this.done();
    }
  };

  /** record() at the next turn of the event loop (one setImmediate for every statement finishing in this one). */
  private deferRecord(...args: Parameters<Pipeline['record']>): void {
    if (this.pendingRecords.push(args) === 1) setImmediate(this.flushRecords);
  }

  private record(req: QueryRequest, a: Trace, status: QueryOutcome['status'], errorCode: string | undefined, startedAt: number, rows: number, durationMs = performance.now() - startedAt): void {
    if (this.opts.sinks.length === 0 && this.opts.cost === undefined) return;
    const member = a.lease?.member;
    const cost = this.opts.cost;
    let priced: Priced | undefined;
    if (cost !== undefined && member !== undefined) {
      const observed = { group: a.decision?.group, cluster: member.name, status, durationMs, queuedMs: a.lease?.queuedMs ?? 0 };
      priced = cost.price(observed, a.estimates, a.analysis);
      if (a.analysis !== undefined) cost.observe(observed, a.analysis);
    }
    const outcome: QueryOutcome = {
      id: req.id,
      protocol: req.protocol,
      user: req.user,
      sql: req.sql,
      fingerprint: a.analysis?.fingerprint ?? '',
      group: a.decision?.group || undefined,
      cluster: member?.name,
      engine: member?.engine.kind,
      rule: a.decision?.rule,
      reason: a.decision?.reason,
      translatedFrom: a.from,
      translatedTo: member?.engine.dialect,
      status,
      errorCode,
      receivedAt: req.receivedAt,
      queuedMs: a.lease?.queuedMs ?? 0,
      durationMs,
      rows,
      database: req.database,
      clientTags: req.clientTags,
      tables: a.analysis?.tables ?? NO_GROUPS,
      kind: a.analysis?.kind,
      estimates: a.estimates === NO_ESTIMATES ? undefined : a.estimates,
      costUsd: priced?.costUsd,
      baselineUsd: priced?.baselineUsd,
      baselineGroup: priced?.baselineGroup,
    };
    for (const s of this.opts.sinks) s.record(outcome);
  }
}

type Finish = (status: QueryOutcome['status'], errorCode: string | undefined, rows: number) => void;

/** Wraps an engine stream so that draining, failing or closing it releases the lease once. */
class AdmittedStream implements ResultStream {
  private finished = false;
  private rows = 0;
  readonly pgDataRows: (() => AsyncIterable<PgDataRows>) | undefined;

  constructor(
    private readonly inner: ResultStream,
    readonly columns: readonly Column[],
    private readonly onFinish: Finish,
  ) {
    const raw = inner.pgDataRows;
    this.pgDataRows = raw === undefined ? undefined : () => this.track(raw.call(inner), (b) => b.rows);
  }

  private finish(status: QueryOutcome['status'], errorCode?: string): void {
    if (this.finished) return;
    this.finished = true;
    this.onFinish(status, errorCode, this.rows);
  }

  batches(): AsyncIterable<Row[]> {
    return this.track(this.inner.batches(), (b) => b.length);
  }

  /**
   * Count rows and finish once, around an engine iterator. A plain iterator object rather than an
   * async generator: a generator adds its own promise queue to every batch.
   */
  private track<T>(source: AsyncIterable<T>, count: (batch: T) => number): AsyncIterable<T> {
    const it = source[Symbol.asyncIterator]();
    let over = false;
    const fail = (err: unknown): never => {
      over = true;
      const e = toQueryFluxError(err);
      this.finish(e.code === 'QF_QUERY_CANCELED' ? 'canceled' : 'error', e.code);
      throw e;
    };
    const iterator: AsyncIterator<T> = {
      next: () => {
        if (over) return Promise.resolve({ value: undefined, done: true } as IteratorResult<T>);
        return it.next().then((r) => {
          if (r.done === true) {
            over = true;
            this.finish('ok');
          } else this.rows += count(r.value);
          return r;
        }, fail);
      },
      // Stopping early is a normal end for the client (e.g. a portal row limit then Close).
      return: async () => {
        if (!over) {
          over = true;
          await (it.return?.() ?? this.inner.close()).catch(() => undefined);
          this.finish('ok');
        }
        return { value: undefined, done: true } as IteratorResult<T>;
      },
    };
    return { [Symbol.asyncIterator]: () => iterator };
  }

  summary(): StatementSummary {
    return this.inner.summary();
  }

  async close(): Promise<void> {
    try {
      await this.inner.close();
    } finally {
      this.finish('ok');
    }
  }
}
