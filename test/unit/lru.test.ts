import { describe, expect, it } from 'vitest';
import { LruCache } from '../../src/core/lru.js';

describe('LruCache', () => {
  it('keeps recently used entries and stays bounded', () => {
    const c = new LruCache<number, number>(4);
    for (let i = 0; i < 4; i++) c.set(i, i * 10);
    expect(c.get(0)).toBe(0); // promoted
    for (let i = 4; i < 6; i++) c.set(i, i * 10);
    expect(c.get(0)).toBe(0);
    expect(c.get(1)).toBeUndefined();
    for (let i = 0; i < 1000; i++) c.set(100 + i, i);
    expect(c.size).toBeLessThanOrEqual(4);
  });

  it('a hot key survives heavy churn', () => {
    const c = new LruCache<string, number>(100);
    c.set('hot', 1);
    for (let i = 0; i < 10_000; i++) {
      c.set(`k${i}`, i);
      expect(c.get('hot')).toBe(1);
    }
  });
});
