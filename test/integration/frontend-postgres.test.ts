/**
 * PostgreSQL wire frontend through the real `pg` client, run by the shared frontend conformance
 * suite against: a real PostgreSQL directly (proves the suite), the gateway → DuckDB, and the
 * gateway → real PostgreSQL.
 */
import pg from 'pg';
import { frontendConformance, type ClientError, type FrontendClient, type FrontendTarget } from '../conformance/frontend-suite.js';
import { startTestGateway, demoYaml } from '../support/gateway.js';
import { startPostgres, type PostgresServer } from '../support/postgres-server.js';

// Raw text for every type except bool, so values compare as PostgreSQL text output.
const types = { getTypeParser: (oid: number) => (oid === 16 ? (v: string) => v === 't' : (v: string) => v) };

function pgClient(conn: pg.ClientConfig): () => Promise<FrontendClient> {
  return async () => {
    const client = new pg.Client({ ...conn, types: types as pg.CustomTypesConfig });
    await client.connect();
    return {
      async query(sql, params) {
        const r = await client.query({ text: sql, values: params as unknown[] | undefined, rowMode: 'array' });
        return { columns: r.fields.map((f) => f.name), rows: r.rows as unknown[][] };
      },
      async cancelDuring(sql, afterMs) {
        const p = client.query(sql);
        setTimeout(() => {
          const c = new pg.Client(conn);
          // pg sends CancelRequest with this client's process id / secret key
          (c as unknown as { cancel(target: pg.Client, q: unknown): void }).cancel(client, (client as unknown as { activeQuery: unknown }).activeQuery);
        }, afterMs);
        return p.then(
          () => ({ code: 'none', message: 'query was not canceled' }),
          (e: unknown) => clientError(e),
        );
      },
      text: (v) => (v === null || v === undefined ? null : String(v)),
      error: clientError,
      close: () => client.end(),
    };
  };
}

function clientError(e: unknown): ClientError {
  return { code: (e as { code?: string }).code ?? 'none', message: (e as Error).message };
}

const PG_CODES = { syntax: '42601', undefinedTable: '42P01', canceled: '57014' } as const;

frontendConformance('direct PostgreSQL (reference)', async (): Promise<FrontendTarget> => {
  const server = await startPostgres();
  return {
    connect: pgClient({ host: server.host, port: server.port, user: 'postgres', database: 'postgres' }),
    codes: { ...PG_CODES, divisionByZero: '22012' },
    slowQuery: 'select pg_sleep(20)',
    close: () => server.stop(),
  };
});

frontendConformance('gateway → DuckDB', async (): Promise<FrontendTarget> => {
  const gw = await startTestGateway(demoYaml({ auth: 'scram' }));
  return {
    connect: pgClient({ host: '127.0.0.1', port: gw.ports.postgres, user: 'demo', password: 'demo', database: 'demo' }),
    codes: { ...PG_CODES, divisionByZero: { value: 'Infinity' } },
    slowQuery: 'select sum(a.range * b.range) from range(1000000) a, range(1000000) b',
    close: () => gw.close(),
  };
});

frontendConformance('gateway → PostgreSQL', async (): Promise<FrontendTarget> => {
  const server: PostgresServer = await startPostgres();
  const gw = await startTestGateway(`
queryflux:
  frontends: { postgresWire: { host: 127.0.0.1, port: 0 } }
  adminApi: { enabled: false }
clusterGroups:
  pg: { engine: postgres, clusters: [{ name: pg-1, endpoint: "${server.url}" }] }
routers: [{ type: protocolBased, postgresWire: pg }]
routingFallback: pg
auth: { users: [{ username: demo, password: demo }] }
`);
  return {
    connect: pgClient({ host: '127.0.0.1', port: gw.ports.postgres, user: 'demo', password: 'demo', database: 'postgres' }),
    codes: { ...PG_CODES, divisionByZero: '22012' },
    slowQuery: 'select pg_sleep(20)',
    close: async () => {
      await gw.close();
      await server.stop();
    },
  };
});
