/**
 * Real PostgreSQL clients against three targets: a real PostgreSQL directly (proves the client
 * programs), the gateway → PostgreSQL, and the gateway → DuckDB (demo data).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../src/server.js';
import { runJdbc, runPgbench, runPsql, runPython, type Endpoint } from '../support/clients.js';
import { demoYaml, startTestGateway } from '../support/gateway.js';
import { startPostgres, type PostgresServer } from '../support/postgres-server.js';

interface Target {
  readonly name: string;
  readonly backend: 'postgres' | 'duckdb';
  endpoint(): Endpoint;
}

let pgServer: PostgresServer;
let gwPg: RunningGateway;
let gwDuck: RunningGateway;

beforeAll(async () => {
  pgServer = await startPostgres();
  await runPsql({ host: pgServer.host, port: pgServer.port, user: 'postgres', password: '', database: 'postgres' }, [
    'create table orders (o_orderkey integer primary key, o_custkey integer not null, o_totalprice numeric(15,2), o_orderdate date, o_comment varchar(79))',
    'insert into orders select g, g % 100, g * 1.5, date \'2024-01-01\' + g % 365, \'c\' || g from generate_series(1, 1500) g',
  ]);
  gwPg = await startTestGateway(`
queryflux:
  frontends: { postgresWire: { host: 127.0.0.1, port: 0 } }
  adminApi: { enabled: false }
clusterGroups:
  pg: { engine: postgres, clusters: [{ name: pg-1, endpoint: "${pgServer.url}", poolSize: 20 }] }
routers: [{ type: protocolBased, postgresWire: pg }]
routingFallback: pg
auth: { users: [{ username: demo, password: demo }] }
`);
  gwDuck = await startTestGateway(demoYaml({ auth: 'scram' }));
});

afterAll(async () => {
  await gwPg?.close();
  await gwDuck?.close();
  await pgServer?.stop();
});

const targets: Target[] = [
  { name: 'direct PostgreSQL', backend: 'postgres', endpoint: () => ({ host: pgServer.host, port: pgServer.port, user: 'postgres', password: '', database: 'postgres' }) },
  { name: 'gateway → PostgreSQL', backend: 'postgres', endpoint: () => ({ host: '127.0.0.1', port: gwPg.ports.postgres!, user: 'demo', password: 'demo', database: 'postgres' }) },
  { name: 'gateway → DuckDB', backend: 'duckdb', endpoint: () => ({ host: '127.0.0.1', port: gwDuck.ports.postgres!, user: 'demo', password: 'demo', database: 'demo' }) },
];

for (const t of targets) {
  describe(`clients: ${t.name}`, () => {
    it('psql: query, \\dt, \\d orders', async () => {
      const ep = t.endpoint();
      expect(await runPsql(ep, ['select count(*) as n from orders'])).toMatch(/\b(1500|15000)\b/);
      const dt = await runPsql(ep, ['\\dt']);
      expect(dt).toMatch(/orders\s*\|\s*table/);
      const d = await runPsql(ep, ['\\d orders']);
      expect(d).toMatch(/o_orderkey\s*\|\s*integer/);
      expect(d).toMatch(/o_totalprice\s*\|\s*numeric\(15,2\)/);
    });

    it('psycopg 3: params, server-side prepare, binary, types, errors, transactions', async () => {
      const r = await runPython('psycopg_client.py', t.endpoint(), { QF_SCRATCH: `qf_psy_${t.backend}_${t.name.length}` });
      expect(r).toMatchObject({
        simple: [1, 'x'],
        prepared: [42, 'v', 9000000000],
        binary: [42, 0.5, 'bin'],
        types: ['12345.67', '2024-02-29T13:14:15', '2024-02-29', true, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'],
        syntaxError: '42601',
        afterError: 2,
        many: 5000,
        afterRollback: 0,
        afterCommit: 1,
      });
    });

    it('asyncpg: prepared statements with Describe, types, errors', async () => {
      const r = await runPython('asyncpg_client.py', t.endpoint());
      expect(r).toMatchObject({
        simple: 1,
        params: ['int4', 'text'],
        columns: ['a', 'b'],
        prepared: [[42, 'v0'], [43, 'v1'], [44, 'v2']],
        types: ['12345.67', '2024-02-29', 9000000000, 0.5],
        syntaxError: '42601',
        afterError: 2,
        many: 5000,
      });
    });

    it('pgJDBC: statements, server-prepared statements, types, fetch size, metadata', async () => {
      const r = await runJdbc(t.endpoint(), { QF_TABLE: 'orders' });
      expect(r).toMatchObject({
        simple: '1,x',
        prepared0: '42,v0,9000000000',
        prepared2: '44,v2,9000000002',
        types: '12345.67|2024-02-29 13:14:15.0|2024-02-29|0.5|true',
        fetchSize: '1000,500500',
        syntaxError: '42601',
        afterError: 2,
      });
      expect(r.tables).toContain('orders');
      expect(r.columns).toEqual(expect.arrayContaining(['o_orderkey:int4', 'o_totalprice:numeric']));
    });

    it('SQLAlchemy reflection', async () => {
      const r = await runPython('sqlalchemy_reflect.py', t.endpoint(), { QF_TABLE: 'orders' });
      expect(r.tables).toContain('orders');
      expect(r.hasTable).toBe(true);
      const cols = r.columns as [string, string, boolean][];
      expect(cols.find((c) => c[0] === 'o_orderkey')?.[1]).toBe('INTEGER');
      expect(cols.find((c) => c[0] === 'o_totalprice')?.[1]).toBe('NUMERIC(15, 2)');
    });
  });
}

describe('pgbench through the gateway to a real PostgreSQL', () => {
  it('initialises, then runs -S in simple and prepared mode', async () => {
    const direct: Endpoint = { host: pgServer.host, port: pgServer.port, user: 'postgres', password: '', database: 'postgres' };
    await runPgbench(direct, ['-i', '-s', '1', '-q']);
    const gw: Endpoint = { host: '127.0.0.1', port: gwPg.ports.postgres!, user: 'demo', password: 'demo', database: 'postgres' };
    for (const mode of ['simple', 'extended', 'prepared']) {
      const out = await runPgbench(gw, ['-S', '-T', '3', '-c', '4', '-j', '2', '-M', mode]);
      expect(out, mode).toMatch(/number of failed transactions: 0/);
      expect(Number(/tps = ([\d.]+)/.exec(out)?.[1]), mode).toBeGreaterThan(100);
    }
    // The default TPC-B-like script: BEGIN ... END with updates, pinned to one backend per transaction.
    const tpcb = await runPgbench(gw, ['-T', '3', '-c', '4', '-j', '2']);
    expect(tpcb).toMatch(/number of failed transactions: 0/);
  });
});
