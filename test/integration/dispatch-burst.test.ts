/**
 * Dispatch against a real PostgreSQL: a burst of 10× maxRunningQueries pg_sleep queries never
 * runs more than the limit on the backend (pg_stat_activity), all finish, in FIFO order; a drain
 * under load loses no statement that had started.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startTestGateway } from '../support/gateway.js';
import { startPostgres } from '../support/postgres-server.js';

const LIMIT = 3;

async function setup() {
  const server = await startPostgres();
  const gw = await startTestGateway(`
queryflux:
  frontends: { postgresWire: { host: 127.0.0.1, port: 0 } }
  adminApi: { enabled: false }
clusterGroups:
  pg: { engine: postgres, maxRunningQueries: ${LIMIT}, maxQueuedQueries: 100, capacityWaitTimeoutSecs: 60, healthCheck: { enabled: false }, clusters: [{ name: pg-1, endpoint: "${server.url}", poolSize: 20 }] }
routers: [{ type: protocolBased, postgresWire: pg }]
routingFallback: pg
auth: { provider: none }
`);
  return { server, gw };
}

async function clients(port: number, n: number): Promise<pg.Client[]> {
  return Promise.all(
    Array.from({ length: n }, async () => {
      const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
      c.on('error', () => undefined);
      await c.connect();
      return c;
    }),
  );
}

describe('dispatch burst against a real PostgreSQL', () => {
  it('never runs more than maxRunningQueries on the backend, finishes all, FIFO', async () => {
    const { server, gw } = await setup();
    const monitor = new pg.Client({ connectionString: server.url });
    await monitor.connect();
    const cs = await clients(gw.ports.postgres!, LIMIT * 10);
    let peak = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const n = (await monitor.query("select count(*)::int as n from pg_stat_activity where query like 'select pg_sleep(0.15)%' and state = 'active'")).rows[0].n as number;
        peak = Math.max(peak, n);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const finished: number[] = [];
    const runs: Promise<void>[] = [];
    for (let i = 0; i < cs.length; i++) {
      runs.push(cs[i]!.query(`select pg_sleep(0.15), ${i} as i`).then(() => void finished.push(i)));
      await new Promise((r) => setTimeout(r, 2)); // arrival order = i
    }
    await Promise.all(runs);
    sampling = false;
    await sampler;
    expect(finished).toHaveLength(LIMIT * 10);
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(LIMIT);
    // FIFO: admission follows arrival; completion may swap neighbours that ran concurrently.
    for (let k = 0; k < finished.length; k++) expect(Math.abs(finished[k]! - k)).toBeLessThanOrEqual(LIMIT);
    await Promise.all(cs.map((c) => c.end()));
    await monitor.end();
    await gw.close();
    await server.stop();
  });

  it('a drain under load loses no statement that had started', async () => {
    const { server, gw } = await setup();
    const cs = await clients(gw.ports.postgres!, 12);
    const results = cs.map((c, i) => c.query(`select pg_sleep(0.2), ${i} as i`).then((r) => r.rows[0].i as number, (e: Error) => e));
    // The group fills up to its limit (waited for: on a loaded machine the twelve statements can
    // take longer than any fixed pause to arrive and be admitted), and no further.
    await expect.poll(() => gw.pipeline.running, { timeout: 30_000 }).toBe(LIMIT);
    const started = gw.pipeline.running;
    expect(started).toBe(LIMIT);
    const cancelled = await gw.drain(10_000);
    const out = await Promise.all(results);
    const ok = out.filter((x) => typeof x === 'number').length;
    // Every statement admitted before the drain completed; queued ones may finish too or get 57P01.
    expect(cancelled).toBe(0);
    expect(ok).toBeGreaterThanOrEqual(started);
    for (const x of out) if (typeof x !== 'number') expect(String((x as Error).message)).toMatch(/shutting down|terminat/);
    await server.stop();
  });
});
