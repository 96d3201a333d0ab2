/** The batched history writer with a fake database: bounded buffer, drops counted, one log per outage, refused rows isolated, flush on close. */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { QueryOutcome } from '../../src/core/outcome.js';
import { HistoryWriter, type DropReason, type HistoryTarget } from '../../src/history/writer.js';

function outcome(i: number | string): QueryOutcome {
  return { id: String(i), protocol: 'postgres', user: 'u', sql: 'select 1', fingerprint: 'select ?', status: 'ok', receivedAt: 0, queuedMs: 0, durationMs: 1, rows: 1, clientTags: [], tables: [] };
}

class FakeDb implements HistoryTarget {
  up = true;
  rows: string[] = [];
  batches: number[] = [];
  refuse = new Set<string>();
  async insert(batch: readonly QueryOutcome[]): Promise<void> {
    await new Promise((r) => setTimeout(r, 1));
    if (!this.up) throw new Error('connect ECONNREFUSED postgres://qf:secret@db:5432/h');
    if (batch.some((o) => this.refuse.has(o.id))) throw new Error('constraint violation');
    this.batches.push(batch.length);
    this.rows.push(...batch.map((o) => o.id));
  }
  async insertOne(o: QueryOutcome): Promise<void> {
    return this.insert([o]);
  }
  refused(err: unknown): boolean {
    return (err as Error).message === 'constraint violation';
  }
}

function setup(db: FakeDb, over: Partial<{ batchSize: number; maxBufferRows: number; flushIntervalMs: number }> = {}) {
  const logs: { level: number; msg: string; [k: string]: unknown }[] = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => logs.push(JSON.parse(s)) });
  const drops: Record<string, number> = {};
  let wroteRows = 0;
  const writer = new HistoryWriter(db, {
    batchSize: 10,
    maxBufferRows: 100,
    flushIntervalMs: 10,
    maxBackoffMs: 20,
    ...over,
    logger,
    observer: { dropped: (n: number, r: DropReason) => (drops[r] = (drops[r] ?? 0) + n), wrote: (n: number) => (wroteRows += n) },
  });
  return { writer, logs, drops, wrote: () => wroteRows };
}

const until = async (cond: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('history writer', () => {
  it('record() does no I/O: batches are written later, in order, at most batchSize each', async () => {
    const db = new FakeDb();
    const { writer, wrote } = setup(db);
    for (let i = 0; i < 95; i++) writer.record(outcome(i));
    expect(db.rows).toHaveLength(0);
    expect(writer.buffered).toBe(95);
    await until(() => db.rows.length === 95);
    expect(db.rows).toEqual(Array.from({ length: 95 }, (_, i) => String(i)));
    expect(Math.max(...db.batches)).toBeLessThanOrEqual(10);
    expect(wrote()).toBe(95);
    await writer.close();
  });

  it('with the database down the buffer stays bounded, drops are counted, the outage is logged once without secrets, and writing resumes', async () => {
    const db = new FakeDb();
    db.up = false;
    const { writer, logs, drops } = setup(db);
    for (let i = 0; i < 1000; i++) {
      writer.record(outcome(i));
      expect(writer.buffered).toBeLessThanOrEqual(100);
      if (i % 100 === 0) await new Promise((r) => setTimeout(r, 15));
    }
    expect(writer.buffered).toBe(100);
    expect(drops.buffer_full).toBe(900);
    expect(writer.getStats()).toMatchObject({ dropped: 900, failing: true });
    await new Promise((r) => setTimeout(r, 100));
    const errors = logs.filter((l) => l.level >= 50);
    expect(errors).toHaveLength(1);
    expect(JSON.stringify(errors[0])).not.toContain('secret');
    expect(JSON.stringify(errors[0])).toContain('***@db');
    db.up = true;
    await until(() => db.rows.length === 100);
    // The oldest buffered rows are kept, the newest dropped.
    expect(db.rows[0]).toBe('0');
    // Drops before the first failed attempt may be reported as 'buffer full' instead (timing).
    expect(logs.some((l) => l.msg.includes('writable again') && (l.droppedDuringOutage as number) > 0)).toBe(true);
    await writer.close();
  });

  it('a row the database refuses is dropped (counted) and the rest of its batch is written', async () => {
    const db = new FakeDb();
    db.refuse.add('bad');
    const { writer, drops } = setup(db);
    for (let i = 0; i < 5; i++) writer.record(outcome(i));
    writer.record(outcome('bad'));
    for (let i = 5; i < 25; i++) writer.record(outcome(i));
    await until(() => db.rows.length === 25);
    expect(db.rows).not.toContain('bad');
    expect(drops.rejected).toBe(1);
    await writer.close();
  });

  it('close() writes everything buffered; rows recorded after close are dropped as shutdown', async () => {
    const db = new FakeDb();
    const { writer, drops } = setup(db, { flushIntervalMs: 60_000, batchSize: 1000, maxBufferRows: 5000 });
    for (let i = 0; i < 999; i++) writer.record(outcome(i));
    expect(db.rows).toHaveLength(0);
    await writer.close();
    expect(db.rows).toHaveLength(999);
    writer.record(outcome('late'));
    expect(drops.shutdown).toBe(1);
  });

  it('close() with the database down gives up after its timeout and counts what is lost', async () => {
    const db = new FakeDb();
    db.up = false;
    const { writer, drops, logs } = setup(db);
    for (let i = 0; i < 50; i++) writer.record(outcome(i));
    await writer.close(200);
    expect(drops.shutdown).toBe(50);
    expect(writer.buffered).toBe(0);
    expect(logs.some((l) => l.msg.includes('not written at shutdown') && l.rows === 50)).toBe(true);
  });
});
