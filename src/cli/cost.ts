/**
 * `queryflux cost calibrate`: batch refit of the seconds model from the query history, starting
 * from the cards' priors; the last share of the history is held out to measure the fit.
 * `queryflux cost cards`: the pricing cards in force.
 */
import { analyze, warmUpAnalysis } from '../analysis/analyzer.js';
import type { Analysis } from '../analysis/types.js';
import type { ResolvedConfig } from '../config/load.js';
import { PROTOCOL_DIALECT } from '../core/dialects.js';
import type { Protocol } from '../core/types.js';
import { median } from '../cost/calibration.js';
import { cardsFor, costModelFor } from '../cost/index.js';
import { openHistoryDb } from '../history/db.js';
import type { HistoryEntry } from '../history/record.js';
import { migrate } from '../history/migrate.js';
import { parseSince } from '../history/report.js';
import { HistoryStore } from '../history/store.js';

export const COST_USAGE = `  cost calibrate --config FILE [--since 30d] [--holdout 0.2] [--format table|json]
                          refit the per-cluster seconds model from the history (from the priors), report the
                          median relative error on held-out queries before and after, save the state
  cost cards --config FILE [--format table|json]
                          the pricing cards in force and which clusters use them`;

export interface CostFlags {
  readonly since?: string;
  readonly holdout?: string;
  readonly format?: string;
}

interface ClusterFit {
  cluster: string;
  trained: number;
  heldOut: number;
  priorMedianError: number | null;
  calibratedMedianError: number | null;
  /** Median of max(est/actual, actual/est): 1.5 = typically off by 1.5× either way. */
  priorMedianFactor: number | null;
  calibratedMedianFactor: number | null;
  /**
   * Held-out statements whose shape ran in the training part, each estimated by the geometric mean
   * of its shape's last REPEAT_RUNS training runs: how predictable the history is (a machine that
   * changed speed between the parts shows here), the error no model of it would beat by much.
   */
  repeats: number;
  repeatMedianError: number | null;
  repeatMedianFactor: number | null;
}

/** `queryflux cost <sub>`; returns the exit code. */
export async function costCommand(config: ResolvedConfig, sub: string | undefined, flags: CostFlags): Promise<number> {
  if (sub === 'cards') return cardsCommand(config, flags);
  if (sub === 'calibrate') return calibrateCommand(config, flags);
  console.error(`usage:\n${COST_USAGE}`);
  return 2;
}

/** Runs of a shape the "repeat" reference averages (the model's shape memory spans ≈ 10 too). */
const REPEAT_RUNS = 10;

/** What the engine was busy with the statement (the proxy's queue time left out), ≥ 10 µs. */
function busySeconds(e: HistoryEntry): number {
  return Math.max(1e-5, (e.durationMs - e.queuedMs) / 1000);
}

function cardsCommand(config: ResolvedConfig, flags: CostFlags): number {
  const cards = cardsFor(config);
  const users = new Map<string, string[]>();
  for (const g of config.groups.values()) for (const c of g.members) users.set(c.pricing ?? c.engine, [...(users.get(c.pricing ?? c.engine) ?? []), c.name]);
  if (flags.format === 'json') {
    console.log(JSON.stringify([...cards.values()].map((c) => ({ ...c, clusters: users.get(c.name) ?? [] })), null, 2));
    return 0;
  }
  for (const c of cards.values()) {
    const price =
      c.model === 'scan' ? `$${c.scan!.usdPerTB}/TB scanned, min ${c.scan!.minBytesPerQuery} bytes` : c.model === 'compute' ? `$${c.compute!.usdPerNodeHour}/node-hour × ${c.compute!.nodes} (${c.compute!.billing})` : `$${c.credits!.usdPerCredit}/credit × ${c.credits!.creditsPerHour}/h, min ${c.credits!.minimumSeconds}s`;
    console.log(`${c.name.padEnd(12)} ${c.model.padEnd(8)} ${price.padEnd(52)} ${(users.get(c.name) ?? []).join(', ')}`);
  }
  return 0;
}

async function calibrateCommand(config: ResolvedConfig, flags: CostFlags): Promise<number> {
  const since = parseSince(flags.since ?? '30d');
  const holdout = flags.holdout === undefined ? 0.2 : Number(flags.holdout);
  if (!(holdout >= 0 && holdout < 1)) throw new Error(`--holdout must be in [0, 1) (got "${flags.holdout}")`);
  const p = config.raw.queryflux.persistence;
  if (p.type === 'inMemory') throw new Error(`${config.file}: persistence.type is inMemory: there is no history to calibrate from`);
  await warmUpAnalysis();
  const db = await openHistoryDb(p);
  const entries: HistoryEntry[] = [];
  try {
    await migrate(db);
    for await (const e of new HistoryStore(db).scan({ since })) if (e.status === 'ok' && e.cluster !== null) entries.push(e);
  } finally {
    await db.close();
  }
  const split = Math.floor(entries.length * (1 - holdout));
  const prior = costModelFor(config, { fresh: true });
  const model = costModelFor(config, { fresh: true });
  const dialectOf = (e: HistoryEntry) => PROTOCOL_DIALECT[e.protocol as Protocol] ?? 'generic';
  let skipped = 0;
  /** Per cluster and shape: ln(busy seconds) of its last REPEAT_RUNS runs in the training part. */
  const shapes = new Map<string, number[]>();
  const shapeKey = (e: HistoryEntry, a: Analysis) => `${e.cluster}\u0001${a.fingerprint}`;
  for (const e of entries.slice(0, split)) {
    const a = analyze(e.sql, dialectOf(e));
    if (a.depth !== 'ast' || a.kind !== 'select') {
      skipped++;
      continue;
    }
    const key = shapeKey(e, a);
    const runs = shapes.get(key) ?? [];
    if (runs.push(Math.log(busySeconds(e))) > REPEAT_RUNS) runs.shift();
    shapes.set(key, runs);
    model.observe({ cluster: e.cluster!, group: e.group ?? undefined, status: 'ok', durationMs: e.durationMs, queuedMs: e.queuedMs }, a);
  }
  type Errors = { err: number[]; factor: number[] };
  const errors = (): Errors => ({ err: [], factor: [] });
  const push = (to: Errors, estimate: number, actual: number) => {
    to.err.push(Math.abs(estimate - actual) / actual);
    to.factor.push(Math.max(estimate / actual, actual / estimate));
  };
  const fits = new Map<string, { cluster: string; trained: number; heldOut: number; prior: Errors; calibrated: Errors; repeat: Errors }>();
  const fit = (cluster: string) => {
    let f = fits.get(cluster);
    if (f === undefined) fits.set(cluster, (f = { cluster, trained: model.accuracy()[cluster]?.observations ?? 0, heldOut: 0, prior: errors(), calibrated: errors(), repeat: errors() }));
    return f;
  };
  for (const e of entries.slice(split)) {
    const a = analyze(e.sql, dialectOf(e));
    const t = model.target(e.cluster!);
    if (a.depth !== 'ast' || a.kind !== 'select' || t === undefined) continue;
    const actual = busySeconds(e);
    const f = fit(e.cluster!);
    f.heldOut++;
    push(f.prior, prior.estimateTarget(a, t).seconds, actual);
    push(f.calibrated, model.estimateTarget(a, t).seconds, actual);
    const seen = shapes.get(shapeKey(e, a));
    if (seen !== undefined) push(f.repeat, Math.exp(seen.reduce((a, b) => a + b, 0) / seen.length), actual);
  }
  for (const cluster of Object.keys(model.accuracy())) fit(cluster);
  const result: ClusterFit[] = [...fits.values()].map(({ prior: p, calibrated: c, repeat: r, ...f }) => ({
    ...f,
    priorMedianError: median(p.err) ?? null,
    calibratedMedianError: median(c.err) ?? null,
    priorMedianFactor: median(p.factor) ?? null,
    calibratedMedianFactor: median(c.factor) ?? null,
    repeats: r.err.length,
    repeatMedianError: median(r.err) ?? null,
    repeatMedianFactor: median(r.factor) ?? null,
  }));
  model.touch();
  await model.close();
  await prior.close();
  if (flags.format === 'json') {
    console.log(JSON.stringify({ queries: entries.length, trainedOn: split - skipped, skipped, heldOut: entries.length - split, clusters: result }, null, 2));
    return 0;
  }
  const pct = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);
  console.log(`history since ${since.toISOString()}: ${entries.length} successful queries; trained on ${split - skipped} (${skipped} not parsed), held out ${entries.length - split}`);
  const x = (v: number | null) => (v === null ? '-' : `${v.toFixed(2)}×`);
  console.log(`${'cluster'.padEnd(20)} ${'trained'.padStart(8)} ${'held out'.padStart(9)} ${'prior err'.padStart(10)} ${'calibrated'.padStart(11)} ${'repeat'.padStart(8)} ${'prior off'.padStart(10)} ${'calibrated'.padStart(11)} ${'repeat'.padStart(8)}`);
  for (const f of result) console.log(`${f.cluster.padEnd(20)} ${String(f.trained).padStart(8)} ${String(f.heldOut).padStart(9)} ${pct(f.priorMedianError).padStart(10)} ${pct(f.calibratedMedianError).padStart(11)} ${pct(f.repeatMedianError).padStart(8)} ${x(f.priorMedianFactor).padStart(10)} ${x(f.calibratedMedianFactor).padStart(11)} ${x(f.repeatMedianFactor).padStart(8)}`);
  console.log('err: median |estimated - actual| / actual; off: median max(estimated/actual, actual/estimated)');
  console.log(`repeat: a held-out statement whose shape ran in the training part, estimated by the mean of that shape's last ${REPEAT_RUNS} training runs (the history's own noise)`);
  const path = config.raw.costModel.calibration.statePath;
  console.log(path ? `state saved to ${path}; a running gateway reads it at its next start` : 'calibration.statePath is empty: state not saved');
  return 0;
}
