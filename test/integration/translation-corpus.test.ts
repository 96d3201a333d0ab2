/**
 * The translation correctness corpus against real engines (PostgreSQL 15, MariaDB, DuckDB): every
 * case of test/fixtures/translation is translated for each target and mode, executed, and compared
 * with its reference (see test/fixtures/translation/corpus.ts and compare.ts). Writes
 * .tmp/translation-corpus.json, which `npx tsx scripts/translation-matrix.ts` turns into
 * docs/translation.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCases, PAIRS, runCorpus, startEngines, type CorpusReport } from '../fixtures/translation/corpus.js';

// Issue 4's target: at least 90% of the cases correct per pair in bestEffort.
const TARGET = 0.9;

describe('translation corpus', () => {
  let engines: Awaited<ReturnType<typeof startEngines>> | undefined;
  let report: CorpusReport;

  beforeAll(async () => {
    engines = await startEngines();
    report = await runCorpus(engines);
    mkdirSync('.tmp', { recursive: true });
    writeFileSync('.tmp/translation-corpus.json', JSON.stringify(report, null, 1));
  }, 240_000);

  afterAll(async () => {
    await engines?.close();
  });

  it('has at least 150 Trino, 50 PostgreSQL and 50 MySQL cases, each with a unique id', () => {
    const cases = loadCases();
    const count = (s: string): number => cases.filter((c) => c.source === s).length;
    expect(count('trino')).toBeGreaterThanOrEqual(150);
    expect(count('postgres')).toBeGreaterThanOrEqual(50);
    expect(count('mysql')).toBeGreaterThanOrEqual(50);
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
    for (const c of cases.filter((x) => x.source === 'trino')) expect(c.expect, c.id).toBeDefined();
  });

  it('runs every reference without error (PostgreSQL and MariaDB run the originals)', () => {
    expect(report.referenceErrors).toEqual([]);
  });

  it('strict mode never returns a silently wrong result', () => {
    const wrong = report.results.filter((r) => r.mode === 'strict' && r.status === 'wrong').map((r) => `${r.source}>${r.target} ${r.id}: ${r.detail}`);
    expect(wrong).toEqual([]);
  });

  it('strict refusals name the construct', () => {
    for (const r of report.results.filter((x) => x.mode === 'strict' && x.status === 'refused')) {
      expect(r.detail, r.id).toMatch(/cannot translate|refusing to translate/);
      expect(r.detail!.split(':').at(-1)!.trim().length, r.id).toBeGreaterThan(0);
    }
  });

  it.each(PAIRS.map(([s, t]) => `${s}>${t}`))('bestEffort correctness for %s', (pair) => {
    const s = report.summary[pair]!.bestEffort;
    const rate = s.pass / s.total;
    expect(s.total).toBeGreaterThan(0);
    expect(rate, `${pair}: ${s.pass}/${s.total} (${JSON.stringify(s)})`).toBeGreaterThanOrEqual(TARGET);
  });
});
