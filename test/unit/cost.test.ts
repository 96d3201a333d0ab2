import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyze, warmUpAnalysis } from '../../src/analysis/analyzer.js';
import { loadCards, priceUsd, type PricingCard } from '../../src/cost/cards.js';
import { BUILTIN_CARDS } from '../../src/cost/index.js';
import { CostModel, priorSeconds, type CostTarget } from '../../src/cost/model.js';
import { TableStatsStore } from '../../src/cost/stats.js';

const cards = loadCards([BUILTIN_CARDS], process.cwd());
const card = (name: string): PricingCard => cards.get(name)!;

beforeAll(async () => {
  await warmUpAnalysis();
});

describe('pricing cards', () => {
  it('every built-in card is valid and cites its source', () => {
    expect([...cards.keys()].sort()).toEqual(['athena', 'bigquery', 'duckdb', 'postgres', 'snowflake', 'starrocks', 'trino']);
    for (const name of cards.keys()) expect(readFileSync(join(BUILTIN_CARDS, `${name}.yaml`), 'utf8')).toMatch(/Source[s]?: https:\/\//);
  });

  it('scan pricing: $5/TB, 10 MB minimum, rounded up to the MB (Athena)', () => {
    const a = card('athena');
    expect(priceUsd(a, { seconds: 100, bytesScanned: 0 })).toBeCloseTo((10e6 / 1e12) * 5, 12); // the minimum
    expect(priceUsd(a, { seconds: 1, bytesScanned: 1e12 })).toBeCloseTo(5, 9);
    expect(priceUsd(a, { seconds: 1, bytesScanned: 50_000_001 })).toBeCloseTo((51e6 / 1e12) * 5, 12); // 51 MB billed
    // BigQuery bills TiB: 1 TiB = $6.25.
    expect(priceUsd(card('bigquery'), { seconds: 1, bytesScanned: 2 ** 40 })).toBeCloseTo(6.25, 9);
  });

  it('compute pricing: node-hours of busy time, or uptime spread over utilization', () => {
    const t = card('trino'); // 4 nodes × $0.504/h
    expect(priceUsd(t, { seconds: 3600, bytesScanned: 1e15 })).toBeCloseTo(4 * 0.504, 9);
    expect(priceUsd(t, { seconds: 10, bytesScanned: 0 }, 8)).toBeCloseTo((10 * 8 * 0.504) / 3600, 12);
    const uptime: PricingCard = { ...t, compute: { ...t.compute!, billing: 'uptime', utilization: 0.25 } };
    expect(priceUsd(uptime, { seconds: 10, bytesScanned: 0 })).toBeCloseTo(((10 * 4 * 0.504) / 3600) * 4, 12);
  });

  it('credit pricing: per second with a 60 s minimum', () => {
    const s = card('snowflake'); // 1 credit/h × $2
    expect(priceUsd(s, { seconds: 1, bytesScanned: 0 })).toBeCloseTo((60 / 3600) * 2, 12);
    expect(priceUsd(s, { seconds: 7200, bytesScanned: 0 })).toBeCloseTo(4, 9);
  });

  it('a broken card is refused with its file and key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qf-cards-'));
    writeFileSync(join(dir, 'bad.yaml'), 'name: bad\nengine: x\nmodel: scan\nperformance: {overheadMs: 1, mbPerSecond: 1}\n');
    expect(() => loadCards([dir], dir)).toThrow(/bad\.yaml.*scan, compute or credits/);
    writeFileSync(join(dir, 'bad.yaml'), 'name: bad\nengine: x\nmodel: scan\nscan: {usdPerTB: -1}\nperformance: {overheadMs: 1, mbPerSecond: 1}\n');
    expect(() => loadCards([dir], dir)).toThrow(/bad\.yaml: scan\.usdPerTB/);
  });
});

function model(targets: CostTarget[], stats = new TableStatsStore(), statePath = '') {
  return new CostModel({ targets, stats, baselineGroup: targets[0]!.group, calibration: { enabled: true, statePath, forgetting: 0.995 } });
}

describe('estimates', () => {
  const stats = new TableStatsStore({ lineitem: { rows: 6_000_000, bytes: 2e9, columns: 16 }, orders: { rows: 1_500_000, bytes: 4e8, columns: 9 } });
  const targets: CostTarget[] = [
    { cluster: 'duck', group: 'compute', engineKind: 'duckdb', card: card('duckdb'), weight: 1 },
    { cluster: 'lake', group: 'scan', engineKind: 'duckdb', card: card('athena'), weight: 1 },
  ];

  it('bytes follow the columns a query reads on columnar engines; dollars follow the card', () => {
    const m = model(targets, stats);
    const narrow = analyze('select sum(l_extendedprice) from lineitem where l_shipdate > date \'1998-01-01\'', 'postgres');
    const wide = analyze('select * from lineitem', 'postgres');
    const e1 = m.estimate(narrow, ['compute', 'scan']);
    const e2 = m.estimate(wide, ['compute', 'scan']);
    expect(e1.scan!.bytesScanned).toBeCloseTo((2e9 * 2) / 16, 0);
    expect(e2.scan!.bytesScanned).toBeCloseTo(2e9, 0);
    expect(e1.scan!.usd).toBeCloseTo(priceUsd(card('athena'), { seconds: 0, bytesScanned: (2e9 * 2) / 16 }), 12);
    expect(e2.scan!.usd).toBeGreaterThan(e1.scan!.usd);
    expect(e1.compute!.seconds).toBeLessThan(e2.compute!.seconds);
    expect(e1.compute!.confidence).toBeGreaterThan(0);
    // Unknown tables lower the confidence.
    const unknown = m.estimate(analyze('select * from nowhere', 'postgres'), ['compute']).compute!;
    expect(unknown.confidence).toBeLessThan(e1.compute!.confidence);
  });

  it('per-column sizes, SELECT * per table, range pruning on sorted columns, per-group statistics', () => {
    const lakeStats = {
      rows: 3_000_000,
      bytes: 151e6,
      columns: 4,
      columnBytes: { e_id: 20e6, e_ts: 5e6, e_kind: 0.02e6, e_payload: 106e6 },
      sortedBy: ['e_ts'],
      columnRanges: { e_ts: { min: '2024-01-01', max: '2024-02-10' }, e_id: { min: 0, max: 3e6 } },
    };
    const m = model(targets, new TableStatsStore({ events: { rows: 3e6, bytes: 400e6, columns: 4 } }, { scan: { tables: { events: lakeStats } } }));
    const bytes = (sql: string, g = 'scan') => m.estimate(analyze(sql, 'postgres'), [g])[g]!.bytesScanned;
    expect(bytes('select e_kind, count(*) from events group by 1')).toBeCloseTo(0.02e6, 0);
    expect(bytes("select count(*) from events where e_payload like '%x%'")).toBeCloseTo(106e6, 0);
    expect(bytes('select count(*) from events')).toBeCloseTo(0.02e6, 0); // the smallest column
    expect(bytes('select * from events')).toBe(151e6);
    expect(bytes('select * from (select e_kind from events) x')).toBeCloseTo(0.02e6, 0);
    // Unqualified columns in a join go to the table that has them.
    // (users has no statistics here: its 20 MB default, unpruned)
    expect(bytes('select e_kind, u_name from events join users on e_id = u_id')).toBeCloseTo(20e6 + 0.02e6 + 20e6, 0);
    // One day of 40 on the sort column: 1/40 of the columns read.
    expect(bytes("select sum(length(e_payload)) from events where e_ts >= '2024-01-05' and e_ts < DATE '2024-01-06'")).toBeCloseTo((111e6 * 1) / 40, -3);
    // A range on a column the data is not sorted by prunes nothing, but counts for rows.
    expect(bytes('select count(e_payload) from events where e_id < 300000')).toBeCloseTo(126e6, 0);
    // The compute group has its own statistics for the same table.
    expect(bytes('select * from events', 'compute')).toBe(400e6);
    // Every column is listed: a derived table's aliases (running) are no columns of events.
    expect(bytes('select e_kind, max(running) from (select e_kind, sum(e_id) over (order by e_ts) as running from events) s group by 1')).toBeCloseTo(25.02e6, 0);
  });

  it('a column that partial per-column sizes do not list gets a share of the bytes they leave', () => {
    const partial = { rows: 1e6, bytes: 70e6, columns: 6, columnBytes: { a: 10e6, b: 20e6 } };
    const m = model(targets, new TableStatsStore({ t: partial }));
    const bytes = (sql: string) => m.estimate(analyze(sql, 'postgres'), ['scan']).scan!.bytesScanned;
    expect(bytes('select a, c from t')).toBeCloseTo(10e6 + 40e6 / 4, 0);
    expect(bytes('select count(*) from t')).toBeCloseTo(10e6, 0); // the smallest column, declared or not
  });

  it('prices an outcome where it ran and against the baseline group', () => {
    const m = model(targets, stats);
    const a = analyze('select count(*) from orders', 'postgres');
    const est = m.estimate(a, ['compute', 'scan']);
    const p = m.price({ group: 'scan', cluster: 'lake', status: 'ok', durationMs: 1500, queuedMs: 500 }, est, a);
    expect(p.costUsd).toBeCloseTo(priceUsd(card('athena'), { seconds: 1, bytesScanned: est.scan!.bytesScanned }), 12);
    expect(p).toMatchObject({ baselineGroup: 'compute', baselineUsd: est.compute!.usd });
    const onBaseline = m.price({ group: 'compute', cluster: 'duck', status: 'ok', durationMs: 2000, queuedMs: 0 }, est, a);
    expect(onBaseline.baselineUsd).toBe(onBaseline.costUsd);
    expect(m.price({ group: 'compute', cluster: 'duck', status: 'denied', durationMs: 1, queuedMs: 0 }, est, a)).toEqual({});
  });
});

describe('calibration', () => {
  it('converges on synthetic outcomes: median relative error ≤ 25% after 200 queries, state survives a restart', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qf-cal-'));
    const statePath = join(dir, 'cal.json');
    const stats = new TableStatsStore({ t1: { rows: 1e5, bytes: 1e7, columns: 4 }, t2: { rows: 1e6, bytes: 1e8, columns: 8 }, t3: { rows: 1e7, bytes: 1e9, columns: 10 } });
    const target: CostTarget = { cluster: 'c', group: 'g', engineKind: 'duckdb', card: card('duckdb'), weight: 1 };
    const m = model([target], stats, statePath);
    // The "true" engine is 3× slower than the prior on scans and pays 40 ms per join, with ±10% noise.
    const shapes = [
      'select count(*) from t1', 'select a, sum(b) from t2 group by a', 'select * from t3 where c = 1',
      'select x.a, count(*) from t2 x join t1 y on x.a = y.a group by x.a', 'select distinct c from t3',
      'select a, row_number() over (order by b) from t2', 'select * from t1 x join t2 y on x.a = y.a join t3 z on z.a = y.a',
    ].map((q) => analyze(q, 'postgres'));
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const truth = (i: number) => {
      const a = shapes[i]!;
      const base = priorSeconds(card('duckdb'), a, { bytes: m.estimateTarget(a, target).bytesScanned, rows: 1, known: 1 });
      return (base * 3 + 0.04 * a.features.joins) * (0.9 + 0.2 * rand());
    };
    const before = shapes.map((a, i) => Math.abs(m.estimateTarget(a, target).seconds - truth(i)) / truth(i));
    for (let q = 0; q < 200; q++) {
      const i = q % shapes.length;
      m.observe({ cluster: 'c', group: 'g', status: 'ok', durationMs: truth(i) * 1000, queuedMs: 0 }, shapes[i]!);
    }
    const after = shapes.map((a, i) => Math.abs(m.estimateTarget(a, target).seconds - truth(i)) / truth(i));
    const med = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1]!;
    expect(med(before)).toBeGreaterThan(0.5);
    expect(med(after)).toBeLessThanOrEqual(0.25);
    expect(m.accuracy().c!.observations).toBe(200);
    return m.close().then(() => {
      const again = model([target], stats, statePath);
      // Shapes are saved to six decimals (log space): the same estimate to a relative 1e-5.
      expect(again.estimateTarget(shapes[2]!, target).seconds / m.estimateTarget(shapes[2]!, target).seconds).toBeCloseTo(1, 5);
      void again.close();
    });
  });

  it("a shape already seen keeps its own time while other shapes' outcomes move the weights; its range literals still count", () => {
    const stats = new TableStatsStore({
      ev: { rows: 1e7, bytes: 1e9, columns: 4, sortedBy: ['ts'], columnRanges: { ts: { min: '2024-01-01', max: '2024-04-10' } } },
      t1: { rows: 1e5, bytes: 1e7, columns: 4 },
      t2: { rows: 1e6, bytes: 1e8, columns: 8 },
    });
    const target: CostTarget = { cluster: 'c', group: 'g', engineKind: 'duckdb', card: card('duckdb'), weight: 1 };
    const m = model([target], stats);
    const observe = (a: ReturnType<typeof analyze>, seconds: number) => m.observe({ cluster: 'c', group: 'g', status: 'ok', durationMs: seconds * 1000, queuedMs: 0 }, a);
    const est = (a: ReturnType<typeof analyze>) => m.estimateTarget(a, target).seconds;
    // A window statement the features under-rate: it takes 0.7 s, twice.
    const heavy = analyze('select a, sum(b) over (partition by a order by c rows between unbounded preceding and current row) from t2', 'postgres');
    observe(heavy, 0.7);
    observe(heavy, 0.7);
    expect(est(heavy) / 0.7).toBeCloseTo(1, 1);
    // 200 outcomes of other shapes that pull the same regressors (windows, rows, MB) the other way.
    const others = [
      'select a, row_number() over (order by b) from t1', 'select a, rank() over (order by b) from t2 where c = 1',
      'select count(*) from t1', 'select a, sum(b) from t2 group by a', 'select x.a from t1 x join t2 y on x.a = y.a',
    ].map((q) => analyze(q, 'postgres'));
    const truth = [0.005, 0.01, 0.002, 0.03, 0.02];
    for (let q = 0; q < 200; q++) observe(others[q % 5]!, truth[q % 5]!);
    // The old memory (a residual on top of the moving weights) estimated ≈ 0.2 s here.
    expect(est(heavy) / 0.7).toBeGreaterThan(0.8);
    expect(est(heavy) / 0.7).toBeLessThan(1.25);
    // A shape learned on one-day ranges of a time-ordered table, asked for a month: the weights'
    // slope over the bytes read still moves it (pruned scans read ≈ 30× more).
    const range = (from: string, to: string) => analyze(`select count(*) from ev where ts >= timestamp '${from}' and ts < timestamp '${to}'`, 'postgres');
    for (const d of ['01', '02', '03', '04', '05', '06']) observe(range(`2024-02-${d}`, `2024-02-${d} 23:59:59`), 0.02);
    const day = est(range('2024-03-01', '2024-03-02'));
    expect(day / 0.02).toBeCloseTo(1, 0);
    expect(est(range('2024-03-01', '2024-04-01'))).toBeGreaterThan(day * 1.5);
  });

  it('categorical values: = and <> priced by the column\'s common values, and each common value keeps its own memory', () => {
    const stats = new TableStatsStore({
      ev: { rows: 1e7, bytes: 1e9, columns: 4, columnValues: { kind: { view: 0.5, click: 0.25, cart: 0.125, buy: 0.125 } } },
    });
    const pgTarget: CostTarget = { cluster: 'p', group: 'rows', engineKind: 'postgres', card: card('postgres'), weight: 1 };
    const duck: CostTarget = { cluster: 'c', group: 'g', engineKind: 'duckdb', card: card('duckdb'), weight: 1 };
    const m = model([duck, pgTarget], stats);
    const q = (v: string, op = '=') => analyze(`select count(*) from ev where kind ${op} '${v}'`, 'postgres');
    // A row store with an equality lookup reads the matching rows: half the table for 'view', an
    // eighth for 'buy'.
    const bytesOf = (a: ReturnType<typeof analyze>) => priorSeconds(card('postgres'), a, { bytes: 1e9, rows: 0, known: 1 });
    expect(bytesOf(q('view'))).toBe(bytesOf(q('buy'))); // the prior alone does not know rows...
    const est = (a: ReturnType<typeof analyze>, t: CostTarget) => m.estimate(a, [t.group])[t.group]!.seconds;
    expect(est(q('view'), pgTarget) / est(q('buy'), pgTarget)).toBeCloseTo(4, 1); // ...the statistics do
    expect(est(q('view', '<>'), pgTarget)).toBe(est(q('buy', '<>'), pgTarget)); // <> reads the whole table either way
    // Each value's runs are remembered apart from the shape's (and priced apart within the estimate cache's second).
    const observe = (a: ReturnType<typeof analyze>, seconds: number) => m.observe({ cluster: 'c', group: 'g', status: 'ok', durationMs: seconds * 1000, queuedMs: 0 }, a);
    for (let i = 0; i < 3; i++) {
      observe(q('view'), 0.4);
      observe(q('buy'), 0.1);
    }
    for (const [v, t] of [['view', 0.4], ['buy', 0.1]] as const) {
      expect(est(q(v), duck) / t).toBeGreaterThan(0.9);
      expect(est(q(v), duck) / t).toBeLessThan(1.1);
    }
    const cart = est(q('cart'), duck); // not seen: the shape's memory, within what its runs took
    expect(cart).toBeGreaterThan(0.08);
    expect(cart).toBeLessThan(0.4);
    // Values of a column without value statistics (keys) share the shape's memory.
    const byId = (id: number) => analyze(`select count(*) from ev where id = ${id}`, 'postgres');
    observe(byId(1), 1);
    observe(byId(2), 0.1);
    expect(est(byId(1), duck)).toBeCloseTo(est(byId(2), duck), 9);
  });

  it('saves thousands of shapes in slices, atomically, one save after another; a restart reads them all', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qf-cal-'));
    const statePath = join(dir, 'cal.json');
    const target: CostTarget = { cluster: 'c', group: 'g', engineKind: 'duckdb', card: card('duckdb'), weight: 1 };
    const m = model([target], new TableStatsStore(), statePath);
    const shapes = Array.from({ length: 1200 }, (_, i) => analyze(`select count(*) from t${i}`, 'postgres'));
    for (const a of shapes) m.observe({ cluster: 'c', group: 'g', status: 'ok', durationMs: 10, queuedMs: 0 }, a);
    // Two saves asked for at once (the 30 s timer and shutdown): they run one after the other.
    const first = m.save();
    m.touch();
    await Promise.all([first, m.save()]);
    expect(readdirSync(dir)).toEqual(['cal.json']); // no temporary file left
    const saved = JSON.parse(readFileSync(statePath, 'utf8')) as { version: number; shapes: Record<string, unknown[]> };
    expect(saved.version).toBe(2);
    expect(saved.shapes.c).toHaveLength(1200);
    const again = model([target], new TableStatsStore(), statePath);
    expect(again.estimateTarget(shapes[1100]!, target).seconds / m.estimateTarget(shapes[1100]!, target).seconds).toBeCloseTo(1, 5);
    await Promise.all([m.close(), again.close()]);
  });

  it('a save that cannot write rejects its caller, keeps the state to save, and does not stop the next save', async () => {
    const target: CostTarget = { cluster: 'c', group: 'g', engineKind: 'duckdb', card: card('duckdb'), weight: 1 };
    const m = model([target], new TableStatsStore(), '/dev/null/not-a-dir/cal.json');
    m.observe({ cluster: 'c', group: 'g', status: 'ok', durationMs: 10, queuedMs: 0 }, analyze('select 1', 'postgres'));
    await expect(m.save()).rejects.toThrow(/ENOTDIR|not a directory/i);
    await expect(m.save()).rejects.toThrow(/ENOTDIR|not a directory/i); // still dirty: tried again
    await expect(m.close()).rejects.toThrow();
  });

  it('a state file of version 1 keeps its weights but not its shapes (their residuals were against the weights of their day)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qf-cal-'));
    const statePath = join(dir, 'cal.json');
    const target: CostTarget = { cluster: 'c', group: 'g', engineKind: 'duckdb', card: card('duckdb'), weight: 1 };
    const a = analyze('select count(*) from t1', 'postgres');
    const fresh = model([target], new TableStatsStore(), '').estimateTarget(a, target).seconds;
    const w = [0.5, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    const p = Array.from({ length: 100 }, (_, i) => (i % 11 === 0 ? 1 : 0));
    writeFileSync(statePath, JSON.stringify({ version: 1, clusters: { c: { w, p, n: 50, errors: [], level: 0 } }, shapes: { c: [[a.fingerprint, 5, 3]] } }));
    const m = model([target], new TableStatsStore(), statePath);
    expect(m.accuracy().c!.observations).toBe(50);
    expect(m.estimateTarget(a, target).seconds / fresh).toBeCloseTo(Math.exp(0.5), 5); // the weights, no e^3 from the old shape
  });

  it('a cluster that slows down moves every shape, also one not seen since; one outlier counts as at most 2×', () => {
    const stats = new TableStatsStore({ t1: { rows: 1e5, bytes: 1e7, columns: 4 }, t2: { rows: 1e6, bytes: 1e8, columns: 8 }, t3: { rows: 1e7, bytes: 1e9, columns: 10 } });
    const target: CostTarget = { cluster: 'c', group: 'g', engineKind: 'duckdb', card: card('duckdb'), weight: 1 };
    const m = model([target], stats);
    const shapes = [
      'select count(*) from t1', 'select a, sum(b) from t2 group by a', 'select * from t3 where c = 1',
      'select x.a, count(*) from t2 x join t1 y on x.a = y.a group by x.a', 'select distinct c from t3', 'select a, row_number() over (order by b) from t2',
    ].map((q) => analyze(q, 'postgres'));
    const truth = [0.01, 0.2, 1.5, 0.4, 0.8, 0.6];
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const observe = (i: number, seconds: number) => m.observe({ cluster: 'c', group: 'g', status: 'ok', durationMs: seconds * 1000, queuedMs: 0 }, shapes[i]!);
    const ratio = (i: number) => m.estimateTarget(shapes[i]!, target).seconds / truth[i]!;
    for (let q = 0; q < 120; q++) observe(q % 6, truth[q % 6]! * (0.9 + 0.2 * rand()));
    for (let i = 0; i < 6; i++) expect(ratio(i)).toBeCloseTo(1, 0);
    // The machine gets 2× slower; 20 outcomes of shapes 0-4 arrive, none of shape 5.
    for (let q = 0; q < 20; q++) observe(q % 5, 2 * truth[q % 5]! * (0.9 + 0.2 * rand()));
    for (let i = 0; i < 5; i++) expect(ratio(i)).toBeGreaterThan(1.7);
    expect(ratio(5)).toBeGreaterThan(1.5);
    // A stall: shape 2 takes 10× its time once.
    const before = m.estimateTarget(shapes[2]!, target).seconds;
    observe(2, 20 * truth[2]!);
    expect(m.estimateTarget(shapes[2]!, target).seconds / before).toBeLessThan(1.35);
  });
});
