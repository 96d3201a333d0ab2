/** History on a SQLite file: migrations applied once and tracked, WAL, rows round-trip, listing filters, retention, redaction. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { QueryOutcome } from '../../src/core/outcome.js';
import { openHistoryDb, safeErrorMessage, type PersistenceConfig } from '../../src/history/db.js';
import { History } from '../../src/history/history.js';
import { loadMigrations, migrate, splitStatements } from '../../src/history/migrate.js';

const dir = mkdtempSync(join(tmpdir(), 'qf-history-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const DAY = 86_400_000;
const BASE = Date.now();
const persistence = (file: string, over: Partial<PersistenceConfig> = {}): PersistenceConfig => ({ type: 'sqlite', path: join(dir, file), flushIntervalMs: 50, batchSize: 100, maxBufferRows: 1000, redactSql: false, ...over });
const silent = pino({ level: 'silent' });

function outcome(i: number, over: Partial<QueryOutcome> = {}): QueryOutcome {
  return { id: `q${i}`, protocol: 'postgres', user: i % 2 ? 'alice' : 'bob', sql: `select * from t where name = 'x${i}' and n > ${i}`, fingerprint: 'select * from t where name = ? and n > ?', status: i % 3 === 0 ? 'error' : 'ok', errorCode: i % 3 === 0 ? 'QF_ENGINE_ERROR' : undefined, receivedAt: BASE - i * 1000, queuedMs: 0.5, durationMs: 12.5, rows: 3, clientTags: ['etl'], tables: ['t'], kind: 'select', group: 'duck', cluster: 'duck-1', engine: 'duckdb', ...over };
}

describe('history on SQLite', () => {
  it('applies migrations once, tracks them, and runs concurrent migrations safely', async () => {
    // In one process better-sqlite3's lock wait blocks the other connection: a short wait, then a retry.
    const [a, b] = await Promise.all([openHistoryDb(persistence('m.db'), { busyTimeoutMs: 100 }), openHistoryDb(persistence('m.db'), { busyTimeoutMs: 100 })]);
    const results = await Promise.all([migrate(a), migrate(b)]);
    expect(results.flat()).toEqual(loadMigrations('sqlite').map((m) => m.id));
    expect(await migrate(a)).toEqual([]);
    const tracked = await a.prisma.$queryRawUnsafe<{ id: string }[]>('SELECT id FROM queryflux_migrations');
    expect(tracked.map((r) => r.id)).toEqual(['0001_query_history']);
    const mode = await a.prisma.$queryRawUnsafe<{ journal_mode: string }[]>('PRAGMA journal_mode');
    expect(mode[0]!.journal_mode).toBe('wal');
    const indexes = await a.prisma.$queryRawUnsafe<{ name: string }[]>("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'query_history' AND name LIKE 'query_history_%'");
    expect(indexes.map((r) => r.name).sort()).toEqual(['query_history_fingerprint_idx', 'query_history_received_at_idx', 'query_history_status_received_at_idx', 'query_history_user_received_at_idx']);
    await Promise.all([a.close(), b.close()]);
  });

  it('splits migration scripts on statement ends and drops comment lines', () => {
    expect(splitStatements('-- c\nCREATE TABLE a (x int);\nCREATE INDEX i ON a(x);\n')).toEqual(['CREATE TABLE a (x int)', 'CREATE INDEX i ON a(x)']);
  });

  it('writes every field and reads it back; unknown outcome fields land in extra; lists filter and order', async () => {
    const h = await History.start({ persistence: persistence('rows.db'), retentionDays: 30, logger: silent });
    const est = { duck: { usd: 0.01, seconds: 0.2, bytesScanned: 1e6, confidence: 0.7 } };
    h.record({ ...outcome(1), estimates: est, costUsd: 0.012, baselineUsd: 0.05, baselineGroup: 'pg', bytesScanned: 123456789012, translatedFrom: 'postgres', translatedTo: 'duckdb', rule: 'protocolBased', reason: 'postgresWire → duck', database: 'db1', features: { joins: 2 } } as QueryOutcome);
    for (let i = 2; i <= 20; i++) h.record(outcome(i));
    expect(await h.writer.flush()).toBe(0);
    const [first] = await h.store.list({ limit: 1 });
    expect(first).toMatchObject({ id: 'q1', user: 'alice', protocol: 'postgres', status: 'ok', group: 'duck', cluster: 'duck-1', engine: 'duckdb', rule: 'protocolBased', reason: 'postgresWire → duck', translatedFrom: 'postgres', translatedTo: 'duckdb', database: 'db1', clientTags: ['etl'], tables: ['t'], kind: 'select', queuedMs: 0.5, durationMs: 12.5, rows: 3, bytesScanned: 123456789012, estimates: est, costUsd: 0.012, baselineUsd: 0.05, baselineGroup: 'pg', extra: { features: { joins: 2 } } });
    expect(Date.parse(first!.finishedAt) - Date.parse(first!.receivedAt)).toBeCloseTo(12.5, -0.5); // whole ms in the column
    const bob = await h.store.list({ user: 'bob', limit: 100 });
    expect(bob.map((e) => e.id)).toEqual(['q2', 'q4', 'q6', 'q8', 'q10', 'q12', 'q14', 'q16', 'q18', 'q20']);
    const errors = await h.store.list({ status: 'error', limit: 3 });
    expect(errors.map((e) => [e.id, e.errorCode])).toEqual([['q3', 'QF_ENGINE_ERROR'], ['q6', 'QF_ENGINE_ERROR'], ['q9', 'QF_ENGINE_ERROR']]);
    expect((await h.store.list({ since: new Date(BASE - 5_500), limit: 100 })).map((e) => e.id)).toEqual(['q1', 'q2', 'q3', 'q4', 'q5']);
    await h.close();
    // Durable: a new process sees the rows.
    const again = await History.start({ persistence: persistence('rows.db'), retentionDays: 30, logger: silent });
    expect(await again.store.count()).toBe(20);
    await again.close();
  });

  it('a row the database refuses (duplicate id) is dropped and counted; the rest of its batch is written', async () => {
    const drops: Record<string, number> = {};
    const h = await History.start({ persistence: persistence('dup.db'), retentionDays: 30, logger: silent, observer: { dropped: (n, r) => (drops[r] = (drops[r] ?? 0) + n), wrote: () => undefined } });
    h.record(outcome(1));
    await h.writer.flush();
    for (let i = 1; i <= 5; i++) h.record(outcome(i));
    expect(await h.writer.flush()).toBe(0);
    expect(drops).toEqual({ rejected: 1 });
    expect(await h.store.count()).toBe(5);
    await h.close();
  });

  it('redactSql stores the text with literals replaced', async () => {
    const h = await History.start({ persistence: persistence('redact.db', { redactSql: true }), retentionDays: 30, logger: silent });
    h.record(outcome(7, { sql: "select * from users where email = 'a@b.c' and age > 42" }));
    await h.writer.flush();
    expect((await h.store.list())[0]!.sql).toBe('select * from users where email = ? and age > ?');
    await h.close();
  });

  it('retention deletes rows older than queryHistoryRetentionDays and keeps the rest', async () => {
    const h = await History.start({ persistence: persistence('retention.db'), retentionDays: 7, logger: silent });
    const now = Date.now();
    for (const [i, age] of [[1, 1], [2, 6.9], [3, 7.1], [4, 30], [5, 400]] as const) h.record(outcome(i, { receivedAt: now - age * DAY }));
    await h.writer.flush();
    expect(await h.sweep(now)).toBe(3);
    expect((await h.store.list({ limit: 10 })).map((e) => e.id)).toEqual(['q1', 'q2']);
    expect(await h.sweep(now)).toBe(0);
    await h.close();
  });

  it('a history worker that dies is replaced; its rows are written by the next one', async () => {
    const h = await History.start({ persistence: persistence('crash.db'), retentionDays: 30, logger: silent });
    for (let i = 1; i <= 10; i++) h.record(outcome(i));
    expect(await h.writer.flush()).toBe(0);
    const target = (h as unknown as { writes: { worker?: { terminate(): Promise<number> } } }).writes;
    await target.worker!.terminate();
    for (let i = 11; i <= 20; i++) h.record(outcome(i));
    expect(await h.writer.flush()).toBe(0);
    expect(await h.store.count()).toBe(20);
    expect(h.writer.getStats().dropped).toBe(0);
    await h.close();
  });

  it('inMemory persistence works without touching the disk', async () => {
    const h = await History.start({ persistence: persistence('unused.db', { type: 'inMemory' }), retentionDays: 30, logger: silent });
    h.record(outcome(1));
    await h.writer.flush();
    expect(await h.store.count()).toBe(1);
    await h.close();
  });

  it('masks credentials in logged errors', () => {
    expect(safeErrorMessage(new Error('connect to postgres://qf:hunter2@db:5432/x failed; password=hunter2'))).toBe('connect to postgres://***@db:5432/x failed; password=***');
  });
});
