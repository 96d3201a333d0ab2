/** Health checks: a dead PostgreSQL member is marked unhealthy and skipped; it comes back when healthy. */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startTestGateway } from '../support/gateway.js';
import { startPostgres } from '../support/postgres-server.js';

describe('health checks with failover', () => {
  it('skips a dead member and serves from the next one', async () => {
    const a = await startPostgres();
    const b = await startPostgres();
    const gw = await startTestGateway(`
queryflux:
  frontends: { postgresWire: { host: 127.0.0.1, port: 0 } }
  adminApi: { host: 127.0.0.1, port: 0 }
clusterGroups:
  pg:
    engine: postgres
    strategy: failover
    healthCheck: { intervalSecs: 0.2, timeoutSecs: 1, unhealthyThreshold: 1 }
    clusters: [{ name: pg-a, endpoint: "${a.url}" }, { name: pg-b, endpoint: "${b.url}" }]
routers: [{ type: protocolBased, postgresWire: pg }]
routingFallback: pg
auth: { provider: none }
`);
    const serverPort = async (c: pg.Client) => Number((await c.query('select inet_server_port() as p')).rows[0].p);
    const members = async () => ((await (await fetch(`http://127.0.0.1:${gw.ports.admin}/api/groups`)).json()) as { members: { name: string; healthy: boolean }[] }[])[0]!.members;
    try {
      const c = new pg.Client({ host: '127.0.0.1', port: gw.ports.postgres, user: 'postgres', database: 'postgres' });
      await c.connect();
      expect(await serverPort(c)).toBe(a.port);
      await a.stop();
      await expect.poll(async () => (await members()).find((m) => m.name === 'pg-a')?.healthy, { timeout: 10_000 }).toBe(false);
      expect(await serverPort(c)).toBe(b.port);
      const metrics = await (await fetch(`http://127.0.0.1:${gw.ports.admin}/metrics`)).text();
      expect(metrics).toMatch(/queryflux_cluster_healthy\{group="pg",cluster="pg-a",engine="postgres"\} 0/);
      await c.end();
    } finally {
      await gw.close();
      await b.stop();
    }
  });
});

describe('circuit breaker with real engines', () => {
  it('reads are retried on another member; the breaker opens and traffic moves on', async () => {
    const b = await startPostgres();
    const gw = await startTestGateway(`
queryflux:
  frontends: { postgresWire: { host: 127.0.0.1, port: 0 } }
  adminApi: { host: 127.0.0.1, port: 0 }
clusterGroups:
  pg:
    engine: postgres
    strategy: failover
    healthCheck: { enabled: false }
    circuitBreaker: { windowSecs: 60, minRequests: 2, failureRatePercent: 50, initialBackoffSecs: 60, maxBackoffSecs: 120 }
    clusters: [{ name: pg-down, endpoint: "postgres://postgres@127.0.0.1:1/postgres" }, { name: pg-b, endpoint: "${b.url}" }]
routers: [{ type: protocolBased, postgresWire: pg }]
routingFallback: pg
auth: { provider: none }
`);
    try {
      const c = new pg.Client({ host: '127.0.0.1', port: gw.ports.postgres, user: 'postgres', database: 'postgres' });
      await c.connect();
      // Reads are retried on the next member before any row is sent: the client never sees the failures.
      for (let i = 0; i < 2; i++) expect(Number((await c.query('select inet_server_port() as p')).rows[0].p)).toBe(b.port);
      // With the breaker open, writes go straight to pg-b as well.
      await c.query('create table qf_w (a int)');
      expect(Number((await c.query('select inet_server_port() as p')).rows[0].p)).toBe(b.port);
      const recent = (await (await fetch(`http://127.0.0.1:${gw.ports.admin}/api/queries/recent?limit=10`)).json()) as { reason?: string }[];
      expect(recent.some((o) => /retried after pg-down was unavailable/.test(o.reason ?? ''))).toBe(true);
      const metrics = await (await fetch(`http://127.0.0.1:${gw.ports.admin}/metrics`)).text();
      expect(metrics).toMatch(/queryflux_circuit_state\{group="pg",cluster="pg-down"\} 2/);
      await c.end();
    } finally {
      await gw.close();
      await b.stop();
    }
  });
});

describe('retry rules', () => {
  it('a write is not retried on another member', async () => {
    const b = await startPostgres();
    const gw = await startTestGateway(`
queryflux:
  frontends: { postgresWire: { host: 127.0.0.1, port: 0 } }
  adminApi: { enabled: false }
clusterGroups:
  pg:
    engine: postgres
    strategy: failover
    healthCheck: { enabled: false }
    clusters: [{ name: pg-down, endpoint: "postgres://postgres@127.0.0.1:1/postgres" }, { name: pg-b, endpoint: "${b.url}" }]
routers: [{ type: protocolBased, postgresWire: pg }]
routingFallback: pg
auth: { provider: none }
`);
    try {
      const c = new pg.Client({ host: '127.0.0.1', port: gw.ports.postgres, user: 'postgres', database: 'postgres' });
      await c.connect();
      await expect(c.query('create table qf_never (a int)')).rejects.toMatchObject({ code: '08006' });
      expect((await c.query('select 1 as one')).rows).toEqual([{ one: 1 }]); // a read still gets through
      await c.end();
    } finally {
      await gw.close();
      await b.stop();
    }
  });
});
