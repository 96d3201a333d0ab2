/** Query ids are UUIDv7: canonical form, version and variant bits, time-ordered, unique. */
import { describe, expect, it } from 'vitest';
import { queryId } from '../../src/core/query-id.js';

describe('queryId', () => {
  it('is a canonical UUID version 7 carrying the millisecond it was made', () => {
    const now = Date.UTC(2026, 11, 1, 3, 0, 0, 123);
    const id = queryId(now);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(now);
  });

  it('sorts in creation order and never repeats, also within one millisecond', () => {
    const ms = Date.now() + 10_000;
    const ids = Array.from({ length: 20_000 }, (_, i) => queryId(ms + Math.floor(i / 5000)));
    expect(new Set(ids).size).toBe(ids.length);
    for (let i = 1; i < ids.length; i++) expect(ids[i - 1]! < ids[i]!).toBe(true);
  });
});
