/**
 * bench/pipeline: the per-query routing cost in-process — lexical analysis (cached and uncached),
 * a chain of five rules plus the demo Rego policy (every verdict evaluated), the Rego policy alone,
 * and the translator's cached lookup. Writes bench/results/pipeline.json and prints a table.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { pino } from 'pino';
import { analyze as analyzeLexical } from '../../src/analysis/analyzer.js';
import { parseConfig } from '../../src/config/load.js';
import { newSession, type QueryRequest } from '../../src/core/types.js';
import { buildRouterChain } from '../../src/routing/chain.js';
import { PolicyRouter } from '../../src/routing/policy/router.js';
import type { RoutingInput } from '../../src/routing/types.js';
import { Translator } from '../../src/translate/translator.js';
import { registerDefaultFixups } from '../../src/translate/fixups.js';
import { summarize } from '../overhead/stats.js';

const N = Number(process.env.BENCH_DECISIONS ?? 100_000);

const CONFIG = `
clusterGroups:
  interactive: { engine: duckDb, maxRunningQueries: 8, clusters: [{ name: d1 }] }
  batch: { engine: duckDb, clusters: [{ name: d2 }] }
routers:
  - { type: queryRegex, rules: [{ regex: "(?i)^\\\\s*insert\\\\s+into\\\\s+audit", targetGroup: batch }] }
  - { type: header, headerName: x-qf-group, headerValueToGroup: { batch: batch } }
  - { type: userGroup, userToGroup: { airflow: batch } }
  - { type: clientTags, rules: [{ tags: { workload: etl }, targetGroup: batch }] }
  - { type: compound, combine: all, targetGroup: batch, conditions: [{ type: user, username: nobody }, { type: protocol, protocol: mysqlWire }] }
  - { type: policy, path: policies/demo/bundle.tar.gz, watch: false }
  - { type: protocolBased, postgresWire: interactive }
routingFallback: interactive
auth: { provider: none }
`;

/** Time `fn` per call (µs) over `n` calls after a warm-up; one sample per call. */
function measure(n: number, fn: (i: number) => unknown): number[] {
  for (let i = 0; i < Math.min(n, 10_000); i++) fn(i);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    fn(i);
    out[i] = (performance.now() - t0) * 1000;
  }
  return out;
}

/** Run the benchmark. */
export async function main(): Promise<void> {
  const cfg = parseConfig(CONFIG, 'bench/pipeline', {});
  const chain = buildRouterChain(cfg.raw.routers, cfg.raw.routingFallback, pino({ level: 'silent' }));
  await chain.init();
  const groupNames = [...cfg.groups.keys()];
  const sql = 'select o_orderpriority, count(*) from orders where o_orderdate >= date \'1995-01-01\' group by 1 order by 1';
  const request: QueryRequest = { id: 'b', sql, protocol: 'postgres', user: 'analyst', headers: { application_name: 'psql' }, clientTags: ['psql'], session: newSession(), source: 'psql', receivedAt: Date.now() };
  const load = { running: 2, queued: 0, maxRunning: 8, healthyMembers: 1 };
  const input = (): RoutingInput => ({ request, userGroups: [], analysis: analyzeLexical(request.sql), estimates: {}, groupNames, groupLoad: () => load });

  const decision = chain.route(input());
  const verdicts = chain.explain(input()).verdicts.length;
  const policy = chain.routers.find((r): r is PolicyRouter => r instanceof PolicyRouter)!;
  const translator = new Translator();
  registerDefaultFixups(translator);

  // The chain is measured again after 50k distinct statements churn the caches: this caught an
  // LRU whose lookups degraded to ~36 µs after churn (src/core/lru.ts), so it stays as a guard.
  const regoAlone = summarize(measure(N, () => policy.match(input())));
  const chainDecision = summarize(measure(N, () => chain.route(input())));
  const results = {
    regoAlone,
    chainDecision,
    analysisCached: summarize(measure(N, () => analyzeLexical(sql))),
    analysisUncached: summarize(measure(Math.min(N, 50_000), (i) => analyzeLexical(`${sql} -- ${i}`))),
    chainAfterChurn: summarize(measure(N, () => chain.route(input()))),
    translationCached: summarize(measure(N, () => translator.translate('select * from pg_catalog.pg_class', 'postgres', 'duckdb'))),
  };
  const report = {
    benchmark: 'pipeline',
    at: new Date().toISOString(),
    machine: { nproc: cpus().length, cpuModel: cpus()[0]?.model, node: process.version },
    decisions: N,
    chain: { routers: chain.routers.map((r) => r.rule), decidedBy: decision.rule, group: decision.group, verdictsPerExplain: verdicts },
    goals: { chainP50Us: 15, chainP99Us: 50, analysisCachedP50Us: 5, translationCachedP50Us: 5 },
    resultsUs: results,
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/pipeline.json', JSON.stringify(report, null, 2));
  const row = (name: string, p: { p50: number; p95: number; p99: number }, goal: string) =>
    `${name.padEnd(28)} ${p.p50.toFixed(2).padStart(8)} ${p.p95.toFixed(2).padStart(8)} ${p.p99.toFixed(2).padStart(8)}  ${goal}`;
  console.log(`routing chain: ${report.chain.routers.join(' → ')}; decided by ${decision.rule} → ${decision.group}`);
  console.log(`${'µs per call'.padEnd(28)} ${'p50'.padStart(8)} ${'p95'.padStart(8)} ${'p99'.padStart(8)}  goal`);
  console.log(row('analysis (cached)', results.analysisCached, 'p50 ≤ 5'));
  console.log(row('analysis (uncached, lexical)', results.analysisUncached, '-'));
  console.log(row('chain of 7 incl. Rego', results.chainDecision, 'p50 ≤ 15, p99 ≤ 50'));
  console.log(row('  same, after LRU churn', results.chainAfterChurn, 'p50 ≤ 15, p99 ≤ 50'));
  console.log(row('Rego policy alone', results.regoAlone, 'reported'));
  console.log(row('translation (cached)', results.translationCached, 'p50 ≤ 5'));
  chain.close();
}
