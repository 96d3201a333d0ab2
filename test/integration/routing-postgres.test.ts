/** Routing decisions reaching real PostgreSQL-wire clients: policy, headers, tags, deny, queueing. */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../src/server.js';
import { startTestGateway } from '../support/gateway.js';

let gw: RunningGateway;

beforeAll(async () => {
  gw = await startTestGateway(`
queryflux:
  frontends: { postgresWire: { host: 127.0.0.1, port: 0 } }
  adminApi: { host: 127.0.0.1, port: 0 }
clusterGroups:
  interactive: { engine: duckDb, clusters: [{ name: duck-i }] }
  tight: { engine: duckDb, maxRunningQueries: 1, maxQueuedQueries: 1, capacityWaitTimeoutSecs: 1, clusters: [{ name: duck-t }] }
  spill: { engine: duckDb, maxRunningQueries: 1, maxQueuedQueries: 0, overflowGroup: batch, clusters: [{ name: duck-s }] }
  batch: { engine: duckDb, clusters: [{ name: duck-b }] }
  reporting: { engine: duckDb, clusters: [{ name: duck-r }] }
routers:
  - { type: header, headerName: application_name, headerValueToGroup: { nightly-report: reporting, tight: tight, spill: spill } }
  - { type: policy, path: policies/demo/bundle.tar.gz }
  - { type: protocolBased, postgresWire: interactive }
routingFallback: interactive
auth: { users: [{ username: demo, password: demo }] }
`);
});
afterAll(() => gw?.close());

async function client(extra: Partial<pg.ClientConfig> = {}): Promise<pg.Client> {
  const c = new pg.Client({ host: '127.0.0.1', port: gw.ports.postgres, user: 'demo', password: 'demo', database: 'demo', ...extra });
  await c.connect();
  return c;
}

/** The cluster that ran the most recent query with this SQL text, from the admin API. */
async function clusterOf(sql: string): Promise<string | undefined> {
  const res = await fetch(`http://127.0.0.1:${gw.ports.admin}/api/queries/recent?limit=50`);
  const list = (await res.json()) as { sql: string; cluster?: string; rule?: string }[];
  return list.find((o) => o.sql === sql)?.cluster;
}

/** A group's live counters, from the admin API. */
async function load(group: string): Promise<{ running: number; queued: number }> {
  const res = await fetch(`http://127.0.0.1:${gw.ports.admin}/api/groups`);
  return ((await res.json()) as { name: string; running: number; queued: number }[]).find((g) => g.name === group)!;
}

describe('routing over PostgreSQL wire', () => {
  it('the Rego policy routes application_name workload:etl to batch', async () => {
    const c = await client({ application_name: 'workload:etl' });
    await c.query('select 11 as etl');
    await c.end();
    expect(await clusterOf('select 11 as etl')).toBe('duck-b');
  });

  it('a startup parameter routes through a header router', async () => {
    const c = await client({ application_name: 'nightly-report' });
    await c.query('select 12 as rep');
    await c.end();
    expect(await clusterOf('select 12 as rep')).toBe('duck-r');
  });

  it('a policy denial reaches the client as 42501 and the connection stays usable', async () => {
    const c = await client();
    const err = await c.query('delete from t').catch((e: { code: string; message: string }) => e);
    expect(err).toMatchObject({ code: '42501', message: expect.stringMatching(/DELETE without WHERE is not allowed/) });
    expect((await c.query('select 1 as ok')).rows).toEqual([{ ok: 1 }]);
    await c.end();
  });

  it('a full group queues, then refuses with 53000 when the queue is full or the wait times out', async () => {
    const slow = 'select sum(a.range * b.range) from range(1000000) a, range(1000000) b';
    const [a, b, c] = await Promise.all([client({ application_name: 'tight' }), client({ application_name: 'tight' }), client({ application_name: 'tight' })]);
    // Each step waits for the group to reach its state (fixed pauses are too short on a loaded machine).
    const running = a.query(slow).catch((e: unknown) => e);
    await expect.poll(async () => (await load('tight')).running, { timeout: 30_000, interval: 10 }).toBe(1);
    const queued = b.query('select 13 as queued').catch((e: { code: string; message: string }) => e);
    await expect.poll(async () => (await load('tight')).queued, { timeout: 30_000, interval: 10 }).toBe(1);
    const full = await c.query('select 14 as full').catch((e: { code: string; message: string }) => e);
    expect(full).toMatchObject({ code: '53000', message: expect.stringMatching(/cluster group tight is full/) });
    expect(await queued).toMatchObject({ code: '53000', message: expect.stringMatching(/timed out waiting for capacity in cluster group tight/) });
    const cancel = new pg.Client({ host: '127.0.0.1', port: gw.ports.postgres, user: 'demo', password: 'demo' });
    (cancel as unknown as { cancel(t: pg.Client, q: unknown): void }).cancel(a, (a as unknown as { activeQuery: unknown }).activeQuery);
    expect(await running).toMatchObject({ code: '57014' });
    // Capacity is back: the connections that got queue errors are still usable.
    expect((await b.query('select 1 as ok')).rows).toEqual([{ ok: 1 }]);
    expect((await c.query('select 2 as ok')).rows).toEqual([{ ok: 2 }]);
    await Promise.all([a.end(), b.end(), c.end()]);
  });

  it('a full group with overflowGroup spills to it instead of refusing', async () => {
    const [a, b] = await Promise.all([client({ application_name: 'spill' }), client({ application_name: 'spill' })]);
    const running = a.query('select sum(a.range * b.range) from range(1000000) a, range(1000000) b').catch((e: unknown) => e);
    await expect.poll(async () => (await load('spill')).running, { timeout: 30_000, interval: 10 }).toBe(1);
    expect((await b.query('select 15 as spilled')).rows).toEqual([{ spilled: 15 }]);
    const res = await fetch(`http://127.0.0.1:${gw.ports.admin}/api/queries/recent?limit=50`);
    const rec = ((await res.json()) as { sql: string; cluster?: string; reason?: string }[]).find((o) => o.sql === 'select 15 as spilled');
    expect(rec).toMatchObject({ cluster: 'duck-b', reason: expect.stringMatching(/spill queue full, overflow → batch/) });
    const cancel = new pg.Client({ host: '127.0.0.1', port: gw.ports.postgres, user: 'demo', password: 'demo' });
    (cancel as unknown as { cancel(t: pg.Client, q: unknown): void }).cancel(a, (a as unknown as { activeQuery: unknown }).activeQuery);
    await running;
    await Promise.all([a.end(), b.end()]);
  });

  it('route decisions are counted in /metrics', async () => {
    const text = await (await fetch(`http://127.0.0.1:${gw.ports.admin}/metrics`)).text();
    expect(text).toMatch(/queryflux_route_decisions_total\{router="routers\[1\] policy",group="batch"\} \d+/);
    expect(text).toMatch(/queryflux_queries_total\{protocol="postgres",group="",cluster="",engine="",status="denied"\} 1/);
    expect(text).toMatch(/queryflux_translations_total\{from="postgres",to="duckdb"\} \d+/);
    expect(text).toMatch(/queryflux_queue_rejections_total\{group="tight",reason="full"\} 1/);
  });
});
