/**
 * Savings report on a fixed history: every number checked against a hand computation (in the
 * comments), once from entries in memory and once through a real SQLite file (writer → Prisma →
 * scan → report), plus the baseline semantics and the output formats.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { QueryOutcome } from '../../src/core/outcome.js';
import type { CostEstimate } from '../../src/cost/types.js';
import { formatSavings } from '../../src/history/format.js';
import { History } from '../../src/history/history.js';
import { savingsReport } from '../../src/history/report.js';
import { computeSavings, errorStats, type SavingsLine, type SavingsReport } from '../../src/history/savings.js';

const T0 = Date.parse('2026-11-30T12:00:00Z');
const est = (usd: number, seconds = 1): CostEstimate => ({ usd, seconds, bytesScanned: 0, confidence: 0.5 });

interface Fx {
  id: string;
  user: string;
  tags: string[];
  engine?: string;
  group?: string;
  fp: string;
  cost?: number;
  baseline?: number;
  estimates?: Record<string, CostEstimate>;
  ms: number;
  status?: QueryOutcome['status'];
}

// Groups: duck (engine duckdb), pg (engine postgres).
const FIXTURE: Fx[] = [
  { id: 'r1', user: 'alice', tags: ['etl'], engine: 'duckdb', group: 'duck', fp: 'F1', cost: 1, baseline: 3, estimates: { duck: est(1.2, 2), pg: est(2.5) }, ms: 1000 },
  { id: 'r2', user: 'alice', tags: ['etl', 'nightly'], engine: 'duckdb', group: 'duck', fp: 'F1', cost: 2, baseline: 5, estimates: { duck: est(1.6, 4), pg: est(4.0) }, ms: 5000 },
  { id: 'r3', user: 'bob', tags: [], engine: 'postgres', group: 'pg', fp: 'F2', cost: 4, baseline: 4, estimates: { duck: est(3.0, 1), pg: est(5.0, 2) }, ms: 2000 },
  { id: 'r4', user: 'bob', tags: ['adhoc'], engine: 'postgres', group: 'pg', fp: 'F3', cost: 6, baseline: 5, estimates: { pg: est(6.0, 3) }, ms: 1000 },
  { id: 'r5', user: 'carol', tags: ['adhoc'], engine: 'duckdb', group: 'duck', fp: 'F4', cost: 0.5, estimates: { duck: est(0.5, 0.5) }, ms: 400 },
  { id: 'r6', user: 'carol', tags: [], fp: 'F5', ms: 0, status: 'denied' },
  { id: 'r7', user: 'alice', tags: ['etl'], engine: 'duckdb', group: 'duck', fp: 'F1', cost: 0, baseline: 1, ms: 10 },
];

function outcomeOf(f: Fx, i: number): QueryOutcome {
  return {
    id: f.id, protocol: 'postgres', user: f.user, sql: `select ${i} /* ${f.fp} */`, fingerprint: f.fp, group: f.group, cluster: f.group && `${f.group}-1`, engine: f.engine,
    status: f.status ?? 'ok', receivedAt: T0 + i * 1000, queuedMs: 0, durationMs: f.ms, rows: 1, clientTags: f.tags, tables: [],
    estimates: f.estimates, costUsd: f.cost, baselineUsd: f.baseline, baselineGroup: f.baseline === undefined ? undefined : 'pg',
  };
}

const entries = () =>
  FIXTURE.map((f, i) => {
    const o = outcomeOf(f, i);
    return {
      id: o.id, receivedAt: new Date(o.receivedAt).toISOString(), finishedAt: '', protocol: o.protocol, user: o.user, database: null, clientTags: o.clientTags, fingerprint: o.fingerprint, sql: o.sql,
      kind: null, tables: [], group: o.group ?? null, cluster: o.cluster ?? null, engine: o.engine ?? null, rule: null, reason: null, translatedFrom: null, translatedTo: null, status: o.status,
      errorCode: null, queuedMs: 0, durationMs: o.durationMs, rows: 1, bytesScanned: null, estimates: o.estimates ?? null, costUsd: o.costUsd ?? null, baselineUsd: o.baselineUsd ?? null,
      baselineGroup: o.baselineGroup ?? null, extra: null,
    };
  });

const ENGINE_GROUPS = new Map([['duckdb', ['duck']], ['postgres', ['pg']]]);

function expectLine(l: SavingsLine | undefined, want: Partial<Record<keyof SavingsLine, number | null>> & { queries: number }): void {
  expect(l).toBeDefined();
  for (const [k, v] of Object.entries(want)) {
    if (v === null) expect(l![k as keyof SavingsLine], k).toBeNull();
    else expect(l![k as keyof SavingsLine] as number, `${l!.key}.${k}`).toBeCloseTo(v, 9);
  }
}
const find = (lines: readonly SavingsLine[], key: string) => lines.find((l) => l.key === key);

/** Hand computation for the default baseline (each record's baselineUsd). */
function checkDefaultBaseline(r: SavingsReport): void {
  expect(r.baseline).toBe('per-record baselineUsd');
  // compared r1 (1 vs 3), r2 (2 vs 5), r3 (4 vs 4), r4 (6 vs 5), r7 (0 vs 1): paid 13, baseline 18, saved 5 = 27.78 %;
  // r5 has a cost (0.5) but no baseline; r6 was denied and has no cost.
  // The baseline group is pg: r3 and r4 ran there (4 + 5 measured), r1 r2 r7 ran on duck (3 + 5 + 1 estimated).
  expectLine(r.total, { queries: 7, compared: 5, paidUsd: 13, baselineUsd: 18, baselineEstimatedUsd: 9, savedUsd: 5, savedPct: (5 / 18) * 100, noBaseline: 1, noBaselinePaidUsd: 0.5, unpriced: 1 });
  // duckdb: r1 r2 r7 compared (3 vs 9), r5 no baseline; postgres: r3 r4 (10 vs 9); (none): r6.
  expectLine(find(r.byEngine, 'duckdb'), { queries: 4, compared: 3, paidUsd: 3, baselineUsd: 9, savedUsd: 6, savedPct: (6 / 9) * 100, noBaseline: 1, noBaselinePaidUsd: 0.5, unpriced: 0 });
  expectLine(find(r.byEngine, 'postgres'), { queries: 2, compared: 2, paidUsd: 10, baselineUsd: 9, savedUsd: -1, savedPct: (-1 / 9) * 100 });
  expectLine(find(r.byEngine, '(none)'), { queries: 1, compared: 0, paidUsd: 0, baselineUsd: 0, savedPct: null, unpriced: 1 });
  expect(r.byEngine.map((l) => l.key)).toEqual(['postgres', 'duckdb', '(none)']); // by money paid
  // Groups: pg r3 r4 (10 vs 9, both measured); duck r1 r2 r7 (3 vs 9, all estimated) + r5 no baseline; (none) r6.
  expectLine(find(r.byGroup, 'pg'), { queries: 2, compared: 2, paidUsd: 10, baselineUsd: 9, baselineEstimatedUsd: 0, savedUsd: -1 });
  expectLine(find(r.byGroup, 'duck'), { queries: 4, compared: 3, paidUsd: 3, baselineUsd: 9, baselineEstimatedUsd: 9, savedUsd: 6, noBaseline: 1 });
  expectLine(find(r.byGroup, '(none)'), { queries: 1, compared: 0, unpriced: 1 });
  expectLine(find(r.byUser, 'alice'), { queries: 3, compared: 3, paidUsd: 3, baselineUsd: 9, savedUsd: 6 });
  expectLine(find(r.byUser, 'bob'), { queries: 2, compared: 2, paidUsd: 10, baselineUsd: 9, savedUsd: -1 });
  expectLine(find(r.byUser, 'carol'), { queries: 2, compared: 0, noBaseline: 1, noBaselinePaidUsd: 0.5, unpriced: 1, savedPct: null });
  // A query counts under each of its tags: etl r1 r2 r7; nightly r2; adhoc r4 (+ r5 no baseline); untagged r3 r6.
  expectLine(find(r.byTag, 'etl'), { queries: 3, compared: 3, paidUsd: 3, baselineUsd: 9, savedUsd: 6 });
  expectLine(find(r.byTag, 'nightly'), { queries: 1, paidUsd: 2, baselineUsd: 5, savedUsd: 3, savedPct: 60 });
  expectLine(find(r.byTag, 'adhoc'), { queries: 2, compared: 1, paidUsd: 6, baselineUsd: 5, savedUsd: -1, noBaseline: 1 });
  expectLine(find(r.byTag, '(untagged)'), { queries: 2, compared: 1, paidUsd: 4, baselineUsd: 4, savedUsd: 0, savedPct: 0, unpriced: 1 });
  // Fingerprints: F1 saved 6 (r1 r2 r7), F2 saved 0 (in neither list), F3 lost 1, F4/F5 not comparable.
  expect(r.topSaving.map((l) => [l.fingerprint, l.savedUsd, l.queries])).toEqual([['F1', 6, 3]]);
  expect(r.topSaving[0]!.engines).toEqual(['duckdb']);
  expect(r.topLosing.map((l) => [l.fingerprint, l.savedUsd])).toEqual([['F3', -1]]);
  // Accuracy, estimate of the group that ran it vs actual:
  // seconds r1 |2-1|/1=1, r2 |4-5|/5=0.2, r3 0, r4 |3-1|/1=2, r5 |0.5-0.4|/0.4=0.25 → sorted 0 .2 .25 1 2: median .25, p90 (5th of 5) 2
  // usd     r1 .2/1=.2, r2 .4/2=.2, r3 1/4=.25, r4 0, r5 0 → sorted 0 0 .2 .2 .25: median .2, p90 .25
  const a = r.accuracy.total;
  expect(a.seconds.n).toBe(5);
  expect(a.seconds.median).toBeCloseTo(0.25, 9);
  expect(a.seconds.p90).toBeCloseTo(2, 9);
  expect(a.usd.n).toBe(5);
  expect(a.usd.median).toBeCloseTo(0.2, 9);
  expect(a.usd.p90).toBeCloseTo(0.25, 9);
  // duckdb: seconds r1 1, r2 .2, r5 .25 → median .25; postgres: r3 0, r4 2 → median 1 (mean of the two).
  expect(r.accuracy.byEngine.find((x) => x.key === 'duckdb')!.seconds.median).toBeCloseTo(0.25, 9);
  expect(r.accuracy.byEngine.find((x) => x.key === 'postgres')!.seconds.median).toBeCloseTo(1, 9);
}

describe('savings report (hand computation on a fixed history)', () => {
  it('default baseline: each record’s baselineUsd', async () => {
    checkDefaultBaseline(await computeSavings(entries()));
  });

  it('--baseline pg (a group): that group’s estimate, the actual cost where it ran on pg, no estimate = "no baseline"', async () => {
    const r = await computeSavings(entries(), { baseline: { name: 'pg', engineGroups: ENGINE_GROUPS } });
    expect(r.baseline).toBe('group pg');
    // r1 est pg 2.5, r2 est pg 4, r3 ran on pg → 4, r4 ran on pg → 6: paid 13, baseline 16.5, saved 3.5;
    // r5 and r7 have no pg estimate → no baseline (paid 0.5 + 0).
    expectLine(r.total, { queries: 7, compared: 4, paidUsd: 13, baselineUsd: 16.5, baselineEstimatedUsd: 6.5, savedUsd: 3.5, savedPct: (3.5 / 16.5) * 100, noBaseline: 2, noBaselinePaidUsd: 0.5, unpriced: 1 });
    expectLine(find(r.byEngine, 'duckdb'), { queries: 4, compared: 2, paidUsd: 3, baselineUsd: 6.5, savedUsd: 3.5, noBaseline: 2 });
  });

  it('--baseline postgres (an engine): the estimate of its group; same numbers as group pg here', async () => {
    const r = await computeSavings(entries(), { baseline: { name: 'postgres', engineGroups: ENGINE_GROUPS } });
    expect(r.baseline).toBe('engine postgres');
    expectLine(r.total, { queries: 7, compared: 4, paidUsd: 13, baselineUsd: 16.5, baselineEstimatedUsd: 6.5, savedUsd: 3.5, noBaseline: 2 });
  });

  it('--baseline duck: queries that ran there cost what they cost; r4 has no duck estimate', async () => {
    const r = await computeSavings(entries(), { baseline: { name: 'duck', engineGroups: ENGINE_GROUPS } });
    // r1 1, r2 2, r3 est duck 3, r5 0.5, r7 0 → paid 1+2+4+0.5+0 = 7.5, baseline 6.5, saved −1; r4 (6) no baseline.
    expectLine(r.total, { queries: 7, compared: 5, paidUsd: 7.5, baselineUsd: 6.5, baselineEstimatedUsd: 3, savedUsd: -1, noBaseline: 1, noBaselinePaidUsd: 6 });
    expect(r.topLosing.map((l) => l.fingerprint)).toEqual(['F2']);
  });

  it('median and p90 definitions', () => {
    expect(errorStats([])).toEqual({ n: 0, median: null, p90: null });
    expect(errorStats([3, 1, 2])).toEqual({ n: 3, median: 2, p90: 3 });
    expect(errorStats([1, 2, 3, 4])).toEqual({ n: 4, median: 2.5, p90: 4 });
    expect(errorStats([...Array(10).keys()].map((i) => i + 1))).toEqual({ n: 10, median: 5.5, p90: 9 });
  });

  it('estimate accuracy compares busy seconds: time queued at the proxy is not counted', async () => {
    const [e] = entries();
    const queued = { ...e!, durationMs: 3000, queuedMs: 1000 }; // r1's duck estimate: 2 s
    const r = await computeSavings([queued]);
    expect(r.accuracy.total.seconds.median).toBeCloseTo(0, 9);
  });

  it('formats: json round-trips, csv has a line per slice, markdown and table carry the totals', async () => {
    const r = await computeSavings(entries());
    expect(JSON.parse(formatSavings(r, 'json'))).toEqual(JSON.parse(JSON.stringify(r)));
    const csv = formatSavings(r, 'csv').trim().split('\n');
    expect(csv[0]).toMatch(/^section,key,queries,compared,paid_usd,baseline_usd,saved_usd,saved_pct/);
    expect(csv[1]).toBe('total,total,7,5,13,18,5,27.77777777777778,1,0.5,1,9,,,,,');
    expect(csv.filter((l) => l.startsWith('engine,'))).toHaveLength(3);
    expect(csv.filter((l) => l.startsWith('accuracy,'))).toHaveLength(6);
    const md = formatSavings(r, 'markdown');
    expect(md).toContain('Paid 13.00 $, saved 5.00 $ (27.8%) of 18.00 $ baseline, 50.0% of it estimated');
    // etl: r1 r2 r7 all ran on duck: their whole baseline (9) is pg's estimate.
    expect(md).toContain('| etl | 3 | 3 | 3.00 | 9.00 | 9.00 | 6.00 | 66.7% |');
    const table = formatSavings(r, 'table');
    expect(table).toContain('paid 13.00 $, saved 5.00 $ (27.8%) of 18.00 $ baseline');
    expect(table).toMatch(/Top losing queries[^\n]*\n[^\n]+\n[^\n]+\nselect 3 \/\* F3 \*\//);
  });
});

describe('savings report through a SQLite history file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qf-savings-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writer → SQLite → scan gives the same report as the hand computation', async () => {
    const history = await History.start({
      persistence: { type: 'sqlite', path: join(dir, 'h.db'), flushIntervalMs: 50, batchSize: 3, maxBufferRows: 100, redactSql: false },
      retentionDays: 100_000,
      logger: pino({ level: 'silent' }),
    });
    FIXTURE.forEach((f, i) => history.record(outcomeOf(f, i)));
    // Rows outside the window are not counted.
    history.record({ ...outcomeOf(FIXTURE[0]!, 0), id: 'old', receivedAt: T0 - 86_400_000, costUsd: 100, baselineUsd: 1 });
    expect(await history.writer.flush()).toBe(0);
    const r = await savingsReport(history.store, { since: new Date(T0 - 1000), until: new Date(T0 + 3_600_000) });
    checkDefaultBaseline(r);
    expect(r).toEqual(await computeSavings(entries(), { since: new Date(T0 - 1000), until: new Date(T0 + 3_600_000) }));
    // Paging does not change the result.
    const paged = await computeSavings(history.store.scan({ since: new Date(T0 - 1000) }, 2));
    expect(paged.total).toEqual(r.total);
    await history.close();
  });
});
