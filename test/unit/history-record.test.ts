/** Outcome → history row: the column values in insert order, the Prisma row, and time text as Date gives it. */
import { describe, expect, it } from 'vitest';
import type { QueryOutcome } from '../../src/core/outcome.js';
import { INSERT_COLUMNS, isoTimeText, rowValues, toRow } from '../../src/history/record.js';

const full: QueryOutcome = {
  id: 'q-1', protocol: 'postgres', user: 'ana', sql: "select * from t where a = 'x' and b = 7", fingerprint: 'select * from t where a = ? and b = ?',
  group: 'warm', cluster: 'warm-1', engine: 'duckdb', rule: 'routers[0] policy', reason: 'cheapest', translatedFrom: 'postgres', translatedTo: 'duckdb',
  status: 'ok', receivedAt: Date.UTC(2026, 11, 1, 10, 0, 0, 7), queuedMs: 1.5, durationMs: 12.75, rows: 3.4, database: 'demo', clientTags: ['bi', 'team:x'],
  tables: ['t'], kind: 'select', bytesScanned: 1e6, estimates: { warm: { usd: 1e-6, seconds: 0.01, bytesScanned: 1e6, confidence: 0.5 } },
  costUsd: 2e-6, baselineUsd: 3e-6, baselineGroup: 'warm',
};

describe('history rows', () => {
  it('maps every column of a full outcome, in INSERT_COLUMNS order', () => {
    const values: unknown[] = [];
    rowValues(full, false, (ms) => ms, values, 0);
    const byColumn = Object.fromEntries(INSERT_COLUMNS.map(([, column], i) => [column, values[i]]));
    expect(values).toHaveLength(INSERT_COLUMNS.length);
    expect(byColumn).toEqual({
      id: 'q-1', received_at: full.receivedAt, finished_at: full.receivedAt + 12.75, protocol: 'postgres', user_name: 'ana', database_name: 'demo',
      client_tags: '["bi","team:x"]', fingerprint: full.fingerprint, sql_text: full.sql, statement_kind: 'select', tables: '["t"]', group_name: 'warm',
      cluster: 'warm-1', engine: 'duckdb', rule: 'routers[0] policy', reason: 'cheapest', translated_from: 'postgres', translated_to: 'duckdb',
      status: 'ok', error_code: null, queued_ms: 1.5, duration_ms: 12.75, row_count: 3n, bytes_scanned: 1000000n,
      estimates: JSON.stringify(full.estimates), cost_usd: 2e-6, baseline_usd: 3e-6, baseline_group: 'warm', extra: null,
    });
  });

  it('fills defaults, keeps unknown fields in extra, redacts literals, writes from an offset', () => {
    const o = { id: 'q-2', protocol: 'mysql', user: 'bo', sql: "select 'secret', 42", fingerprint: 'select ?, ?', status: 'error', errorCode: '42P01', receivedAt: 1000, durationMs: Number.NaN, estimates: {}, note: 'n', skipped: undefined } as unknown as QueryOutcome;
    const values = new Array<unknown>(INSERT_COLUMNS.length + 2).fill('untouched');
    rowValues(o, true, (ms) => ms, values, 2);
    expect(values.slice(0, 2)).toEqual(['untouched', 'untouched']);
    const row = Object.fromEntries(INSERT_COLUMNS.map(([, column], i) => [column, values[i + 2]]));
    expect(row).toMatchObject({
      sql_text: 'select ?, ?', finished_at: 1000, duration_ms: 0, queued_ms: 0, row_count: 0n, bytes_scanned: null, client_tags: '[]', tables: '[]',
      estimates: null, database_name: null, group_name: null, error_code: '42P01', extra: '{"note":"n"}',
    });
  });

  it('toRow gives Prisma the same values with Date times', () => {
    const row = toRow(full, false) as unknown as Record<string, unknown>;
    expect(row.receivedAt).toEqual(new Date(full.receivedAt));
    expect(row.finishedAt).toEqual(new Date(full.receivedAt + 12.75));
    expect(row.userName).toBe('ana');
    expect(row.rowCount).toBe(3n);
    expect(Object.keys(row)).toEqual(INSERT_COLUMNS.map(([field]) => field));
  });

  it('time text equals Date.toISOString for any time, in any order', () => {
    const z = isoTimeText('Z');
    const plus = isoTimeText('+00:00');
    const times = [0, 999, 1000, 1000.999, -1, -1000.5, 253402300799999, 253402300800000, Date.UTC(2024, 1, 29, 23, 59, 59, 999)];
    let t = Date.UTC(2026, 11, 1);
    for (let i = 0; i < 5_000; i++) times.push((t += Math.random() < 0.5 ? Math.random() * 3 : Math.random() * 5000 - 1000));
    for (let i = 0; i < 2_000; i++) times.push(Math.random() * 8e15 - 4e15);
    for (const ms of times) {
      const want = new Date(ms).toISOString();
      expect(z(ms)).toBe(want);
      expect(plus(ms)).toBe(want.replace('Z', '+00:00'));
    }
    expect(() => z(Number.NaN)).toThrow(RangeError);
    for (let i = 0; i < 2; i++) expect(() => z(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => z(9e15)).toThrow(RangeError);
    expect(z(8.64e15)).toBe(new Date(8.64e15).toISOString());
    expect(() => z(8.64e15 + 500)).toThrow(RangeError); // same second as the last valid time
    expect(z(-8.64e15)).toBe(new Date(-8.64e15).toISOString());
  });
});
