/**
 * History under load with a real gateway: queries over the PostgreSQL wire to DuckDB, history in a
 * SQLite file in a temp dir. A drain in the middle of the load loses no history row: every
 * statement the pipeline saw (counted by the metrics sink) is a row, including every statement a
 * client saw succeed. Also: GET /api/history and /api/savings, `queryflux history|savings` CLI,
 * and a real SIGTERM to `queryflux serve`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { History } from '../../src/history/history.js';
import { startTestGateway } from '../support/gateway.js';
import { freePort } from '../support/ports.js';

const dir = mkdtempSync(join(tmpdir(), 'qf-history-drain-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const yaml = (db: string, pgPort = 0, adminPort = 0) => `
queryflux:
  frontends: { postgresWire: { host: 127.0.0.1, port: ${pgPort} } }
  adminApi: { host: 127.0.0.1, port: ${adminPort} }
  persistence: { type: sqlite, path: "${db}", flushIntervalMs: 200, batchSize: 50 }
clusterGroups:
  duck:
    engine: duckDb
    maxRunningQueries: 4
    clusters: [{ name: duck-1, databasePath: ":memory:", initSql: [examples/demo/tpch.sql] }]
routers:
  - { type: protocolBased, postgresWire: duck }
routingFallback: duck
auth: { provider: none }
`;

async function countRows(db: string): Promise<{ total: number; sql: Set<string> }> {
  const h = await History.start({ persistence: { type: 'sqlite', path: db, flushIntervalMs: 1000, batchSize: 500, maxBufferRows: 1000, redactSql: false }, retentionDays: 30, logger: pino({ level: 'silent' }) });
  const sql = new Set<string>();
  for await (const e of h.store.scan({})) sql.add(e.sql);
  await h.close();
  return { total: sql.size, sql };
}

async function queriesRecorded(gwMetrics: { registry: { getSingleMetric(n: string): unknown } }): Promise<number> {
  const m = gwMetrics.registry.getSingleMetric('queryflux_queries_total') as { get(): Promise<{ values: { value: number }[] }> };
  return (await m.get()).values.reduce((s, v) => s + v.value, 0);
}

describe('history with a real gateway', () => {
  it('drain in the middle of a concurrent load loses no history row', async () => {
    const db = join(dir, 'drain.db');
    const gw = await startTestGateway(yaml(db));
    const N = 400;
    const CLIENTS = 16;
    const clients = await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        const c = new pg.Client({ host: '127.0.0.1', port: gw.ports.postgres, user: 'demo', database: 'demo' });
        c.on('error', () => undefined);
        await c.connect();
        return c;
      }),
    );
    const succeeded: string[] = [];
    let answered = 0;
    // Each client runs its share back to back until the drain ends its session.
    const runs = clients.map(async (c, k) => {
      for (let i = k; i < N; i += CLIENTS) {
        const sql = `select count(*) as n, sum(o_totalprice) as s from orders where o_orderkey % 7 = ${i % 7} /* q${i} */`;
        try {
          await c.query(sql);
        } catch {
          return;
        }
        succeeded.push(sql);
        answered++;
      }
    });
    while (answered < N / 3) await new Promise((r) => setTimeout(r, 5));
    const answeredAtDrain = answered;
    // The open sessions go on until their work is done, and the drain waits for them: a generous
    // deadline, so that only a drain that never ends (not a slow machine) has to cancel.
    const cancelled = await gw.drain(120_000);
    await Promise.all(runs);
    for (const c of clients) await c.end().catch(() => undefined);
    const recorded = await queriesRecorded(gw.metrics);
    const { total, sql } = await countRows(db);
    expect(cancelled).toBe(0);
    expect(succeeded.length).toBeGreaterThanOrEqual(N / 3);
    expect(total).toBe(recorded);
    for (const s of succeeded) expect(sql.has(s), s).toBe(true);
    expect(gw.history.writer.getStats()).toMatchObject({ dropped: 0 });
    // The drain came in the middle of the load (open sessions may go on until the drain ends them).
    expect(answeredAtDrain).toBeLessThan(N);
  }, 240_000); // a gateway start and 400 statements: ~13 s alone, several times that on a loaded CI machine

  it('serves GET /api/history and /api/savings from the history; the CLI reads the same file', async () => {
    const db = join(dir, 'api.db');
    const gw = await startTestGateway(yaml(db));
    const c = new pg.Client({ host: '127.0.0.1', port: gw.ports.postgres, user: 'alice', database: 'demo' });
    await c.connect();
    for (let i = 0; i < 5; i++) await c.query(`select ${i} as i`);
    await c.query('select * from no_such_table').catch(() => undefined);
    await c.end();
    await gw.history.writer.flush();
    const base = `http://127.0.0.1:${gw.ports.admin}`;
    const all = (await (await fetch(`${base}/api/history?limit=100`)).json()) as { sql: string; status: string; user: string }[];
    expect(all.filter((e) => e.user === 'alice')).toHaveLength(6);
    expect(all[0]).toMatchObject({ sql: 'select * from no_such_table', status: 'error' });
    const errors = (await (await fetch(`${base}/api/history?status=error&user=alice`)).json()) as unknown[];
    expect(errors).toHaveLength(1);
    const savings = (await (await fetch(`${base}/api/savings?since=1h&baseline=duck`)).json()) as { baseline: string; total: { queries: number } };
    expect(savings).toMatchObject({ baseline: 'group duck' });
    expect(savings.total.queries).toBeGreaterThanOrEqual(6);
    expect((await fetch(`${base}/api/savings?baseline=nope`)).status).toBe(400);
    expect((await fetch(`${base}/api/savings?since=yesterday`)).status).toBe(400);
    await gw.close();

    const config = join(dir, 'api.yaml');
    writeFileSync(config, yaml(db));
    const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args, '--config', config], { encoding: 'utf8' });
    const hist = cli(['history', '--since', '1h', '--limit', '3', '--format', 'json']);
    expect(hist.status, hist.stderr).toBe(0);
    expect((JSON.parse(hist.stdout) as unknown[]).length).toBe(3);
    const sav = cli(['savings', '--since', '1h', '--format', 'csv']);
    expect(sav.status, sav.stderr).toBe(0);
    expect(sav.stdout.split('\n')[1]).toMatch(/^total,total,6,/);
    const bad = cli(['savings', '--baseline', 'nope']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('--baseline nope: no such group or engine');
  }, 180_000); // a gateway start and three CLI processes: ~9 s alone

  it('SIGTERM to `queryflux serve` under load: every answered statement is in the history', async () => {
    const db = join(dir, 'sigterm.db');
    const config = join(dir, 'sigterm.yaml');
    const pgPort = await freePort();
    writeFileSync(config, yaml(db, pgPort, await freePort()));
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const deadline = Date.now() + 120_000;
    while (!out.includes('PostgreSQL wire frontend listening')) {
      if (Date.now() > deadline) throw new Error(`gateway did not start:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const clients = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const c = new pg.Client({ host: '127.0.0.1', port: pgPort, user: 'demo', database: 'demo' });
        c.on('error', () => undefined);
        await c.connect();
        return c;
      }),
    );
    const succeeded: string[] = [];
    const runs = clients.map(async (c, k) => {
      for (let i = k; i < 200; i += clients.length) {
        const sql = `select count(*) from lineitem where l_orderkey % 5 = ${i % 5} /* s${i} */`;
        try {
          await c.query(sql);
        } catch {
          return;
        }
        succeeded.push(sql);
      }
    });
    while (succeeded.length < 50) await new Promise((r) => setTimeout(r, 5));
    child.kill('SIGTERM');
    await Promise.all(runs);
    expect(await exited).toBe(0);
    const { sql } = await countRows(db);
    expect(succeeded.length).toBeGreaterThanOrEqual(50);
    for (const s of succeeded) expect(sql.has(s), s).toBe(true);
  }, 240_000); // a `queryflux serve` process start, the load and its drain: ~13 s alone
});
