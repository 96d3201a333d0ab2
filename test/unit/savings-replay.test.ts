/**
 * The cost model on real recorded outcomes: the savings benchmark's runs 7–23 (bench/savings/runs/,
 * each a warm-up of 200 outcomes and 120 measured statements timed on both engines) replayed through
 * the current src/cost, as `npx tsx bench/savings/replay.ts` does. A change to the model that makes
 * its estimates or decisions worse on these outcomes fails here, not only in a 2-minute benchmark.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { replay } from '../../bench/savings/replay.js';
import { warmUpAnalysis } from '../../src/analysis/analyzer.js';

const DIR = 'bench/savings/runs';
const runs = readdirSync(DIR)
  .filter((f) => /^run-\d+\.json\.gz$/.test(f))
  .map((f) => ({ name: f.replace('.json.gz', ''), report: JSON.parse(gunzipSync(readFileSync(`${DIR}/${f}`)).toString('utf8')) }));

/** Each run replayed once (≈ 0.1 s each), shared by the tests below. */
const replayed = new Map<string, ReturnType<typeof replay>['replayed']>();

const byName = (name: string): ReturnType<typeof replay>['replayed'] => {
  const r = replayed.get(name);
  expect(r, name).toBeDefined();
  return r!;
};

beforeAll(async () => {
  await warmUpAnalysis();
  for (const r of runs) replayed.set(r.name, replay(r.report as never).replayed);
});

describe('cost model on the recorded savings runs (deterministic: a guard against regressions)', () => {
  it('runs 10–14: median seconds error ≤ 0.25 on warm, ≤ 0.20 on the routed group; lake ≤ 0.22 on average', () => {
    const lake: number[] = [];
    for (const name of ['run-10', 'run-11', 'run-12', 'run-13', 'run-14']) {
      const r = byName(name);
      expect({ name, warm: r.warm <= 0.25, routed: r.routedGroup <= 0.2 }).toEqual({ name, warm: true, routed: true });
      lake.push(r.lake);
    }
    // The lake runs none of the lookups in the measured run (they go to warm), so its estimates of
    // them rest on the warm-up alone; run 12's lookups then ran 10–20% faster on the lake (0.28).
    expect(lake.reduce((a, b) => a + b, 0) / lake.length).toBeLessThanOrEqual(0.22);
  });

  it('runs 16–23 (the quiet-machine runs of session 5; 22–23 other statements): every group ≤ 0.20; within 3% of the oracle', () => {
    for (const name of ['run-16', 'run-17', 'run-18', 'run-19', 'run-20', 'run-21', 'run-22', 'run-23']) {
      const r = byName(name);
      expect({ name, warm: r.warm <= 0.2, lake: r.lake <= 0.2, routed: r.routedGroup <= 0.2, gap: r.bOnPinnedOverC < 0.03 }).toEqual({ name, warm: true, lake: true, routed: true, gap: true });
    }
  });

  it('all recorded runs: the policy lands within 10% of the oracle in each, 5% on average (1.5% over 17 runs on 2026-12-01; 14.4% before shapes kept their own means)', () => {
    const gaps = runs.map((r) => ({ name: r.name, gap: byName(r.name).bOnPinnedOverC }));
    expect(gaps.length).toBeGreaterThanOrEqual(17);
    for (const g of gaps) expect(g.gap, g.name).toBeLessThan(0.1);
    const mean = gaps.reduce((a, b) => a + b.gap, 0) / gaps.length;
    expect(mean).toBeLessThan(0.05);
  });
});
