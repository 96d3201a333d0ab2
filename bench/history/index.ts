/**
 * bench/history: what the query history costs the gateway.
 *  1. hot path: µs per `record()` call on the history writer next to a no-op sink, measured side
 *     by side in alternating rounds while the writer flushes to a real SQLite file (goal p99 ≤ 10 µs added);
 *  2. event loop: delay (p50/p99/max) while outcomes arrive at a steady rate, with no history and
 *     with SQLite / PostgreSQL written inline or from the writer's worker thread (the default);
 *  3. sustained rows/s into SQLite (file, WAL) and a real PostgreSQL 15, and the batch write time.
 * Writes bench/results/history.json and prints a table.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pino } from 'pino';
import type { OutcomeSink, QueryOutcome } from '../../src/core/outcome.js';
import type { PersistenceConfig } from '../../src/history/db.js';
import type { History as HistoryT } from '../../src/history/history.js';
import { startPostgres } from '../../test/support/postgres-server.js';
import { load } from '../compiled.js';
import { summarize } from '../overhead/stats.js';

// The gateway's modules, compiled (dist/) unless BENCH_SOURCE=src: see bench/compiled.ts.
const { History } = await load<typeof import('../../src/history/history.js')>('history/history.js');

const HOT_CALLS = Number(process.env.BENCH_HISTORY_CALLS ?? 200_000);
const SUSTAINED_ROWS = Number(process.env.BENCH_HISTORY_ROWS ?? 100_000);
const STEADY_RATE = Number(process.env.BENCH_HISTORY_RATE ?? 2000); // outcomes per second
const STEADY_SECONDS = Number(process.env.BENCH_HISTORY_SECONDS ?? 5);
const silent = pino({ level: 'silent' });

let seq = 0;
/** A realistic outcome: ~120 chars of SQL, tags, estimates for three groups, costs. */
function outcome(): QueryOutcome {
  const i = seq++;
  const est = (usd: number, seconds: number) => ({ usd, seconds, bytesScanned: 1e8, confidence: 0.6 });
  return {
    id: `b-${process.pid}-${i}`, protocol: 'postgres', user: `user${i % 20}`,
    sql: `select o_orderpriority, count(*) from orders where o_orderdate >= date '1995-01-01' and o_custkey = ${i} group by 1 order by 1`,
    fingerprint: "select o_orderpriority, count(*) from orders where o_orderdate >= date ? and o_custkey = ? group by ? order by ?",
    group: 'interactive', cluster: 'duckdb-1', engine: 'duckdb', rule: 'policy', reason: 'cheapest', translatedFrom: 'postgres', translatedTo: 'duckdb',
    status: 'ok', receivedAt: Date.now(), queuedMs: 0.1, durationMs: 2.5, rows: 5, database: 'demo', clientTags: ['team:bi', 'dashboard'], tables: ['orders'], kind: 'select',
    bytesScanned: 123456, estimates: { interactive: est(0.0001, 0.003), batch: est(0.0002, 0.01), athena: est(0.0005, 1.2) }, costUsd: 0.00011, baselineUsd: 0.0005, baselineGroup: 'athena',
  };
}

const sqliteCfg = (path: string, over: Partial<PersistenceConfig> = {}): PersistenceConfig => ({ type: 'sqlite', path, flushIntervalMs: 1000, batchSize: 500, maxBufferRows: 50_000, redactSql: false, ...over });

/** µs per record() call, history writer vs no-op sink, alternating rounds of 1000 calls. */
async function hotPath(history: HistoryT): Promise<{ noop: ReturnType<typeof summarize>; history: ReturnType<typeof summarize>; addedP50: number; addedP99: number }> {
  const noop: OutcomeSink = { record: () => undefined };
  const pool = Array.from({ length: 1000 }, outcome);
  const samples = { noop: [] as number[], history: [] as number[] };
  const round = (sink: OutcomeSink, out: number[], record: boolean) => {
    for (const o of pool) {
      const t0 = performance.now();
      sink.record(o);
      const dt = (performance.now() - t0) * 1000;
      if (record) out.push(dt);
    }
  };
  for (let r = 0; r < 20; r++) round(r % 2 ? noop : history, [], false); // warm-up
  for (let r = 0; r < HOT_CALLS / 1000; r++) {
    round(noop, samples.noop, true);
    round(history, samples.history, true);
    // Fresh ids for the next round (the pool is reused) and a turn of the event loop for the writer.
    for (let k = 0; k < pool.length; k++) pool[k] = outcome();
    await new Promise((res) => setImmediate(res));
  }
  const a = summarize(samples.noop);
  const b = summarize(samples.history);
  return { noop: a, history: b, addedP50: Math.round((b.p50 - a.p50) * 10) / 10, addedP99: Math.round((b.p99 - a.p99) * 10) / 10 };
}

/** Event-loop delay (ms) while outcomes arrive at STEADY_RATE for STEADY_SECONDS. */
async function steady(sink: OutcomeSink | undefined): Promise<{ p50Ms: number; p99Ms: number; maxMs: number }> {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const perTick = Math.max(1, Math.round(STEADY_RATE / 1000));
  const end = Date.now() + STEADY_SECONDS * 1000;
  while (Date.now() < end) {
    for (let k = 0; k < perTick; k++) sink?.record(outcome());
    await new Promise((r) => setTimeout(r, 1));
  }
  h.disable();
  const ms = (ns: number) => Math.round(ns / 1e4) / 100;
  return { p50Ms: ms(h.percentile(50)), p99Ms: ms(h.percentile(99)), maxMs: ms(h.max) };
}

/** Rows/s: record `n` outcomes as fast as the writer takes them (never over its buffer), until all are written. */
async function sustained(history: HistoryT, n: number): Promise<{ rows: number; seconds: number; rowsPerSec: number; batchMs: ReturnType<typeof summarize>; dropped: number }> {
  const before = history.writer.getStats();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    history.record(outcome());
    if (history.writer.buffered >= 20_000) while (history.writer.buffered > 5_000) await new Promise((r) => setTimeout(r, 1));
  }
  await history.writer.flush();
  const seconds = (performance.now() - t0) / 1000;
  const after = history.writer.getStats();
  return { rows: after.written - before.written, seconds: Math.round(seconds * 100) / 100, rowsPerSec: Math.round((after.written - before.written) / seconds), batchMs: summarize(batchTimes.splice(0).map((s) => s / 1000)), dropped: after.dropped - before.dropped };
}

const batchTimes: number[] = [];
const observer = { dropped: () => undefined, wrote: (_rows: number, seconds: number) => void batchTimes.push(seconds * 1e6) };

/** Run the benchmark. */
export async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'qf-bench-history-'));
  const pgServer = await startPostgres();
  try {
    const sqlite = await History.start({ persistence: sqliteCfg(join(dir, 'hot.db'), { flushIntervalMs: 100 }), retentionDays: 30, logger: silent, observer });
    const hot = await hotPath(sqlite);
    await sqlite.close();
    batchTimes.length = 0;

    const loopNone = await steady(undefined);
    const loops: Record<string, Awaited<ReturnType<typeof steady>>> = { 'no history': loopNone };
    for (const writerThread of [false, true]) {
      const mode = writerThread ? 'worker thread' : 'inline';
      const s1 = await History.start({ persistence: sqliteCfg(join(dir, `steady-${mode}.db`), { flushIntervalMs: 250 }), retentionDays: 30, logger: silent, observer, writerThread });
      loops[`SQLite, ${mode}`] = await steady(s1);
      await s1.close();
      const p1 = await History.start({ persistence: { ...sqliteCfg(''), type: 'postgres', url: pgServer.url, flushIntervalMs: 250 }, retentionDays: 30, logger: silent, observer, writerThread });
      loops[`PostgreSQL, ${mode}`] = await steady(p1);
      await p1.close();
    }
    batchTimes.length = 0;

    const s2 = await History.start({ persistence: sqliteCfg(join(dir, 'sustained.db')), retentionDays: 30, logger: silent, observer });
    const sqliteRate = await sustained(s2, SUSTAINED_ROWS);
    await s2.close();
    const p2 = await History.start({ persistence: { ...sqliteCfg(''), type: 'postgres', url: pgServer.url }, retentionDays: 30, logger: silent, observer });
    const pgRate = await sustained(p2, SUSTAINED_ROWS);
    await p2.close();

    const report = {
      benchmark: 'history',
      at: new Date().toISOString(),
      machine: { nproc: cpus().length, cpuModel: cpus()[0]?.model, node: process.version },
      settings: { hotCalls: HOT_CALLS, sustainedRows: SUSTAINED_ROWS, steadyRate: STEADY_RATE, steadySeconds: STEADY_SECONDS, batchSize: 500 },
      goals: { recordAddedP99Us: 10 },
      hotPathUs: hot,
      eventLoopDelayMs: loops,
      sustained: { sqlite: sqliteRate, postgres: pgRate },
    };
    mkdirSync('bench/results', { recursive: true });
    writeFileSync('bench/results/history.json', JSON.stringify(report, null, 2));

    const f = (n: number) => n.toFixed(2).padStart(8);
    console.log(`${'record() µs per call'.padEnd(34)} ${'p50'.padStart(8)} ${'p95'.padStart(8)} ${'p99'.padStart(8)} ${'max'.padStart(8)}`);
    console.log(`${'  no-op sink'.padEnd(34)} ${f(hot.noop.p50)} ${f(hot.noop.p95)} ${f(hot.noop.p99)} ${f(hot.noop.max)}`);
    console.log(`${'  history writer (SQLite behind)'.padEnd(34)} ${f(hot.history.p50)} ${f(hot.history.p95)} ${f(hot.history.p99)} ${f(hot.history.max)}`);
    console.log(`${'  added'.padEnd(34)} ${f(hot.addedP50)} ${''.padStart(8)} ${f(hot.addedP99)}   goal p99 ≤ 10 µs`);
    console.log(`\nevent-loop delay at ${STEADY_RATE} outcomes/s   ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'max ms'.padStart(8)}`);
    for (const [name, l] of Object.entries(loops)) console.log(`  ${name.padEnd(35)} ${f(l.p50Ms)} ${f(l.p99Ms)} ${f(l.maxMs)}`);
    console.log(`\nsustained writes (${SUSTAINED_ROWS} rows)      ${'rows/s'.padStart(8)} ${'batch p50 ms'.padStart(13)} ${'batch p99 ms'.padStart(13)}`);
    for (const [name, r] of [['SQLite (WAL), worker thread', sqliteRate], ['PostgreSQL 15, worker thread', pgRate]] as const) console.log(`  ${name.padEnd(35)} ${String(r.rowsPerSec).padStart(8)} ${r.batchMs.p50.toFixed(1).padStart(13)} ${r.batchMs.p99.toFixed(1).padStart(13)}`);
  } finally {
    await pgServer.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
