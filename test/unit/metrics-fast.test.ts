import { spawnSync } from 'node:child_process';
import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { FastCounter, FastHistogram } from '../../src/metrics/fast.js';

describe('FastCounter / FastHistogram', () => {
  it('expose exactly what prom-client would for the same updates, and promtool accepts them', async () => {
    const fast = new Registry();
    const ref = new Registry();
    const fc = new FastCounter('x_total', 'a counter', ['a', 'b'], fast);
    const rc = new Counter({ name: 'x_total', help: 'a counter', labelNames: ['a', 'b'], registers: [ref] });
    const fh = new FastHistogram('x_seconds', 'a histogram', ['g'], [0.001, 0.01, 0.1, 1], fast);
    const rh = new Histogram({ name: 'x_seconds', help: 'a histogram', labelNames: ['g'], buckets: [0.001, 0.01, 0.1, 1], registers: [ref] });
    const updates: [string, string, number][] = [['p', 'q', 1], ['p', 'q', 2.5], ['r', '', 1], ['p', 'z"\\n', 4]];
    for (const [a, b, n] of updates) {
      fc.inc(n, a, b);
      rc.inc({ a, b }, n);
    }
    for (const [g, v] of [['one', 0.0005], ['one', 0.05], ['two', 5], ['one', 0.01]] as [string, number][]) {
      fh.observe(v, g);
      rh.observe({ g }, v);
    }
    const text = await fast.metrics();
    expect(text).toBe(await ref.metrics());
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    if (check.error) throw new Error(`promtool missing: run bash scripts/setup.sh (${check.error.message})`);
    expect(check.status, check.stdout + check.stderr).toBe(0);
  });
});
