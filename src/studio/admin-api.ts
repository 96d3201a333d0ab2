/** Admin HTTP API (fastify): health, groups, recent queries, history, savings. Studio UI and metrics build on it. */
import Fastify from 'fastify';
import type { Logger } from 'pino';
import type { RecentOutcomes } from '../core/outcome.js';
import type { Pipeline } from '../core/pipeline.js';
import type { Metrics } from '../metrics/registry.js';
import { newSession, type Protocol } from '../core/types.js';
import type { ClusterGroup } from '../dispatch/cluster-group.js';
import type { HistoryEntry } from '../history/record.js';
import { parseSince, type SavingsQuery } from '../history/report.js';
import type { SavingsReport } from '../history/savings.js';
import type { HistoryFilter } from '../history/store.js';
import { queryId } from '../core/query-id.js';

export interface AdminApiOptions {
  readonly host: string;
  readonly port: number;
  readonly groups: ReadonlyMap<string, ClusterGroup>;
  readonly recent: RecentOutcomes;
  readonly pipeline: Pipeline;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** Query history (GET /api/history, GET /api/savings); absent: those answer 503. */
  readonly history?: {
    list(filter: HistoryFilter): Promise<HistoryEntry[]>;
    savings(query: SavingsQuery): Promise<SavingsReport>;
    readonly engineGroups: ReadonlyMap<string, readonly string[]>;
    readonly groupNames: readonly string[];
  };
}

/** Start the admin API; resolves with the bound port. */
export async function startAdminApi(opts: AdminApiOptions): Promise<{ port: number; close(): Promise<void> }> {
  // Request logs at debug only: the admin API is polled (metrics, Studio) and would flood info logs.
  const app = Fastify({ loggerInstance: opts.logger.child({}, { level: opts.logger.isLevelEnabled('debug') ? 'debug' : 'warn' }) });
  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', opts.metrics.registry.contentType);
    return opts.metrics.registry.metrics();
  });
  app.get('/api/groups', async () =>
    [...opts.groups.values()].map((g) => ({
      name: g.name,
      ...g.load(),
      maxRunning: Number.isFinite(g.load().maxRunning) ? g.load().maxRunning : null,
      members: g.members.map((m) => ({ name: m.name, engine: m.engine.kind, running: m.running, healthy: m.healthy })),
    })),
  );
  app.get<{ Querystring: { limit?: string } }>('/api/queries/recent', async (req) => opts.recent.list(Math.min(1000, Number(req.query.limit ?? 100) || 100)));
  app.get<{ Querystring: { limit?: string; user?: string; status?: string; since?: string } }>('/api/history', async (req, reply) => {
    if (!opts.history) return reply.code(503).send({ error: 'query history is not enabled' });
    const q = req.query;
    let since: Date | undefined;
    try {
      since = q.since ? parseSince(q.since) : undefined;
    } catch (err) {
      return reply.code(400).send({ error: (err as Error).message });
    }
    return opts.history.list({ limit: Math.min(1000, Number(q.limit ?? 50) || 50), user: q.user || undefined, status: q.status || undefined, since });
  });
  app.get<{ Querystring: { since?: string; until?: string; baseline?: string; top?: string } }>('/api/savings', async (req, reply) => {
    const h = opts.history;
    if (!h) return reply.code(503).send({ error: 'query history is not enabled' });
    const q = req.query;
    if (q.baseline && !h.groupNames.includes(q.baseline) && !h.engineGroups.has(q.baseline)) {
      return reply.code(400).send({ error: `baseline "${q.baseline}" is neither a group (${h.groupNames.join(', ')}) nor an engine (${[...h.engineGroups.keys()].join(', ')})` });
    }
    let since: Date;
    let until: Date | undefined;
    try {
      since = parseSince(q.since ?? '24h');
      until = q.until ? parseSince(q.until) : undefined;
    } catch (err) {
      return reply.code(400).send({ error: (err as Error).message });
    }
    const top = Math.min(100, Math.max(1, Number(q.top ?? 10) || 10));
    return h.savings({ since, until, top, baseline: q.baseline ? { name: q.baseline, engineGroups: h.engineGroups } : undefined });
  });
  app.post<{ Body: { sql?: unknown; protocol?: unknown; user?: unknown; headers?: unknown; tags?: unknown } }>('/api/explain', async (req, reply) => {
    const b = req.body ?? {};
    if (typeof b.sql !== 'string' || b.sql.trim() === '') return reply.code(400).send({ error: 'body needs "sql": a non-empty string' });
    const protocol = (typeof b.protocol === 'string' ? b.protocol : 'postgres') as Protocol;
    if (!['postgres', 'mysql', 'trino-http', 'flight-sql'].includes(protocol)) return reply.code(400).send({ error: 'protocol must be postgres, mysql, trino-http or flight-sql' });
    const headers: Record<string, string> = {};
    if (b.headers && typeof b.headers === 'object') for (const [k, v] of Object.entries(b.headers)) headers[k.toLowerCase()] = String(v);
    const tags = Array.isArray(b.tags) ? b.tags.map(String) : [];
    return opts.pipeline.explain({ id: queryId(), sql: b.sql, protocol, user: typeof b.user === 'string' ? b.user : 'anonymous', headers, clientTags: tags, session: newSession(), receivedAt: Date.now() });
  });
  await app.listen({ host: opts.host, port: opts.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  return { port, close: () => app.close() };
}
