/**
 * History persisted in a real PostgreSQL 15: migrations (concurrent, tracked), every field round
 * trip, the savings report (hand computation), retention, and a database that goes away: queries'
 * outcomes keep being accepted, the buffer stays bounded, drops are counted, one error is logged.
 */
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueryOutcome } from '../../src/core/outcome.js';
import { openHistoryDb, type PersistenceConfig } from '../../src/history/db.js';
import { History } from '../../src/history/history.js';
import { migrate } from '../../src/history/migrate.js';
import { savingsReport } from '../../src/history/report.js';
import { startPostgres, type PostgresServer } from '../support/postgres-server.js';

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => server?.stop());

const cfg = (over: Partial<PersistenceConfig> = {}): PersistenceConfig => ({ type: 'postgres', url: server.url, path: 'unused', flushIntervalMs: 50, batchSize: 100, maxBufferRows: 500, redactSql: false, ...over });
const silent = pino({ level: 'silent' });
const DAY = 86_400_000;

function outcome(i: number, over: Partial<QueryOutcome> = {}): QueryOutcome {
  return { id: `pg-${i}`, protocol: 'postgres', user: 'alice', sql: `select ${i}`, fingerprint: 'select ?', status: 'ok', receivedAt: Date.now() - 1000, queuedMs: 0, durationMs: 10, rows: 1, clientTags: [], tables: [], group: 'duck', engine: 'duckdb', ...over };
}

describe('history on a real PostgreSQL', () => {
  it('migrates once under concurrency, tracked in queryflux_migrations, with the report indexes', async () => {
    const dbs = await Promise.all([openHistoryDb(cfg()), openHistoryDb(cfg()), openHistoryDb(cfg())]);
    const applied = (await Promise.all(dbs.map((d) => migrate(d)))).flat();
    expect(applied).toEqual(['0001_query_history']);
    expect(await migrate(dbs[0]!)).toEqual([]);
    const direct = new pg.Client({ connectionString: server.url });
    await direct.connect();
    const idx = await direct.query("select indexname from pg_indexes where tablename = 'query_history' order by 1");
    expect(idx.rows.map((r: { indexname: string }) => r.indexname)).toEqual(['query_history_fingerprint_idx', 'query_history_pkey', 'query_history_received_at_idx', 'query_history_status_received_at_idx', 'query_history_user_received_at_idx']);
    const tracked = await direct.query('select id, checksum from queryflux_migrations');
    expect(tracked.rows).toHaveLength(1);
    await direct.end();
    await Promise.all(dbs.map((d) => d.close()));
  });

  it('round-trips rows and computes the savings report by hand', async () => {
    const h = await History.start({ persistence: cfg({ user: 'postgres' }), retentionDays: 30, logger: silent });
    const t = Date.now() - 60_000;
    const est = (usd: number, seconds: number) => ({ usd, seconds, bytesScanned: 0, confidence: 1 });
    // paid 1 vs baseline 4 (duckdb), paid 3 vs 2 (postgres), paid 2 without baseline; estimates for the group that ran it.
    h.record(outcome(1, { receivedAt: t, costUsd: 1, baselineUsd: 4, estimates: { duck: est(2, 0.02) }, durationMs: 10, clientTags: ['etl'], bytesScanned: 5_000_000_000 }));
    h.record(outcome(2, { receivedAt: t + 1, costUsd: 3, baselineUsd: 2, group: 'pg', engine: 'postgres', estimates: { pg: est(3, 0.01) }, durationMs: 20, user: 'bob', fingerprint: 'F2' }));
    h.record(outcome(3, { receivedAt: t + 2, costUsd: 2, durationMs: 5 }));
    expect(await h.writer.flush()).toBe(0);
    const [e1] = await h.store.list({ user: 'alice', status: 'ok', limit: 1, since: new Date(t - 1) });
    expect(e1).toMatchObject({ id: 'pg-3' });
    const one = (await h.store.list({ limit: 10 })).find((e) => e.id === 'pg-1')!;
    expect(one).toMatchObject({ bytesScanned: 5_000_000_000, clientTags: ['etl'], estimates: { duck: est(2, 0.02) }, costUsd: 1, baselineUsd: 4 });
    expect(one.receivedAt).toBe(new Date(t).toISOString());
    const r = await savingsReport(h.store, { since: new Date(t - 1) });
    // compared: 1 vs 4 and 3 vs 2 → paid 4, baseline 6, saved 2 (33.3 %); pg-3 no baseline (2).
    expect(r.total).toMatchObject({ queries: 3, compared: 2, paidUsd: 4, baselineUsd: 6, savedUsd: 2, noBaseline: 1, noBaselinePaidUsd: 2, unpriced: 0 });
    expect(r.total.savedPct).toBeCloseTo(100 / 3, 9);
    expect(r.byUser.map((l) => [l.key, l.savedUsd])).toEqual([['alice', 3], ['bob', -1]]);
    // seconds: |0.02 − 0.01|/0.01 = 1, |0.01 − 0.02|/0.02 = 0.5 → median 0.75, p90 1; usd: |2−1|/1 = 1, 0 → median 0.5.
    expect(r.accuracy.total.seconds).toEqual({ n: 2, median: 0.75, p90: 1 });
    expect(r.accuracy.total.usd).toEqual({ n: 2, median: 0.5, p90: 1 });
    await h.close();
  });

  it('retention deletes old rows', async () => {
    const h = await History.start({ persistence: cfg(), retentionDays: 2, logger: silent });
    const now = Date.now();
    h.record(outcome(10, { receivedAt: now - 3 * DAY }));
    h.record(outcome(11, { receivedAt: now - 1 * DAY }));
    await h.writer.flush();
    expect(await h.sweep(now)).toBeGreaterThanOrEqual(1);
    const ids = (await h.store.list({ limit: 1000 })).map((e) => e.id);
    expect(ids).toContain('pg-11');
    expect(ids).not.toContain('pg-10');
    await h.close();
  });

  it('a database that goes away: record() goes on, the buffer stays bounded, drops are counted, one error is logged', async () => {
    const own = await startPostgres();
    const logs: { level: number; msg: string; err?: string }[] = [];
    const drops: Record<string, number> = {};
    const h = await History.start({
      persistence: cfg({ url: own.url, password: 'pw-not-logged', maxBufferRows: 300, batchSize: 50, flushIntervalMs: 20 }),
      retentionDays: 30,
      logger: pino({ level: 'info' }, { write: (s: string) => logs.push(JSON.parse(s)) }),
      observer: { dropped: (n, reason) => (drops[reason] = (drops[reason] ?? 0) + n), wrote: () => undefined },
    });
    for (let i = 0; i < 100; i++) h.record(outcome(1000 + i));
    expect(await h.writer.flush()).toBe(0);
    await own.stop();
    // Time spent in record() itself, not in the pauses that let the writer try the dead database
    // (those stretch with a loaded machine's timer delays).
    let recordMs = 0;
    for (let i = 0; i < 3000; i++) {
      const t0 = performance.now();
      h.record(outcome(2000 + i));
      recordMs += performance.now() - t0;
      expect(h.writer.buffered).toBeLessThanOrEqual(300);
      if (i % 500 === 0) await new Promise((r) => setTimeout(r, 50));
    }
    expect(recordMs).toBeLessThan(2000); // record() never waits on the dead database
    await expect.poll(() => h.writer.getStats().failing, { timeout: 15_000 }).toBe(true);
    expect(h.writer.buffered).toBe(300);
    expect(drops.buffer_full).toBe(2700);
    await new Promise((r) => setTimeout(r, 300));
    const errors = logs.filter((l) => l.level >= 50);
    expect(errors, JSON.stringify(errors)).toHaveLength(1);
    expect(JSON.stringify(logs)).not.toContain('pw-not-logged');
    await h.close(2000);
    expect(drops.shutdown).toBe(300);
  });
});
