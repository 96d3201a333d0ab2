/**
 * PostgreSQL → PostgreSQL: text results pass from backend to client as the backend's DataRow bytes
 * (src/engines/postgres/wire.ts). Rows must arrive exactly as a direct connection gives them, also
 * for a large value spanning many socket chunks, for a portal read in slices (Execute row limits
 * cutting a received run of rows), for an error after rows were sent, with NOTICEs in between, and
 * next to binary-format requests that take the decoding path.
 */
import pg from 'pg';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../src/server.js';
import { startTestGateway } from '../support/gateway.js';
import { startPostgres, type PostgresServer } from '../support/postgres-server.js';

type CursorLike = pg.Submittable & { read(n: number): Promise<{ g: number; s: string }[]>; close(): Promise<void> };
const Cursor = createRequire(import.meta.url)('pg-cursor') as new (text: string) => CursorLike;

let server: PostgresServer;
let gw: RunningGateway;
let direct: pg.Client;
let through: pg.Client;

beforeAll(async () => {
  server = await startPostgres();
  gw = await startTestGateway(`
queryflux:
  frontends: { postgresWire: { host: 127.0.0.1, port: 0 } }
  adminApi: { enabled: false }
clusterGroups:
  pg: { engine: postgres, clusters: [{ name: pg-1, endpoint: "postgres://postgres@127.0.0.1:${server.port}/postgres", poolSize: 4 }] }
routers:
  - { type: protocolBased, postgresWire: pg }
routingFallback: pg
auth: { provider: none }
`);
  direct = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'postgres', database: 'postgres' });
  through = new pg.Client({ host: '127.0.0.1', port: gw.ports.postgres, user: 'postgres', database: 'postgres' });
  await Promise.all([direct.connect(), through.connect()]);
}, 60_000);

afterAll(async () => {
  await Promise.all([direct?.end(), through?.end()]);
  await gw?.close();
  await server?.stop();
});

const MIXED = `select g, g::text || repeat('é', g % 7) as t, (g % 3 = 0) as b, case when g % 5 = 0 then null else g * 1.5 end as n,
  now()::date - g as d, array[g, g + 1] as a, '\\x0102'::bytea as bin from generate_series(1, 3000) g`;

describe('PostgreSQL rows passed through as bytes', () => {
  it('a mixed 3,000-row result equals the direct one (simple and extended protocol)', async () => {
    const [d, t] = await Promise.all([direct.query(MIXED), through.query(MIXED)]);
    expect(t.rows).toEqual(d.rows);
    expect(t.fields.map((f) => [f.name, f.dataTypeID])).toEqual(d.fields.map((f) => [f.name, f.dataTypeID]));
    const q = { text: 'select g, md5(g::text) from generate_series(1, $1::int) g', values: [2500] };
    expect((await through.query(q)).rows).toEqual((await direct.query(q)).rows);
  });

  it('a 6 MB value arrives whole', async () => {
    const r = await through.query("select repeat('x', 6000000) || 'end' as big, 1 as after");
    expect(r.rows[0].big.length).toBe(6_000_003);
    expect(r.rows[0].big.endsWith('xend')).toBe(true);
    expect(r.rows[0].after).toBe(1);
  });

  it('a portal read 7 rows at a time returns every row once, in order', async () => {
    const cursor = through.query(new Cursor('select g, repeat(chr(65 + g % 26), g % 40) as s from generate_series(1, 1000) g'));
    const seen: { g: number; s: string }[] = [];
    for (;;) {
      const rows = await cursor.read(7);
      if (rows.length === 0) break;
      seen.push(...rows);
    }
    await cursor.close();
    expect(seen.map((r) => r.g)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(seen[99]!.s).toBe('W'.repeat(100 % 40));
  });

  it('an error after rows were sent reaches the client and the connection goes on; NOTICEs do not disturb the rows', async () => {
    const err = (await through.query('select 1 / (g - 2000) from generate_series(1, 3000) g').catch((e: unknown) => e)) as { code?: string; message: string };
    expect(err.code).toBe('22012');
    expect(err.message).toMatch(/division by zero/);
    await through.query(`create or replace function qf_noisy(n int) returns setof int language plpgsql as $$
      begin for i in 1..n loop raise notice 'row %', i; return next i; end loop; end $$`);
    const r = await through.query('select * from qf_noisy(50)');
    expect(r.rows.map((x) => x.qf_noisy)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect((await through.query('select 42 as ok')).rows).toEqual([{ ok: 42 }]);
  });

  it('binary result formats take the decoding path and still match', async () => {
    const q = { text: 'select g::int4 as i, g::float8 / 3 as f, g::text as t from generate_series(1, 500) g', binary: true };
    const [d, t] = await Promise.all([direct.query(q), through.query(q)]);
    expect(t.rows).toEqual(d.rows);
  });
});
