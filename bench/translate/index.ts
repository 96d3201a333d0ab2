/**
 * bench/translate: the translator's cost in-process — a cached lookup on the demo's hot path
 * (PostgreSQL wire → DuckDB) and for a Trino statement, and uncached translation of TPC-H Q1–Q22
 * per query for Trino → DuckDB/PostgreSQL/MySQL and PostgreSQL → DuckDB/MySQL (polyglot parse +
 * generate twice, fix-ups, checks). Also records how each TPC-H query was handled and whether
 * strict mode refuses it. Writes bench/results/translate.json and prints a table.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { Dialect } from '../../src/core/types.js';
import { TPCH_QUERIES } from '../../test/fixtures/tpch-queries.js';
import { load } from '../compiled.js';
import { measure, summarize } from '../overhead/stats.js';

// The gateway's modules, compiled (dist/) unless BENCH_SOURCE=src: see bench/compiled.ts.
const { registerDefaultFixups } = await load<typeof import('../../src/translate/fixups.js')>('translate/fixups.js');
const { loadPolyglot, transpile } = await load<typeof import('../../src/translate/polyglot.js')>('translate/polyglot.js');
const { Translator } = await load<typeof import('../../src/translate/translator.js')>('translate/translator.js');

const N = Number(process.env.BENCH_DECISIONS ?? 100_000);
const UNCACHED = Number(process.env.BENCH_TRANSLATE_UNCACHED ?? 40);
const PAIRS: readonly (readonly [Dialect, Dialect])[] = [
  ['trino', 'duckdb'],
  ['trino', 'postgres'],
  ['trino', 'mysql'],
  ['postgres', 'duckdb'],
  ['postgres', 'mysql'],
];


/** Run the benchmark. */
export async function main(): Promise<void> {
  const t0 = performance.now();
  const translator = new Translator();
  registerDefaultFixups(translator);
  await translator.warmUp();
  const warmUpMs = performance.now() - t0;
  const strict = new Translator({ mode: 'strict' });
  registerDefaultFixups(strict);

  const pgSql = "SELECT o_orderpriority, count(*) FROM orders WHERE o_orderdate >= DATE '1995-01-01' AND o_custkey = $1 GROUP BY 1 ORDER BY 2 DESC";
  const trinoSql = "SELECT date_trunc('month', o_orderdate) AS m, count_if(o_totalprice > 1000) FROM orders GROUP BY 1 ORDER BY 1";
  const cached = {
    postgresToDuckdb: summarize(measure(N, () => translator.translate(pgSql, 'postgres', 'duckdb'))),
    trinoToMysql: summarize(measure(N, () => translator.translate(trinoSql, 'trino', 'mysql'))),
    catalogQuery: summarize(measure(N, () => translator.translate('select * from pg_catalog.pg_class', 'postgres', 'duckdb'))),
    sameDialect: summarize(measure(N, () => translator.translate(pgSql, 'postgres', 'postgres'))),
  };

  // Uncached: a distinct trailing comment per call defeats the cache without changing the work.
  // polyglot's own transpile is timed side by side: the machines are noisy, the ratio is not.
  const sdk = await loadPolyglot();
  let k = 0;
  // One pass over every query and pair first, so JIT warm-up does not land on Q1.
  for (const q of TPCH_QUERIES) for (const [from, to] of PAIRS) translator.translate(`${q}\n-- ${k++}`, from, to);
  const tpch = TPCH_QUERIES.map((q, i) => {
    const perPair: Record<string, { p50: number; p95: number; p99: number; polyglotP50: number; how: string; strict: string }> = {};
    for (const [from, to] of PAIRS) {
      const raw = summarize(measure(UNCACHED, () => transpile(sdk, q, from, to), 3));
      const s = summarize(measure(UNCACHED, () => translator.translate(`${q}\n-- ${k++}`, from, to), 3));
      const how = translator.outcome(q, from, to).how;
      let strictVerdict = 'ok';
      try {
        strict.translate(q, from, to);
      } catch (err) {
        strictVerdict = `refused: ${(err as Error).message.replace(/^.*strict mode: /, '')}`;
      }
      perPair[`${from}>${to}`] = { p50: s.p50, p95: s.p95, p99: s.p99, polyglotP50: raw.p50, how, strict: strictVerdict };
    }
    return { query: `Q${i + 1}`, ...perPair };
  });

  const report = {
    benchmark: 'translate',
    at: new Date().toISOString(),
    machine: { nproc: cpus().length, cpuModel: cpus()[0]?.model, node: process.version },
    calls: N,
    warmUpMs: Math.round(warmUpMs),
    goals: { cachedP50Us: 5 },
    cachedUs: cached,
    tpchUncachedUs: tpch,
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/translate.json', JSON.stringify(report, null, 2));

  const row = (name: string, p: { p50: number; p95: number; p99: number }, goal: string): string =>
    `${name.padEnd(32)} ${p.p50.toFixed(2).padStart(8)} ${p.p95.toFixed(2).padStart(8)} ${p.p99.toFixed(2).padStart(8)}  ${goal}`;
  console.log(`polyglot warm-up (wasm load, first call): ${report.warmUpMs} ms`);
  console.log(`${'cached translate, µs per call'.padEnd(32)} ${'p50'.padStart(8)} ${'p95'.padStart(8)} ${'p99'.padStart(8)}  goal`);
  console.log(row('postgres → duckdb (demo path)', cached.postgresToDuckdb, 'p50 ≤ 5'));
  console.log(row('trino → mysql', cached.trinoToMysql, 'p50 ≤ 5'));
  console.log(row('catalog query → duckdb', cached.catalogQuery, 'p50 ≤ 5'));
  console.log(row('same dialect (identity)', cached.sameDialect, 'reported'));
  console.log(`\nuncached translate of TPC-H, p50 µs (bestEffort; * = strict refuses; (×r) = ratio to one polyglot transpile):`);
  console.log(`${'query'.padEnd(6)}${PAIRS.map(([f, t]) => `${f}>${t}`.padStart(17)).join('')}`);
  for (const t of tpch) {
    const cells = PAIRS.map(([f, to]) => {
      const c = (t as unknown as Record<string, { p50: number; polyglotP50: number; strict: string }>)[`${f}>${to}`]!;
      return `${c.p50.toFixed(0)}${c.strict === 'ok' ? ' ' : '*'}(×${(c.p50 / c.polyglotP50).toFixed(1)})`.padStart(17);
    });
    console.log(`${t.query.padEnd(6)}${cells.join('')}`);
  }
}
