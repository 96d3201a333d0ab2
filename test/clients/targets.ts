/**
 * The servers the real client programs run against. `clientTargets()` is the one place to add a
 * target: every client test (pg-clients, psql-pgbench) runs its checks against each of them.
 *
 * - `postgres`: a real PostgreSQL 15, user `qf` with a SCRAM-SHA-256 password (proves that the
 *   client programs and their expectations are right);
 * - `gateway-postgres`: the QueryFlux gateway (in this process) in front of a real PostgreSQL;
 * - `gateway-duckdb`: the gateway in front of DuckDB.
 * Each has the table `orders` from fixtures/orders.sql (1500 rows, primary key o_orderkey).
 *
 * QF_CLIENT_TARGETS=postgres,gateway-duckdb picks a subset by id (for debugging; default all).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunningGateway } from '../../src/server.js';
import { runPsql, type Endpoint } from '../support/clients.js';
import { startTestGateway } from '../support/gateway.js';
import { startPostgres, type PostgresServer } from '../support/postgres-server.js';

export const FIXTURE_SQL = fileURLToPath(new URL('./fixtures/orders.sql', import.meta.url));
export const FIXTURE_TABLE = 'orders';
export const FIXTURE_ROWS = 1500;

export type TargetId = 'postgres' | 'gateway-postgres' | 'gateway-duckdb';

export interface ClientTarget {
  readonly id: TargetId;
  readonly name: string;
  /** The engine that answers behind the target. */
  readonly backend: 'postgres' | 'duckdb';
  /** Start what the target needs (idempotent); resolves once clients can connect. */
  start(): Promise<void>;
  /** Where clients connect, with user, password and database (valid after start()). */
  endpoint(): Endpoint;
  /**
   * The real PostgreSQL behind the target, where `pgbench -i` may create its tables; undefined when
   * the backend is not PostgreSQL (pgbench then runs only a custom script on `orders`).
   */
  pgbenchInit(): Endpoint | undefined;
  /**
   * Checks known to fail on this target, `client.check` → reason. They run as expected failures
   * (it.fails), so each stays visible in the output and a fix turns into a failure to remove here.
   */
  readonly knownGaps: Readonly<Record<string, string>>;
  /**
   * Checks not run on this target at all, `client.check` → reason: only for a gap whose failure
   * harms the rest of the run (an unhandled error in the gateway fails the whole vitest run). Each
   * shows as a skipped test named with its reason, and counts in the summary's "skipped".
   */
  readonly notRun: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

const QF_USER = 'qf';
const QF_PASSWORD = 'qf';
const QF_DB = 'qf';

/** A real PostgreSQL with user/database `qf`, SCRAM-SHA-256 over TCP for `qf`, and the fixture table. */
async function startFixturePostgres(): Promise<PostgresServer> {
  const pg = await startPostgres({ password_encryption: 'scram-sha-256' });
  try {
    const admin: Endpoint = { host: pg.host, port: pg.port, user: 'postgres', password: '', database: 'postgres' };
    await runPsql(admin, [`CREATE USER ${QF_USER} PASSWORD '${QF_PASSWORD}'`, `CREATE DATABASE ${QF_DB} OWNER ${QF_USER}`]);
    // initdb -A trust wrote "trust" lines; the first matching line wins, so put SCRAM for qf first.
    const hba = join(pg.dir, 'data', 'pg_hba.conf');
    writeFileSync(hba, `host all ${QF_USER} 127.0.0.1/32 scram-sha-256\nhost all ${QF_USER} ::1/128 scram-sha-256\n` + readFileSync(hba, 'utf8'));
    await runPsql(admin, ['SELECT pg_reload_conf()']);
    await runPsql({ ...admin, user: QF_USER, password: QF_PASSWORD, database: QF_DB }, [], ['-q', '-f', FIXTURE_SQL]);
    return pg;
  } catch (err) {
    await pg.stop();
    throw err;
  }
}

function gatewayYaml(group: string): string {
  return `
queryflux:
  frontends: { postgresWire: { host: 127.0.0.1, port: 0 } }
  adminApi: { enabled: false }
${group}
routers: [{ type: protocolBased, postgresWire: backend }]
routingFallback: backend
auth:
  postgresMethod: scram-sha-256
  users: [{ username: ${QF_USER}, password: ${QF_PASSWORD} }]
`;
}

/** Lazily started, idempotent resource. */
function once<T>(startFn: () => Promise<T>): { get(): Promise<T>; value(): T; stop(fn: (v: T) => Promise<void>): Promise<void> } {
  let p: Promise<T> | undefined;
  let v: T | undefined;
  return {
    get: () => (p ??= startFn().then((x) => (v = x))),
    value: () => {
      if (v === undefined) throw new Error('target not started (call start() in beforeAll)');
      return v;
    },
    async stop(fn) {
      const cur = p;
      p = undefined;
      v = undefined;
      if (cur) await fn(await cur);
    },
  };
}

function directPostgres(): ClientTarget {
  const pg = once(startFixturePostgres);
  return {
    id: 'postgres',
    name: 'PostgreSQL 15 (direct)',
    backend: 'postgres',
    start: async () => void (await pg.get()),
    endpoint: () => ({ host: pg.value().host, port: pg.value().port, user: QF_USER, password: QF_PASSWORD, database: QF_DB }),
    pgbenchInit: () => ({ host: pg.value().host, port: pg.value().port, user: QF_USER, password: QF_PASSWORD, database: QF_DB }),
    knownGaps: {},
    notRun: {},
    stop: () => pg.stop((s) => s.stop()),
  };
}

function gatewayPostgres(): ClientTarget {
  const res = once(async () => {
    const pg = await startFixturePostgres();
    try {
      const gw = await startTestGateway(
        gatewayYaml(`clusterGroups:
  backend: { engine: postgres, clusters: [{ name: pg-1, endpoint: "postgres://${QF_USER}:${QF_PASSWORD}@${pg.host}:${pg.port}/${QF_DB}", poolSize: 20 }] }`),
      );
      return { pg, gw };
    } catch (err) {
      await pg.stop();
      throw err;
    }
  });
  return {
    id: 'gateway-postgres',
    name: 'QueryFlux gateway → PostgreSQL',
    backend: 'postgres',
    start: async () => void (await res.get()),
    endpoint: () => gatewayEndpoint(res.value().gw),
    pgbenchInit: () => ({ host: res.value().pg.host, port: res.value().pg.port, user: QF_USER, password: QF_PASSWORD, database: QF_DB }),
    knownGaps: {},
    notRun: {},
    stop: () =>
      res.stop(async ({ pg, gw }) => {
        try {
          await gw.close();
        } finally {
          await pg.stop();
        }
      }),
  };
}

function gatewayDuckDb(): ClientTarget {
  const res = once(() =>
    startTestGateway(
      gatewayYaml(`clusterGroups:
  backend: { engine: duckDb, clusters: [{ name: duck-1, databasePath: ":memory:", initSql: ["${FIXTURE_SQL}"] }] }`),
    ),
  );
  return {
    id: 'gateway-duckdb',
    name: 'QueryFlux gateway → DuckDB',
    backend: 'duckdb',
    start: async () => void (await res.get()),
    endpoint: () => gatewayEndpoint(res.value()),
    pgbenchInit: () => undefined,
    knownGaps: {},
    notRun: {},
    stop: () => res.stop((gw) => gw.close()),
  };
}

function gatewayEndpoint(gw: RunningGateway): Endpoint {
  const port = gw.ports.postgres;
  if (port === undefined) throw new Error('gateway started without a PostgreSQL wire frontend');
  return { host: '127.0.0.1', port, user: QF_USER, password: QF_PASSWORD, database: QF_DB };
}

/** The targets every client test runs against (see the file comment). */
export function clientTargets(): ClientTarget[] {
  const all = [directPostgres(), gatewayPostgres(), gatewayDuckDb()];
  const pick = process.env.QF_CLIENT_TARGETS?.split(',').map((s) => s.trim()).filter(Boolean);
  if (!pick?.length) return all;
  const unknown = pick.filter((p) => !all.some((t) => t.id === p));
  if (unknown.length) throw new Error(`QF_CLIENT_TARGETS: unknown target(s) ${unknown.join(', ')}; known: ${all.map((t) => t.id).join(', ')}`);
  return all.filter((t) => pick.includes(t.id));
}
