/**
 * Gateway bootstrap: engines → cluster groups → router chain → pipeline → frontends + admin API.
 * One process serves every enabled frontend.
 */
import { readFileSync } from 'node:fs';
import { pino, type Logger } from 'pino';
import type { ResolvedConfig } from './config/load.js';
import { RecentOutcomes, type OutcomeSink } from './core/outcome.js';
import { Pipeline } from './core/pipeline.js';
import { UserStore } from './core/users.js';
import type { ClusterGroup, Member } from './dispatch/cluster-group.js';
import { CircuitBreaker } from './dispatch/circuit-breaker.js';
import { startHealthChecks } from './dispatch/health.js';
import { createGroup } from './dispatch/strategies.js';
import type { Engine } from './engines/engine.js';
import { createEngine } from './engines/registry.js';
import { startPostgresFrontend } from './frontends/postgres/server.js';
import { warmUpAnalysis } from './analysis/analyzer.js';
import { History } from './history/history.js';
import { engineGroups } from './history/savings.js';
import { startCostModel } from './cost/index.js';
import { CostMetrics } from './cost/metrics.js';
import { Metrics } from './metrics/registry.js';
import { buildRouterChain } from './routing/chain.js';
import { startAdminApi } from './studio/admin-api.js';
import { Translator } from './translate/translator.js';
import { registerDefaultFixups, prepareEngine } from './translate/fixups.js';

/** A running gateway. */
export interface RunningGateway {
  readonly ports: { postgres?: number; admin?: number };
  readonly pipeline: Pipeline;
  readonly recent: RecentOutcomes;
  readonly metrics: Metrics;
  readonly history: History;
  /** Re-read policies (SIGHUP). */
  reload(): Promise<void>;
  /**
   * Graceful shutdown (SIGTERM): stop accepting connections, let running statements finish for
   * up to `timeoutMs`, then end the remaining sessions (their statements are cancelled) and close.
   * Resolves with the number of statements that had to be cancelled.
   */
  drain(timeoutMs: number): Promise<number>;
  close(): Promise<void>;
}

export interface StartOptions {
  readonly logger?: Logger;
  readonly extraSinks?: readonly OutcomeSink[];
}

/** Start every configured engine, group and frontend. Ports 0 pick free ports. */
export async function startGateway(config: ResolvedConfig, opts: StartOptions = {}): Promise<RunningGateway> {
  const cfg = config.raw;
  const logger = opts.logger ?? pino({ level: cfg.queryflux.logLevel, base: { service: 'queryflux' } });
  const engines: Engine[] = [];
  const closers: (() => Promise<void>)[] = [];
  let closed: Promise<void> | undefined;
  const closeAll = () =>
    (closed ??= (async () => {
      for (const c of [...closers].reverse()) await c().catch((err: unknown) => logger.warn({ err }, 'error during shutdown'));
    })());
  try {
    const groups = new Map<string, ClusterGroup>();
    for (const g of config.groups.values()) {
      if (!g.enabled) continue;
      const strategy = typeof g.strategy === 'string' ? { type: g.strategy } : g.strategy;
      const members: Member[] = [];
      for (const c of g.members) {
        if (!c.enabled) continue;
        const engine = await createEngine(c, logger.child({ cluster: c.name }));
        engines.push(engine);
        closers.push(() => engine.close());
        await prepareEngine(engine);
        const cb = g.circuitBreaker;
        const breaker = cb
          ? new CircuitBreaker({ windowMs: cb.windowSecs * 1000, minRequests: cb.minRequests, failureRatio: cb.failureRatePercent / 100, initialBackoffMs: cb.initialBackoffSecs * 1000, maxBackoffMs: cb.maxBackoffSecs * 1000 })
          : undefined;
        members.push({ name: c.name, engine, maxRunning: c.maxRunningQueries ?? Number.POSITIVE_INFINITY, weight: strategy.weights?.[c.name] ?? c.weight ?? 1, running: 0, healthy: true, breaker });
      }
      const limits = {
        name: g.name,
        members,
        maxRunning: g.maxRunningQueries ?? Number.POSITIVE_INFINITY,
        maxQueued: g.maxQueuedQueries ?? 10_000,
        queueTimeoutMs: (g.capacityWaitTimeoutSecs ?? 300) * 1000,
        overflowGroup: g.overflowGroup,
      };
      groups.set(g.name, createGroup(strategy.type, limits, 'preference' in strategy ? (strategy.preference ?? []) : []));
      const hc = g.healthCheck;
      if (hc.enabled && members.length > 0) {
        const stop = startHealthChecks(g.name, members, { intervalMs: hc.intervalSecs * 1000, timeoutMs: hc.timeoutSecs * 1000, unhealthyThreshold: hc.unhealthyThreshold }, logger.child({ component: 'health' }));
        closers.push(async () => stop());
      }
    }
    await warmUpAnalysis(); // polyglot-sql's wasm loads once here, never on a query
    const translator = new Translator({ mode: cfg.translation.mode ?? (cfg.translation.errorOnUnsupported ? 'strict' : 'bestEffort') });
    registerDefaultFixups(translator);
    if (cfg.translation.enabled) await translator.warmUp();
    const recent = new RecentOutcomes(1000);
    const users = new UserStore(cfg.auth.users, cfg.auth.provider !== 'none' && cfg.auth.required);
    const chain = buildRouterChain(cfg.routers, cfg.routingFallback, logger.child({ component: 'routing' }));
    await chain.init();
    closers.push(async () => chain.close());
    const metrics = new Metrics(groups, chain);
    const cost = await startCostModel(config, groups, logger.child({ component: 'cost' }));
    if (cost !== undefined) closers.push(() => cost.close());
    const history = await History.start({ persistence: cfg.queryflux.persistence, retentionDays: cfg.queryflux.queryHistoryRetentionDays, logger: logger.child({ component: 'history' }), observer: metrics.historyObserver });
    // Closed last (closers run in reverse): after frontends, the pipeline and engines are done,
    // so statements cancelled while closing are recorded before the final flush.
    closers.unshift(() => history.close());
    metrics.trackHistory(() => history.writer.buffered);
    const pipeline = new Pipeline({
      chain,
      groups,
      translator,
      sinks: [recent, metrics, history, ...(cost ? [new CostMetrics(metrics.registry)] : []), ...(opts.extraSinks ?? [])],
      cost: cost?.model,
      translationEnabled: cfg.translation.enabled,
      userGroups: (user) => users.get(user)?.groups ?? [],
    });
    const ports: { postgres?: number; admin?: number } = {};
    const stopAccepting: (() => void)[] = [];

    const pgCfg = cfg.queryflux.frontends.postgresWire;
    if (pgCfg.enabled) {
      const fe = await startPostgresFrontend({
        host: pgCfg.host,
        port: pgCfg.port,
        tls: pgCfg.tls ? { cert: readFileSync(pgCfg.tls.certFile), key: readFileSync(pgCfg.tls.keyFile), required: pgCfg.tls.required } : undefined,
        gateway: pipeline,
        users,
        authMethod: cfg.auth.provider === 'none' ? 'trust' : cfg.auth.postgresMethod,
        logger: logger.child({ frontend: 'postgres' }),
        maxConnections: cfg.queryflux.maxConnections,
      });
      ports.postgres = fe.port;
      closers.push(() => fe.close());
      stopAccepting.push(() => fe.stopAccepting());
      metrics.trackConnections('postgres', () => fe.connections());
      logger.info({ port: fe.port }, 'PostgreSQL wire frontend listening');
    }
    for (const name of ['mysqlWire', 'trinoHttp', 'flightSql'] as const) {
      if (cfg.queryflux.frontends[name].enabled) logger.warn({ frontend: name }, 'frontend is enabled in config but not implemented yet; ignoring');
    }
    const admin = cfg.queryflux.adminApi;
    if (admin.enabled) {
      const api = await startAdminApi({ host: admin.host, port: admin.port, groups, recent, pipeline, metrics, logger: logger.child({ component: 'admin' }), history: { list: (f) => history.list(f), savings: (q) => history.savings(q), engineGroups: engineGroups(config), groupNames: [...groups.keys()] } });
      ports.admin = api.port;
      closers.push(() => api.close());
      logger.info({ port: api.port }, 'admin API listening');
    }
    const drain = async (timeoutMs: number): Promise<number> => {
      for (const stop of stopAccepting) stop();
      logger.info({ running: pipeline.running, timeoutMs }, 'draining: not accepting connections, waiting for running statements');
      const deadline = Date.now() + timeoutMs;
      let idle = await pipeline.waitIdle(timeoutMs);
      // A statement counts as done when its last row is read, a moment before the frontend has
      // written CommandComplete: give frontends a short beat to flush before ending sessions.
      while (idle) {
        await new Promise((r) => setTimeout(r, 25));
        if (pipeline.running === 0) break;
        idle = await pipeline.waitIdle(Math.max(0, deadline - Date.now()));
      }
      const cancelled = idle ? 0 : pipeline.running;
      if (!idle) logger.warn({ cancelled }, 'drain timeout: cancelling the statements still running');
      await closeAll();
      return cancelled;
    };
    return { ports, pipeline, recent, metrics, history, reload: () => chain.reload(), drain, close: closeAll };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
