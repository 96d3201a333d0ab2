/** Engine kind → adapter. Adding an engine = a folder under src/engines plus one line here. */
import type { Logger } from 'pino';
import type { ResolvedCluster } from '../config/load.js';
import type { EngineKind } from '../config/schema.js';
import type { Engine } from './engine.js';

const FACTORIES: Record<EngineKind, (cluster: ResolvedCluster, logger: Logger) => Promise<Engine>> = {
  duckdb: async (c, l) => (await import('./duckdb/adapter.js')).DuckDbEngine.create(c, l),
  postgres: async (c, l) => (await import('./postgres/adapter.js')).PostgresEngine.create(c, l),
};

/** Create and connect the engine for one configured cluster. */
export async function createEngine(cluster: ResolvedCluster, logger: Logger): Promise<Engine> {
  return FACTORIES[cluster.engine](cluster, logger);
}
