/**
 * Offline replay of a savings benchmark run (bench/results/savings.json written with `warmup`
 * rows): a fresh cost model learns from the recorded warm-up outcomes, then estimates every
 * measured statement, is scored against the pinned measurements exactly as the benchmark scores
 * the gateway's estimates, and keeps learning from the group the policy's rule picks (the routed
 * execution's seconds when the recorded run picked the same group, else the pinned measurement).
 * Iterating on src/cost this way takes seconds instead of a benchmark run; the benchmark itself
 * stays the measurement of record.
 *
 *   npx tsx bench/savings/replay.ts [run.json[.gz] ...]     (default: every run in bench/savings/runs/)
 *   npx tsx bench/savings/replay.ts --keep run-10             (keeps bench/results/savings.json there)
 *
 * bench/savings/runs/ holds the recorded outcomes of the runs in docs/savings-benchmark.md (what the
 * replay reads of bench/results/savings.json, gzipped: ≈ 13 KB a run).
 *
 * Env: REPLAY_FORGETTING (the config's default), REPLAY_VERBOSE=1 (per-template errors), 2 (per
 * statement), 3 (decisions unlike the oracle's).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { analyze, warmUpAnalysis } from '../../src/analysis/analyzer.js';
import { parseConfig } from '../../src/config/load.js';
import { cardsFor, costModelFor } from '../../src/cost/index.js';
import { median as medianOf } from '../../src/cost/calibration.js';
import { priceUsd } from '../../src/cost/cards.js';
import type { TableStats } from '../../src/cost/stats.js';
import type { CostEstimate } from '../../src/cost/types.js';
import type { Row, WarmupRow } from './index.js';

const CONFIG = 'examples/savings/gateway.yaml';
const PREMIUM = 0.5;
const SLA_SECONDS = 600;
const GROUPS = ['warm', 'lake'] as const;
const CLUSTER = { warm: 'warm-1', lake: 'lake-1' } as const;

const RUNS = 'bench/savings/runs';
const QUERY_KEYS = ['id', 'template', 'sql', 'warmSeconds', 'lakeSeconds', 'lakeBytes', 'lakeUsd', 'oracle', 'oracleUsd', 'routed', 'routedSeconds'] as const;

/** What the replay reads of a savings.json. */
interface Report {
  at: string;
  machine?: unknown;
  engines: { warm: { nodes: number } };
  dataset: { tables: Record<string, TableStats> };
  accuracy: { medianRelErrorSeconds: { warm: number | null; lake: number | null; routedGroup: number | null } };
  totals: { bSavesVsA: number; bOverC: number; routedLikeOracle: number };
  noise?: unknown;
  warmup?: WarmupRow[];
  queries: Pick<Row, (typeof QUERY_KEYS)[number]>[];
}

/** The parts of a savings.json the replay needs, to keep a run under bench/savings/runs/. */
function strip(r: Report): Report {
  const pick = <T extends object, K extends keyof T>(o: T, keys: readonly K[]): Pick<T, K> => Object.fromEntries(keys.map((k) => [k, o[k]])) as Pick<T, K>;
  return {
    at: r.at,
    machine: r.machine,
    engines: { warm: { nodes: r.engines.warm.nodes } },
    dataset: { tables: r.dataset.tables },
    accuracy: { medianRelErrorSeconds: r.accuracy.medianRelErrorSeconds },
    totals: r.totals,
    noise: r.noise,
    warmup: r.warmup,
    queries: r.queries.map((q) => pick(q, QUERY_KEYS)),
  };
}

const readRun = (file: string): Report => JSON.parse((file.endsWith('.gz') ? gunzipSync(readFileSync(file)) : readFileSync(file)).toString('utf8')) as Report;

const median = (xs: readonly number[]): number => medianOf(xs) ?? NaN;
const rel = (est: number, actual: number): number => Math.abs(est - actual) / actual;

/** Replay one recorded run; returns the scores the benchmark reports. */
export function replay(report: Report, opts: { forgetting?: number } = {}) {
  if (report.warmup === undefined) throw new Error(`run of ${report.at} has no warm-up rows (recorded since the replay script exists)`);
  const env = { ...process.env, QF_SAVINGS_DIR: '/tmp/queryflux-savings', QF_SAVINGS_WARM_NODES: String(report.engines.warm.nodes), QF_PG_PORT: '0' };
  const config = parseConfig(readFileSync(CONFIG, 'utf8'), resolve(CONFIG), env);
  config.raw.costModel.tables = report.dataset.tables as typeof config.raw.costModel.tables;
  config.raw.costModel.calibration.enabled = true;
  if (opts.forgetting !== undefined) config.raw.costModel.calibration.forgetting = opts.forgetting;
  const model = costModelFor(config, { fresh: true });
  const cards = cardsFor(config);
  const warmUsd = (s: number): number => priceUsd(cards.get('trino')!, { seconds: s, bytesScanned: 0 }, report.engines.warm.nodes);

  for (const w of report.warmup) {
    model.observe({ group: w.group, cluster: CLUSTER[w.group], status: 'ok', durationMs: w.seconds * 1000, queuedMs: 0 }, analyze(w.sql, 'postgres'));
  }
  const errs = { warm: [] as number[], lake: [] as number[], routed: [] as number[], lakeBytes: [] as number[] };
  const perTemplate = new Map<string, { warm: number[]; lake: number[] }>();
  let a = 0;
  let b = 0;
  let c = 0;
  let like = 0;
  let sameAsRecorded = 0;
  let claimedBaseline = 0;
  for (const r of report.queries) {
    const an = analyze(r.sql, 'postgres');
    const est: Record<string, CostEstimate> = {};
    for (const g of GROUPS) est[g] = model.estimateGroup(an, g)!;
    const ew = rel(est.warm!.seconds, r.warmSeconds);
    const el = rel(est.lake!.seconds, r.lakeSeconds);
    errs.warm.push(ew);
    errs.lake.push(el);
    errs.lakeBytes.push(rel(est.lake!.bytesScanned, r.lakeBytes));
    const t = perTemplate.get(r.template) ?? { warm: [], lake: [] };
    t.warm.push(ew);
    t.lake.push(el);
    perTemplate.set(r.template, t);
    // The cost-aware policy: the cheapest risk-adjusted estimate within the SLA.
    const adjusted = (g: 'warm' | 'lake'): number => (est[g]!.seconds > SLA_SECONDS ? Infinity : est[g]!.usd * (1 + PREMIUM * (1 - est[g]!.confidence)));
    const chosen = adjusted('lake') < adjusted('warm') ? 'lake' : 'warm';
    const seconds = chosen === r.routed ? r.routedSeconds : chosen === 'warm' ? r.warmSeconds : r.lakeSeconds;
    if (chosen === r.routed) sameAsRecorded++;
    errs.routed.push(rel(est[chosen]!.seconds, seconds));
    if (process.env.REPLAY_VERBOSE === '2') console.log(`${String(r.id).padStart(3)} ${r.template.padEnd(16)} warm ${r.warmSeconds.toFixed(4)} est ${est.warm!.seconds.toFixed(4)} (${ew.toFixed(2)})  lake ${r.lakeSeconds.toFixed(4)} est ${est.lake!.seconds.toFixed(4)} (${el.toFixed(2)})  → ${chosen} ${seconds.toFixed(4)}`);
    model.observe({ group: chosen, cluster: CLUSTER[chosen], status: 'ok', durationMs: seconds * 1000, queuedMs: 0 }, an);
    const wu = warmUsd(r.warmSeconds);
    a += wu;
    // What the gateway records as the baseline: the cost where it ran on warm, else warm's estimate.
    claimedBaseline += chosen === 'lake' ? est.warm!.usd : wu;
    b += chosen === 'lake' ? r.lakeUsd : wu;
    c += r.oracleUsd;
    if (chosen === r.oracle) like++;
    else if (process.env.REPLAY_VERBOSE === '3') console.log(`${String(r.id).padStart(3)} ${r.template.padEnd(16)} chose ${chosen}: +$${((chosen === 'lake' ? r.lakeUsd : wu) - r.oracleUsd).toExponential(2)}  warm $${wu.toExponential(2)} est $${est.warm!.usd.toExponential(2)} (${est.warm!.seconds.toFixed(3)} s vs ${r.warmSeconds.toFixed(3)})  lake $${r.lakeUsd.toExponential(2)} est $${est.lake!.usd.toExponential(2)}`);
  }
  return {
    run: report.at,
    recorded: { ...report.accuracy.medianRelErrorSeconds, bSavesVsA: report.totals.bSavesVsA, bOverC: report.totals.bOverC, likeOracle: report.totals.routedLikeOracle },
    replayed: { warm: median(errs.warm), lake: median(errs.lake), routedGroup: median(errs.routed), lakeBytes: median(errs.lakeBytes), bOnPinnedSavesVsA: 1 - b / a, bOnPinnedOverC: b / c - 1, claimedSavings: 1 - b / claimedBaseline, likeOracle: like, sameAsRecorded },
    perTemplate: [...perTemplate].map(([template, e]) => ({ template, n: e.warm.length, warm: median(e.warm), lake: median(e.lake) })),
  };
}

async function main(): Promise<void> {
  await warmUpAnalysis();
  const args = process.argv.slice(2);
  const keep = args.indexOf('--keep');
  if (keep >= 0) {
    const name = args[keep + 1];
    if (name === undefined) throw new Error('--keep needs a name (run-10)');
    const out = join(RUNS, `${name}.json.gz`);
    writeFileSync(out, gzipSync(JSON.stringify(strip(readRun('bench/results/savings.json')))));
    console.log(`kept bench/results/savings.json as ${out}`);
    return;
  }
  const files = args.filter((x) => !x.startsWith('-'));
  const forgetting = process.env.REPLAY_FORGETTING === undefined ? undefined : Number(process.env.REPLAY_FORGETTING);
  const f = (x: number | null): string => (x === null ? '-' : x.toFixed(3));
  const runs = files.length > 0 ? files : readdirSync(RUNS).filter((f) => f.endsWith('.json.gz')).sort().map((f) => join(RUNS, f));
  const all: ReturnType<typeof replay>['replayed'][] = [];
  for (const file of runs) {
    const out = replay(readRun(file), { forgetting });
    const r = out.replayed;
    all.push(r);
    console.log(`${file} (${out.run})`);
    console.log(`  recorded: seconds error warm ${f(out.recorded.warm)} lake ${f(out.recorded.lake)} routed ${f(out.recorded.routedGroup)}; (b) saves ${(out.recorded.bSavesVsA * 100).toFixed(1)}%, ${(out.recorded.bOverC * 100).toFixed(1)}% above (c), ${out.recorded.likeOracle} like the oracle`);
    console.log(`  replayed: seconds error warm ${f(r.warm)} lake ${f(r.lake)} routed ${f(r.routedGroup)}, lake bytes ${f(r.lakeBytes)}; (b) on pinned timings saves ${(r.bOnPinnedSavesVsA * 100).toFixed(1)}% (the gateway's baseline says ${(r.claimedSavings * 100).toFixed(1)}%), ${(r.bOnPinnedOverC * 100).toFixed(1)}% above (c), ${r.likeOracle} like the oracle, ${r.sameAsRecorded} decisions as recorded`);
    if (process.env.REPLAY_VERBOSE === '1') for (const t of out.perTemplate) console.log(`    ${t.template.padEnd(16)} ${String(t.n).padStart(3)}  warm ${f(t.warm)}  lake ${f(t.lake)}`);
  }
  if (all.length > 1) {
    const mean = (k: 'warm' | 'lake' | 'routedGroup' | 'bOnPinnedOverC' | 'claimedSavings' | 'bOnPinnedSavesVsA'): number => all.reduce((s, r) => s + r[k], 0) / all.length;
    const worst = (k: 'warm' | 'lake' | 'routedGroup'): number => Math.max(...all.map((r) => r[k]));
    console.log(`mean of ${all.length} runs: seconds error warm ${f(mean('warm'))} (worst ${f(worst('warm'))}) lake ${f(mean('lake'))} (worst ${f(worst('lake'))}) routed ${f(mean('routedGroup'))} (worst ${f(worst('routedGroup'))}); (b) ${(mean('bOnPinnedOverC') * 100).toFixed(1)}% above (c); saves ${(mean('bOnPinnedSavesVsA') * 100).toFixed(1)}%, the gateway's baseline says ${(mean('claimedSavings') * 100).toFixed(1)}%`);
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve('bench/savings/replay.ts')) await main();
