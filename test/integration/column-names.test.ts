/**
 * A PostgreSQL client routed to DuckDB gets PostgreSQL's column names: `count`, not DuckDB's
 * `count_star()`, in row objects (node pg, simple and extended protocol) and in psql's header.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../src/server.js';
import { demoYaml, startTestGateway } from '../support/gateway.js';

let gw: RunningGateway;
let client: pg.Client;

beforeAll(async () => {
  gw = await startTestGateway(demoYaml());
  client = new pg.Client({ host: '127.0.0.1', port: gw.ports.postgres, user: 'demo', database: 'demo' });
  await client.connect();
}, 60_000);

afterAll(async () => {
  await client?.end();
  await gw?.close();
});

describe('column names on a cross-dialect route', () => {
  it('unaliased aggregates, casts and literals are named as PostgreSQL names them', async () => {
    const r = await client.query('select count(*), sum(o_totalprice), o_orderstatus, max(o_orderdate)::text, 1, o_orderkey::int8 from orders group by o_orderstatus, o_orderkey limit 1');
    expect(r.fields.map((f) => f.name)).toEqual(['count', 'sum', 'o_orderstatus', 'max', '?column?', 'o_orderkey']);
    // Extended protocol (parameters): the Describe answer carries the same names.
    const p = await client.query({ text: 'select count(*), min(o_orderkey) from orders where o_orderkey > $1', values: [0] });
    expect(p.fields.map((f) => f.name)).toEqual(['count', 'min']);
    expect(Number(p.rows[0].count)).toBeGreaterThan(0);
    // Aliases and SELECT * keep the engine's names.
    const a = await client.query('select count(*) as n from orders');
    expect(a.fields.map((f) => f.name)).toEqual(['n']);
  });

  it("psql prints PostgreSQL's header", async () => {
    const { stdout } = await promisify(execFile)('psql', ['-h', '127.0.0.1', '-p', String(gw.ports.postgres), '-U', 'demo', '-d', 'demo', '-c', 'select count(*) from orders'], { env: { ...process.env, PGCONNECT_TIMEOUT: '10' } });
    expect(stdout.split('\n')[0]!.trim()).toBe('count');
  });
});
