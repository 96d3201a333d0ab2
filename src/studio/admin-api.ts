/** Admin HTTP API (fastify): health, groups, recent queries. Studio UI and metrics build on it. */
import Fastify from 'fastify';
import type { Logger } from 'pino';
import type { RecentOutcomes } from '../core/outcome.js';
import type { ClusterGroup } from '../dispatch/cluster-group.js';

export interface AdminApiOptions {
  readonly host: string;
  readonly port: number;
  readonly groups: ReadonlyMap<string, ClusterGroup>;
  readonly recent: RecentOutcomes;
  readonly logger: Logger;
}

/** Start the admin API; resolves with the bound port. */
export async function startAdminApi(opts: AdminApiOptions): Promise<{ port: number; close(): Promise<void> }> {
  const app = Fastify({ loggerInstance: opts.logger, disableRequestLogging: true });
  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/api/groups', async () =>
    [...opts.groups.values()].map((g) => ({
      name: g.name,
      ...g.load(),
      maxRunning: Number.isFinite(g.load().maxRunning) ? g.load().maxRunning : null,
      members: g.members.map((m) => ({ name: m.name, engine: m.engine.kind, running: m.running, healthy: m.healthy })),
    })),
  );
  app.get<{ Querystring: { limit?: string } }>('/api/queries/recent', async (req) => opts.recent.list(Math.min(1000, Number(req.query.limit ?? 100) || 100)));
  await app.listen({ host: opts.host, port: opts.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  return { port, close: () => app.close() };
}
