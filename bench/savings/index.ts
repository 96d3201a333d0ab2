/**
 * bench/savings: what cost-aware routing saves on a mixed workload, in dollars computed from
 * measured busy seconds and measured bytes read with the published prices of the pricing cards.
 *
 * Two real engines behind one QueryFlux gateway (examples/savings/gateway.yaml), over one
 * generated dataset (examples/savings/generate.sql, deterministic):
 *   warm — DuckDB, native in-memory tables, billed per busy second (card trino, 4 nodes);
 *   lake — DuckDB over the Parquet files, billed per byte scanned (card athena).
 * Runs, over the same statements:
 *   (a) every statement on the default group (warm);
 *   (b) through QueryFlux with the cost-aware Rego policy, after a calibration warm-up;
 *   (c) the oracle: each statement on its cheapest engine in hindsight.
 * Every measured statement runs on warm and on lake (pinned, on a second gateway whose cost model
 * does not learn) and through the policy (on the gateway that learned during the warm-up), one
 * after the other, so machine noise hits all runs alike. Writes bench/results/savings.json.
 *
 * Env: SAVINGS_EVENTS (3,000,000), SAVINGS_WARMUP (100 statements, each run on both groups),
 * SAVINGS_QUERIES (120), SAVINGS_DIR (/tmp/queryflux-savings), SAVINGS_WARM_NODES (4),
 * SAVINGS_SEEDS (1,2: the warm-up's and the measured run's).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import pg from 'pg';
import { pino } from 'pino';
import { parseConfig } from '../../src/config/load.js';
import type { TableStats } from '../../src/cost/stats.js';
import type { QueryOutcome } from '../../src/core/outcome.js';
import { cardsFor } from '../../src/cost/index.js';
import { priceUsd, type PricingCard } from '../../src/cost/cards.js';
import type { CostEstimate } from '../../src/cost/types.js';
import { startGateway, type RunningGateway } from '../../src/server.js';
import { BytesMeter, type TableFile } from './bytes.js';
import { workload, type Query } from './workload.js';

const EVENTS = Number(process.env.SAVINGS_EVENTS ?? 3_000_000);
const WARMUP = Number(process.env.SAVINGS_WARMUP ?? 100);
const QUERIES = Number(process.env.SAVINGS_QUERIES ?? 120);
const DIR = resolve(process.env.SAVINGS_DIR ?? '/tmp/queryflux-savings');
const WARM_NODES = Number(process.env.SAVINGS_WARM_NODES ?? 4);
const CONFIG = 'examples/savings/gateway.yaml';
/** The workload's seeds (warm-up, measured run): the recorded runs use 1 and 2; other seeds check that the model was not fitted to those statements. */
const [SEED_WARMUP, SEED_MEASURED] = (process.env.SAVINGS_SEEDS ?? '1,2').split(',').map(Number) as [number, number];
/** Seconds of data per event (generate.sql: i * 1.2 s). */
const SECONDS_PER_EVENT = 1.2;

const TABLES: readonly TableFile[] = [
  { table: 'events', file: `${DIR}/events.parquet`, prefix: 'e_' },
  { table: 'users', file: `${DIR}/users.parquet`, prefix: 'u_' },
  { table: 'items', file: `${DIR}/items.parquet`, prefix: 'i_' },
];

const render = (file: string): string => readFileSync(file, 'utf8').replaceAll('{{DIR}}', DIR).replaceAll('{{EVENTS}}', String(EVENTS));

/** Generate the Parquet files unless the same generator already made them here. */
async function ensureData(): Promise<{ generatedSeconds: number | null }> {
  mkdirSync(DIR, { recursive: true });
  const sql = render('examples/savings/generate.sql');
  const key = createHash('sha256').update(sql).digest('hex');
  const manifest = `${DIR}/manifest.json`;
  let generatedSeconds: number | null = null;
  const fresh = existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { key?: string }).key === key && TABLES.every((t) => existsSync(t.file));
  if (!fresh) {
    process.stdout.write(`generating ${EVENTS.toLocaleString('en')} events under ${DIR} ...\n`);
    const t0 = performance.now();
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    await c.run(sql);
    c.closeSync();
    db.closeSync();
    generatedSeconds = (performance.now() - t0) / 1000;
    writeFileSync(manifest, JSON.stringify({ key, events: EVENTS, at: new Date().toISOString() }));
  }
  writeFileSync(`${DIR}/warm.sql`, render('examples/savings/warm.sql'));
  writeFileSync(`${DIR}/lake.sql`, render('examples/savings/lake.sql'));
  return { generatedSeconds };
}

/**
 * The most common values of a file's text columns with at most 100 distinct values, each with its
 * share of the rows: what PostgreSQL's ANALYZE keeps in pg_stats (a Glue catalog does not; a user of
 * a scan-priced engine declares them). The cost model prices `=` and `<>` on those columns with them.
 */
export async function valueStats(c: DuckDBConnection, file: string): Promise<{ columnValues?: Record<string, Record<string, number>> }> {
  const text = await c.runAndReadAll(`select name from parquet_schema('${file}') where type = 'BYTE_ARRAY'`);
  const out: Record<string, Record<string, number>> = {};
  for (const [name] of text.getRows()) {
    const col = String(name);
    // A sample tells a categorical column from a key or a payload before counting every row.
    const sample = await c.runAndReadAll(`select count(distinct ${col}) from (select ${col} from read_parquet('${file}') using sample 2%)`);
    if (Number(sample.getRows()[0]![0]) > 100) continue;
    const r = await c.runAndReadAll(`select ${col}::varchar, count(*) / sum(count(*)) over () from read_parquet('${file}') group by 1 order by 2 desc limit 101`);
    const rows = r.getRows();
    if (rows.length > 100) continue;
    out[col] = Object.fromEntries(rows.map(([v, f]) => [String(v), Math.round(Number(f) * 1e6) / 1e6]));
  }
  return Object.keys(out).length > 0 ? { columnValues: out } : {};
}

/** Declared table statistics, as a lake catalog would hold them: rows, compressed Parquet bytes in all and per column, value ranges, and the sort order of events (written in time order). */
type Stats = Record<string, TableStats>;
async function parquetStats(): Promise<Stats> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  const out: Stats = {};
  for (const t of TABLES) {
    const r = await c.runAndReadAll(
      `select (select sum(num_rows) from parquet_file_metadata('${t.file}')), sum(total_compressed_size), count(distinct path_in_schema) from parquet_metadata('${t.file}')`,
    );
    const [rows, bytes, columns] = r.getRows()[0]!.map(Number) as [number, number, number];
    const cols = await c.runAndReadAll(`select path_in_schema, sum(total_compressed_size) from parquet_metadata('${t.file}') group by 1`);
    const columnBytes = Object.fromEntries(cols.getRows().map(([name, b]) => [String(name), Number(b)]));
    const stats: TableStats = { rows, bytes, columns, columnBytes, ...(await valueStats(c, t.file)) };
    if (t.table === 'events') {
      const range = await c.runAndReadAll(`select min(e_ts)::varchar, max(e_ts)::varchar from read_parquet('${t.file}')`);
      const [min, max] = range.getRows()[0]!.map(String) as [string, string];
      out[t.table] = { ...stats, sortedBy: ['e_ts'], columnRanges: { e_ts: { min, max } } };
    } else out[t.table] = stats;
  }
  c.closeSync();
  db.closeSync();
  return out;
}

interface Gateway {
  readonly gw: RunningGateway;
  readonly outcomes: QueryOutcome[];
}

async function start(stats: Stats, learn: boolean): Promise<{ g: Gateway; cards: Map<string, PricingCard> }> {
  const env = { ...process.env, QF_SAVINGS_DIR: DIR, QF_SAVINGS_WARM_NODES: String(WARM_NODES), QF_PG_PORT: '0' };
  const config = parseConfig(readFileSync(CONFIG, 'utf8'), resolve(CONFIG), env);
  config.raw.costModel.tables = stats as typeof config.raw.costModel.tables;
  config.raw.costModel.calibration.enabled = learn;
  const outcomes: QueryOutcome[] = [];
  const gw = await startGateway(config, { logger: pino({ level: process.env.QF_BENCH_LOG ?? 'silent' }), extraSinks: [{ record: (o) => void outcomes.push(o) }] });
  return { g: { gw, outcomes }, cards: cardsFor(config) };
}

async function client(g: Gateway, app: string): Promise<pg.Client> {
  const c = new pg.Client({ host: '127.0.0.1', port: g.gw.ports.postgres, user: 'bench', database: 'bench', application_name: app });
  await c.connect();
  return c;
}

/** Run one statement and return the gateway's outcome for it. */
async function run(g: Gateway, c: pg.Client, sql: string): Promise<QueryOutcome> {
  const before = g.outcomes.length;
  await c.query(sql);
  for (let i = 0; g.outcomes.length === before && i < 1000; i++) await new Promise((r) => setImmediate(r));
  const o = g.outcomes[g.outcomes.length - 1];
  if (o === undefined || g.outcomes.length === before) throw new Error(`no outcome recorded for: ${sql}`);
  if (o.status !== 'ok') throw new Error(`${o.status} ${o.errorCode ?? ''} on ${o.group}: ${sql}`);
  return o;
}

/** Busy seconds of a statement as the gateway measured them (admission to last row, minus queueing). */
const busySeconds = (o: QueryOutcome): number => Math.max(0, o.durationMs - o.queuedMs) / 1000;

const median = (xs: readonly number[]): number | null => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const sum = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0);
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const usd = (x: number): string => `$${x.toFixed(6)}`;

/** One calibration outcome of the warm-up (pinned to one group on the learning gateway). */
export interface WarmupRow {
  id: number;
  template: string;
  sql: string;
  group: 'warm' | 'lake';
  seconds: number;
  estSeconds: number | null;
}

export interface Row {
  id: number;
  template: string;
  sql: string;
  warmSeconds: number;
  lakeSeconds: number;
  lakeBytes: number;
  /** Bytes of the columns read over all row groups (a per-column size model, no pruning). */
  lakeColumnBytes: number;
  lakeScans: string;
  warmUsd: number;
  lakeUsd: number;
  oracle: 'warm' | 'lake';
  oracleUsd: number;
  routed: string;
  routedSeconds: number;
  routedUsd: number;
  /** The routed group's cost priced on the pinned measurements (decision quality without run-to-run noise). */
  routedUsdOnMatrix: number;
  /** What the gateway recorded for the (b) outcome: its cost and the baseline (warm) cost. */
  gatewayCostUsd: number | null;
  gatewayBaselineUsd: number | null;
  estimates: Record<string, CostEstimate>;
  reason: string;
}

/** Run the benchmark. */
export async function main(): Promise<void> {
  const t0 = performance.now();
  const loadStart = loadavg();
  const { generatedSeconds } = await ensureData();
  const stats = await parquetStats();
  const days = Math.floor((EVENTS * SECONDS_PER_EVENT) / 86_400);

  // The bytes meter plans statements exactly as the lake engine does (same views, same files).
  const probeDb = await DuckDBInstance.create(':memory:');
  const probe = await probeDb.connect();
  await probe.run(readFileSync(`${DIR}/lake.sql`, 'utf8'));
  const meter = await BytesMeter.open(probe, TABLES);

  process.stdout.write(`starting gateways (loading the warm tables twice) ...\n`);
  const { g: policyGw, cards } = await start(stats, true);
  const { g: pinGw } = await start(stats, false);
  const warmCard = cards.get('trino')!;
  const lakeCard = cards.get('athena')!;
  const warmUsd = (seconds: number, nodes = WARM_NODES): number => priceUsd(warmCard, { seconds, bytesScanned: 0 }, nodes);
  const lakeUsd = (bytes: number): number => priceUsd(lakeCard, { seconds: 0, bytesScanned: bytes });

  const bWarm = await client(policyGw, 'pin:warm');
  const bLake = await client(policyGw, 'pin:lake');
  const bPolicy = await client(policyGw, 'savings-bench');
  const mWarm = await client(pinGw, 'pin:warm');
  const mLake = await client(pinGw, 'pin:lake');
  const rows: Row[] = [];
  const calibration: { warm: number[]; lake: number[] } = { warm: [], lake: [] };
  /** Every warm-up outcome, in order, so bench/savings/replay.ts can re-run the calibration offline. */
  const warmupRows: WarmupRow[] = [];
  try {
    // Calibration warm-up: statements from another seed, each on both groups of the learning gateway.
    const warm = workload(WARMUP, SEED_WARMUP, days);
    process.stdout.write(`calibration warm-up: ${warm.length} statements × 2 groups ...\n`);
    for (const q of warm) {
      for (const [c, group] of [[bWarm, 'warm'], [bLake, 'lake']] as const) {
        const o = await run(policyGw, c, q.sql);
        const est = o.estimates?.[group];
        if (est !== undefined) calibration[group].push(Math.abs(est.seconds - busySeconds(o)) / busySeconds(o));
        warmupRows.push({ id: q.id, template: q.template, sql: q.sql, group, seconds: busySeconds(o), estSeconds: est?.seconds ?? null });
      }
    }

    // Measured run: each statement pinned to warm, pinned to lake, then through the policy.
    const measured: Query[] = workload(QUERIES, SEED_MEASURED, days);
    process.stdout.write(`measured run: ${measured.length} statements × (warm, lake, policy) ...\n`);
    for (const q of measured) {
      const ow = await run(pinGw, mWarm, q.sql);
      const ol = await run(pinGw, mLake, q.sql);
      const ob = await run(policyGw, bPolicy, q.sql);
      const reads = await meter.reads(q.sql);
      const lakeBytes = sum(reads.map((r) => r.bytes));
      const w = warmUsd(busySeconds(ow));
      const l = lakeUsd(lakeBytes);
      const routed = ob.group ?? '?';
      const routedUsd = routed === 'lake' ? lakeUsd(lakeBytes) : warmUsd(busySeconds(ob));
      rows.push({
        id: q.id,
        template: q.template,
        sql: q.sql,
        warmSeconds: busySeconds(ow),
        lakeSeconds: busySeconds(ol),
        lakeBytes,
        lakeColumnBytes: sum(reads.map((r) => r.columnBytes)),
        lakeScans: reads.map((r) => `${r.table}[${r.columns.join(',')}] ${r.rowGroups}/${r.rowGroupsTotal} rg`).join('; '),
        warmUsd: w,
        lakeUsd: l,
        oracle: w <= l ? 'warm' : 'lake',
        oracleUsd: Math.min(w, l),
        routed,
        routedSeconds: busySeconds(ob),
        routedUsd,
        routedUsdOnMatrix: routed === 'lake' ? l : w,
        gatewayCostUsd: ob.costUsd ?? null,
        gatewayBaselineUsd: ob.baselineUsd ?? null,
        estimates: { ...(ob.estimates ?? {}) },
        reason: ob.reason ?? '',
      });
    }
  } finally {
    for (const c of [bWarm, bLake, bPolicy, mWarm, mLake]) await c.end().catch(() => undefined);
    await policyGw.gw.close();
    await pinGw.gw.close();
    probe.closeSync();
    probeDb.closeSync();
  }

  // Totals.
  const a = sum(rows.map((r) => r.warmUsd));
  const allLake = sum(rows.map((r) => r.lakeUsd));
  const b = sum(rows.map((r) => r.routedUsd));
  const bMatrix = sum(rows.map((r) => r.routedUsdOnMatrix));
  const c = sum(rows.map((r) => r.oracleUsd));
  const agree = rows.filter((r) => r.routed === r.oracle).length;

  // Estimate accuracy in the measured run (after the warm-up): estimated seconds made at routing
  // time on the learning gateway vs seconds measured on each engine.
  const relErr = (est: number | undefined, actual: number): number | undefined => (est === undefined || actual <= 0 ? undefined : Math.abs(est - actual) / actual);
  const errs = (f: (r: Row) => number | undefined): number[] => rows.map(f).filter((x): x is number => x !== undefined);
  const accuracy = {
    warmupObservations: { warm: calibration.warm.length, lake: calibration.lake.length },
    medianRelErrorSecondsDuringWarmup: { warm: median(calibration.warm), lake: median(calibration.lake) },
    medianRelErrorSeconds: {
      warm: median(errs((r) => relErr(r.estimates.warm?.seconds, r.warmSeconds))),
      lake: median(errs((r) => relErr(r.estimates.lake?.seconds, r.lakeSeconds))),
      routedGroup: median(errs((r) => relErr(r.estimates[r.routed]?.seconds, r.routedSeconds))),
    },
    medianRelErrorLakeBytes: median(errs((r) => relErr(r.estimates.lake?.bytesScanned, r.lakeBytes))),
    medianRelErrorUsd: {
      warm: median(errs((r) => relErr(r.estimates.warm?.usd, r.warmUsd))),
      lake: median(errs((r) => relErr(r.estimates.lake?.usd, r.lakeUsd))),
    },
  };

  // Per template.
  const templates = [...new Set(rows.map((r) => r.template))];
  const perTemplate = templates.map((t) => {
    const rs = rows.filter((r) => r.template === t);
    return {
      template: t,
      n: rs.length,
      warmSecondsMedian: median(rs.map((r) => r.warmSeconds)),
      estWarmSecondsMedian: median(errs((r) => (r.template === t ? r.estimates.warm?.seconds : undefined))),
      lakeMbMedian: (median(rs.map((r) => r.lakeBytes)) ?? 0) / 1e6,
      estLakeMbMedian: (median(errs((r) => (r.template === t ? r.estimates.lake?.bytesScanned : undefined))) ?? 0) / 1e6,
      aUsd: sum(rs.map((r) => r.warmUsd)),
      lakeUsd: sum(rs.map((r) => r.lakeUsd)),
      bUsd: sum(rs.map((r) => r.routedUsd)),
      cUsd: sum(rs.map((r) => r.oracleUsd)),
      routedToLake: rs.filter((r) => r.routed === 'lake').length,
      oracleLake: rs.filter((r) => r.oracle === 'lake').length,
    };
  });

  // What the oracle could save at other warm cluster sizes (same measurements, re-priced).
  const sensitivity = [1, 2, 4, 8].map((nodes) => {
    const aa = sum(rows.map((r) => warmUsd(r.warmSeconds, nodes)));
    const cc = sum(rows.map((r) => Math.min(warmUsd(r.warmSeconds, nodes), r.lakeUsd)));
    return { warmNodes: nodes, aUsd: aa, cUsd: cc, oracleSaves: 1 - cc / aa };
  });

  // Where the gap to the oracle comes from: the policy's rule (cheapest risk-adjusted estimate)
  // replayed with one input at a time replaced by what was measured.
  const premium = 0.5;
  const adjusted = (e: CostEstimate | undefined): number => (e === undefined ? Infinity : e.usd * (1 + premium * (1 - e.confidence)));
  const replay = (warmEst: (r: Row) => number, lakeEst: (r: Row) => number): { usd: number; likeOracle: number } => {
    let total = 0;
    let like = 0;
    for (const r of rows) {
      const choice = lakeEst(r) < warmEst(r) ? 'lake' : 'warm';
      total += choice === 'lake' ? r.lakeUsd : r.warmUsd;
      if (choice === r.oracle) like++;
    }
    return { usd: total, likeOracle: like };
  };
  const conf = (r: Row, g: string): number => 1 + premium * (1 - (r.estimates[g]?.confidence ?? 1));
  const attribution = {
    note: 'the policy rule replayed on the pinned measurements with estimated or measured inputs',
    estimatesAsMade: replay((r) => adjusted(r.estimates.warm), (r) => adjusted(r.estimates.lake)),
    measuredLakeBytes: replay((r) => adjusted(r.estimates.warm), (r) => r.lakeUsd * conf(r, 'lake')),
    perColumnLakeBytes: replay((r) => adjusted(r.estimates.warm), (r) => lakeUsd(r.lakeColumnBytes) * conf(r, 'lake')),
    measuredWarmSeconds: replay((r) => r.warmUsd * conf(r, 'warm'), (r) => adjusted(r.estimates.lake)),
    noPremium: replay((r) => r.estimates.warm?.usd ?? Infinity, (r) => r.estimates.lake?.usd ?? Infinity),
  };
  // Run-to-run noise: statements the policy sent to warm ran there twice (pinned and routed).
  const twice = rows.filter((r) => r.routed === 'warm' && r.warmSeconds > 0);
  const noise = { statements: twice.length, medianRelDiffWarmSeconds: median(twice.map((r) => Math.abs(r.routedSeconds - r.warmSeconds) / r.warmSeconds)) };
  // What the gateway itself recorded for the (b) run (its savings report's inputs).
  const gwCost = sum(rows.map((r) => r.gatewayCostUsd ?? 0));
  const gwBaseline = sum(rows.map((r) => r.gatewayBaselineUsd ?? 0));
  const gatewayRecorded = { costUsd: gwCost, baselineUsd: gwBaseline, claimedSavings: gwBaseline > 0 ? 1 - gwCost / gwBaseline : null, lakeCostUsd: sum(rows.filter((r) => r.routed === 'lake').map((r) => r.gatewayCostUsd ?? 0)), lakeCostMeasuredUsd: sum(rows.filter((r) => r.routed === 'lake').map((r) => r.routedUsd)) };

  const report = {
    benchmark: 'savings',
    at: new Date().toISOString(),
    machine: { nproc: cpus().length, cpuModel: cpus()[0]?.model, node: process.version, loadAvgAtStart: loadStart, loadAvgAtEnd: loadavg() },
    dataset: { dir: DIR, events: EVENTS, days, generatedSeconds, tables: stats },
    engines: {
      warm: { what: 'DuckDB, native in-memory tables', card: 'trino', usdPerNodeHour: warmCard.compute?.usdPerNodeHour, nodes: WARM_NODES, billed: 'busy seconds measured by the gateway × nodes × $/node-hour' },
      lake: { what: 'DuckDB over Parquet (views)', card: 'athena', usdPerTB: lakeCard.scan?.usdPerTB, minBytes: lakeCard.scan?.minBytesPerQuery, billed: 'compressed bytes of the Parquet column chunks the plan reads (parquet_metadata), 10 MB minimum' },
    },
    policy: 'policies/examples/cost-aware (cheapest risk-adjusted estimate; uncertainty_premium 0.5, SLA 600 s)',
    calibration: { warmupStatements: WARMUP, warmupExecutions: 2 * WARMUP, seed: SEED_WARMUP },
    measured: { statements: rows.length, seed: SEED_MEASURED },
    totals: {
      aDefaultUsd: a,
      allLakeUsd: allLake,
      bPolicyUsd: b,
      bPolicyOnPinnedMeasurementsUsd: bMatrix,
      cOracleUsd: c,
      bSavesVsA: 1 - b / a,
      cSavesVsA: 1 - c / a,
      bOverC: b / c - 1,
      bOnPinnedOverC: bMatrix / c - 1,
      routedLikeOracle: agree,
      routedToLake: rows.filter((r) => r.routed === 'lake').length,
    },
    targets: { bSavesVsA: 0.56, bOverC: 0.1, medianRelErrorSeconds: 0.25 },
    accuracy,
    noise,
    attribution,
    gatewayRecorded,
    perTemplate,
    sensitivity,
    wallSeconds: (performance.now() - t0) / 1000,
    warmup: warmupRows,
    queries: rows,
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/savings.json', JSON.stringify(report, null, 2));

  // Readable tables.
  const f = (x: number | null, d = 3): string => (x === null ? '-' : x.toFixed(d));
  console.log(`data: ${EVENTS.toLocaleString('en')} events over ${days} days; warm = DuckDB tables at ${WARM_NODES} × $${warmCard.compute?.usdPerNodeHour}/node-h (busy s); lake = DuckDB over Parquet at $${lakeCard.scan?.usdPerTB}/TB (10 MB min)`);
  console.log(`calibration: ${WARMUP} statements × 2 groups = ${2 * WARMUP} outcomes before the measured run of ${rows.length} statements`);
  console.log('');
  console.log(`${'template'.padEnd(16)} ${'n'.padStart(3)} ${'warm s'.padStart(7)} ${'est s'.padStart(7)} ${'lake MB'.padStart(8)} ${'est MB'.padStart(8)} ${'(a) warm $'.padStart(11)} ${'all-lake $'.padStart(11)} ${'(b) QF $'.padStart(11)} ${'(c) oracle $'.padStart(12)} ${'→lake'.padStart(6)} ${'oracle lake'.padStart(11)}`);
  for (const t of perTemplate) {
    console.log(
      `${t.template.padEnd(16)} ${String(t.n).padStart(3)} ${f(t.warmSecondsMedian).padStart(7)} ${f(t.estWarmSecondsMedian).padStart(7)} ${t.lakeMbMedian.toFixed(1).padStart(8)} ${t.estLakeMbMedian.toFixed(1).padStart(8)} ${usd(t.aUsd).padStart(11)} ${usd(t.lakeUsd).padStart(11)} ${usd(t.bUsd).padStart(11)} ${usd(t.cUsd).padStart(12)} ${String(t.routedToLake).padStart(6)} ${String(t.oracleLake).padStart(11)}`,
    );
  }
  console.log('');
  console.log(`${'#'.padStart(3)} ${'template'.padEnd(16)} ${'warm s'.padStart(7)} ${'est'.padStart(7)} ${'lake MB'.padStart(8)} ${'est'.padStart(7)} ${'warm $'.padStart(10)} ${'lake $'.padStart(10)} ${'est warm $'.padStart(10)} ${'est lake $'.padStart(10)}  routed oracle`);
  for (const r of rows) {
    console.log(
      `${String(r.id).padStart(3)} ${r.template.padEnd(16)} ${r.warmSeconds.toFixed(3).padStart(7)} ${f(r.estimates.warm?.seconds ?? null).padStart(7)} ${(r.lakeBytes / 1e6).toFixed(1).padStart(8)} ${((r.estimates.lake?.bytesScanned ?? 0) / 1e6).toFixed(1).padStart(7)} ${r.warmUsd.toExponential(2).padStart(10)} ${r.lakeUsd.toExponential(2).padStart(10)} ${(r.estimates.warm?.usd ?? 0).toExponential(2).padStart(10)} ${(r.estimates.lake?.usd ?? 0).toExponential(2).padStart(10)}  ${r.routed.padEnd(6)} ${r.oracle}${r.routed === r.oracle ? '' : ' ✗'}`,
    );
  }
  console.log('');
  console.log(`(a) all on default (warm)   ${usd(a)}`);
  console.log(`    all on lake             ${usd(allLake)}`);
  console.log(`(b) QueryFlux cost-aware    ${usd(b)}   saves ${pct(1 - b / a)} vs (a)  [target ≥ 56%]`);
  console.log(`    (b) on pinned timings   ${usd(bMatrix)}   saves ${pct(1 - bMatrix / a)}`);
  console.log(`(c) oracle                  ${usd(c)}   saves ${pct(1 - c / a)} vs (a)`);
  console.log(`(b) vs (c): ${pct(b / c - 1)} above the oracle [target ≤ 10%]; on pinned timings ${pct(bMatrix / c - 1)}; same engine as the oracle for ${agree}/${rows.length}`);
  console.log(
    `estimated seconds, median relative error after calibration: warm ${f(accuracy.medianRelErrorSeconds.warm, 2)}, lake ${f(accuracy.medianRelErrorSeconds.lake, 2)}, routed group ${f(accuracy.medianRelErrorSeconds.routedGroup, 2)} [target ≤ 0.25]; lake bytes ${f(accuracy.medianRelErrorLakeBytes, 2)}`,
  );
  console.log(`run-to-run noise: the same statement on warm twice differs by ${f(noise.medianRelDiffWarmSeconds, 2)} (median relative, ${noise.statements} statements)`);
  console.log(
    `gap attribution (policy rule replayed): as estimated ${usd(attribution.estimatesAsMade.usd)}; with measured lake bytes ${usd(attribution.measuredLakeBytes.usd)} (${pct(attribution.measuredLakeBytes.usd / c - 1)} over oracle); with per-column sizes, no pruning ${usd(attribution.perColumnLakeBytes.usd)} (${pct(attribution.perColumnLakeBytes.usd / c - 1)}); with measured warm seconds ${usd(attribution.measuredWarmSeconds.usd)} (${pct(attribution.measuredWarmSeconds.usd / c - 1)}); without the premium ${usd(attribution.noPremium.usd)}`,
  );
  console.log(`the gateway recorded for (b): cost ${usd(gwCost)} vs baseline ${usd(gwBaseline)} (claims ${gatewayRecorded.claimedSavings === null ? '-' : pct(gatewayRecorded.claimedSavings)} saved); its lake costs ${usd(gatewayRecorded.lakeCostUsd)} vs measured ${usd(gatewayRecorded.lakeCostMeasuredUsd)}`);
  console.log(`oracle savings by warm cluster size: ${sensitivity.map((s) => `${s.warmNodes} nodes ${pct(s.oracleSaves)}`).join(', ')}`);
  console.log(`wall ${report.wallSeconds.toFixed(0)} s; load average ${loadStart.map((x) => x.toFixed(1)).join(' ')} at start, ${report.machine.loadAvgAtEnd.map((x) => x.toFixed(1)).join(' ')} at end; per-statement rows in bench/results/savings.json`);
}
