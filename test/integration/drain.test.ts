/** Graceful drain (SIGTERM path): running statements finish, new connections are refused, stragglers are cancelled. */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startTestGateway } from '../support/gateway.js';
import { startPostgres } from '../support/postgres-server.js';

async function gateway(url: string) {
  return startTestGateway(`
queryflux:
  frontends: { postgresWire: { host: 127.0.0.1, port: 0 } }
  adminApi: { enabled: false }
clusterGroups:
  pg: { engine: postgres, clusters: [{ name: pg-1, endpoint: "${url}" }] }
routers: [{ type: protocolBased, postgresWire: pg }]
routingFallback: pg
auth: { provider: none }
`);
}

describe('graceful drain', () => {
  it('lets a running statement finish and refuses new connections meanwhile', async () => {
    const server = await startPostgres();
    const gw = await gateway(server.url);
    const c = new pg.Client({ host: '127.0.0.1', port: gw.ports.postgres, user: 'postgres', database: 'postgres' });
    c.on('error', () => undefined);
    await c.connect();
    const running = c.query('select pg_sleep(0.8) as slept, 42 as answer');
    // Admitted (the pipeline counts it) before the drain starts: waited for, since on a loaded
    // machine admission of the first statement can take longer than any fixed pause.
    await expect.poll(() => gw.pipeline.running, { timeout: 30_000 }).toBe(1);
    const drained = gw.drain(10_000);
    await new Promise((r) => setTimeout(r, 100));
    const late = new pg.Client({ host: '127.0.0.1', port: gw.ports.postgres, user: 'postgres', database: 'postgres' });
    await expect(late.connect()).rejects.toThrow(/ECONNREFUSED/);
    expect((await running).rows[0]).toMatchObject({ answer: 42 });
    expect(await drained).toBe(0);
    await server.stop();
  });

  it('cancels what is still running when the drain timeout passes', async () => {
    const server = await startPostgres();
    const gw = await gateway(server.url);
    const c = new pg.Client({ host: '127.0.0.1', port: gw.ports.postgres, user: 'postgres', database: 'postgres' });
    c.on('error', () => undefined);
    await c.connect();
    const running = c.query('select pg_sleep(30)').then(
      () => 'finished',
      () => 'ended',
    );
    await expect.poll(() => gw.pipeline.running, { timeout: 30_000 }).toBe(1);
    const t0 = performance.now();
    expect(await gw.drain(300)).toBe(1);
    expect(await running).toBe('ended');
    expect(performance.now() - t0).toBeLessThan(10_000);
    // The backend is free again: nothing is left running on PostgreSQL.
    const direct = new pg.Client({ connectionString: server.url });
    await direct.connect();
    await expect.poll(async () => (await direct.query("select count(*)::int as n from pg_stat_activity where query like 'select pg_sleep(30)%'")).rows[0].n, { timeout: 5000 }).toBe(0);
    await direct.end();
    await server.stop();
  });
});
