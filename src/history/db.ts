/**
 * Opens the history database through Prisma driver adapters: SQLite (better-sqlite3, WAL) by
 * default, an in-memory SQLite for `inMemory`, PostgreSQL (pg) by config. Both clients are
 * generated from prisma/schema.prisma (prisma/generate.mjs) and expose the same model API.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import type { QueryFluxConfig } from '../config/schema.js';
import { PrismaClient as PostgresClient } from './generated/postgres/client.js';
import { PrismaClient as SqliteClient } from './generated/sqlite/client.js';

export type PersistenceConfig = QueryFluxConfig['queryflux']['persistence'];
export type HistoryProvider = 'sqlite' | 'postgres';

/** The model API both generated clients share (typed after the SQLite one). */
export type HistoryPrisma = InstanceType<typeof SqliteClient>;

/** An open history database. */
export interface HistoryDb {
  readonly provider: HistoryProvider;
  readonly prisma: HistoryPrisma;
  /** Where the data lives, for logs: a path or host:port/database, never credentials. */
  readonly location: string;
  /** The SQLite file (absent for PostgreSQL and in-memory SQLite), for the direct batch writer. */
  readonly sqliteFile?: string;
  /** How long SQLite waits for another process's write lock. */
  readonly busyTimeoutMs?: number;
  close(): Promise<void>;
}

/** How long a PostgreSQL connection attempt may take before a write counts as failed. */
const PG_CONNECT_TIMEOUT_MS = 5000;
/**
 * SQLite: how long to wait for another process's write lock (the CLI, a second gateway on the
 * same file). better-sqlite3 waits synchronously, so the gateway keeps this short (its writer
 * retries later); the CLI can afford to wait.
 */
const SQLITE_BUSY_TIMEOUT_MS = 5000;

/** Open (lazily connect) the configured history database. Relative SQLite paths resolve from the working directory. */
export async function openHistoryDb(cfg: PersistenceConfig, opts: { busyTimeoutMs?: number } = {}): Promise<HistoryDb> {
  if (cfg.type === 'postgres') {
    const pool = postgresPoolConfig(cfg);
    const prisma = new PostgresClient({ adapter: new PrismaPg(pool) }) as unknown as HistoryPrisma;
    const location = `postgres://${pool.host ?? 'localhost'}:${pool.port ?? 5432}/${pool.database ?? ''}`;
    return { provider: 'postgres', prisma, location, close: () => prisma.$disconnect() };
  }
  const file = cfg.type === 'inMemory' ? ':memory:' : resolve(cfg.path);
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const busyTimeoutMs = opts.busyTimeoutMs ?? SQLITE_BUSY_TIMEOUT_MS;
  const prisma = new SqliteClient({ adapter: new PrismaBetterSqlite3({ url: file, timeout: busyTimeoutMs }) });
  if (file !== ':memory:') {
    // WAL: readers (reports, the admin API) never block the writer; NORMAL sync is durable
    // across process crashes, which is what a history needs.
    await prisma.$queryRawUnsafe('PRAGMA journal_mode = WAL');
    await prisma.$queryRawUnsafe('PRAGMA synchronous = NORMAL');
  }
  return { provider: 'sqlite', prisma, location: file, busyTimeoutMs, ...(file !== ':memory:' && { sqliteFile: file }), close: () => prisma.$disconnect() };
}

interface PoolConfig {
  connectionString?: string;
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  database?: string;
  connectionTimeoutMillis: number;
  max: number;
}

/** pg pool settings from `url` or host/port/user/password/database (explicit keys win over the URL's). */
function postgresPoolConfig(cfg: PersistenceConfig): PoolConfig {
  const out: PoolConfig = { connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS, max: 4 };
  if (cfg.url !== undefined) {
    const u = new URL(cfg.url);
    out.host = decodeURIComponent(u.hostname) || undefined;
    out.port = u.port ? Number(u.port) : undefined;
    out.user = u.username ? decodeURIComponent(u.username) : undefined;
    out.password = u.password ? decodeURIComponent(u.password) : undefined;
    out.database = u.pathname.length > 1 ? decodeURIComponent(u.pathname.slice(1)) : undefined;
    const socketHost = u.searchParams.get('host');
    if (socketHost) out.host = socketHost;
  }
  if (cfg.host !== undefined) out.host = cfg.host;
  if (cfg.port !== undefined) out.port = cfg.port;
  if (cfg.user !== undefined) out.user = cfg.user;
  if (cfg.password !== undefined) out.password = cfg.password;
  if (cfg.database !== undefined) out.database = cfg.database;
  if (out.host === undefined && cfg.url === undefined) throw new Error('persistence.type postgres needs `url` or `host`');
  return out;
}

/** Error text safe for logs: credentials in URLs and password=... pairs are masked. */
export function safeErrorMessage(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg
    .replace(/(\w+:\/\/)[^@\s/]*@/g, '$1***@')
    .replace(/(password\s*[=:]\s*)('[^']*'|"[^"]*"|\S+)/gi, '$1***')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-3)
    .join(' | ')
    .slice(0, 500);
}
