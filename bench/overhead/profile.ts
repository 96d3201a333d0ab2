/**
 * Where the gateway's CPU goes under load — a tool for performance work, not a benchmark run by
 * `npm run bench`. Starts a real PostgreSQL (pgbench tables, scale 1) and the gateway compiled in
 * dist/ (the bench/overhead router chain: six routers incl. the demo Rego policy, history on), or
 * the bare Node.js pipe for comparison, then drives it with pgbench or with node `pg` (a slower
 * reader: it parses every value). Prints JSON: throughput or latency, the proxy's CPU per query,
 * CPU per thread (main thread, V8's helpers, the history writer), and with --cpu-prof the top
 * functions by self time on the main thread after the warm-up.
 *
 *   npm run build && npx tsx bench/overhead/profile.ts [options]
 *     --target queryflux|pipe      (queryflux)
 *     --client pgbench|node-pg     (pgbench)
 *     --sql "select ..."           (pgbench: its -S statement; node-pg: select 1)
 *     --clients N --seconds S      pgbench clients (8) and duration (10)
 *     --queries N --prewarm N      node-pg: timed queries (3000) and untimed ones before (1000)
 *     --cpu-prof DIR               write a V8 CPU profile of the proxy process into DIR
 *     --perf                       start the proxy with --perf-basic-prof, for Linux perf's on-CPU view
 *                                  (V8's profiler samples wall time: a thread waiting for a core in
 *                                  a socket write counts as writeBuffer); attach with
 *                                  `perf record -g -p <pid>` and read `perf report --tid <main>`
 *
 * Findings made with it are in docs/architecture.md ("Performance notes").
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { postgresBinDir, startPostgres } from '../../test/support/postgres-server.js';
import { cpuMs, gatewayYaml, pgbench, startNodeChild, threadCpuMs } from './processes.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

/** Self time per function on the main thread, after `skipMs` of the profile (the warm-up). */
function topFunctions(profileFile: string, skipMs: number, count: number): { fn: string; ms: number }[] {
  const p = JSON.parse(readFileSync(profileFile, 'utf8')) as {
    nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
    samples: number[];
    timeDeltas: number[];
    startTime: number;
  };
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let t = 0;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i]!;
    if (t < skipMs * 1000) continue;
    const cf = byId.get(p.samples[i]!)!.callFrame;
    const key = `${cf.functionName || '(anonymous)'} ${cf.url.replace(/^.*\/(dist|node_modules)\//, '$1/')}:${cf.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + p.timeDeltas[i]!);
  }
  return [...self].sort((a, b) => b[1] - a[1]).slice(0, count).map(([fn, us]) => ({ fn, ms: Math.round(us / 1000) }));
}

async function main(): Promise<void> {
  const target = option('target', 'queryflux');
  const clientKind = option('client', 'pgbench');
  const profDir = option('cpu-prof', '');
  const server = await startPostgres({ max_connections: 200 });
  execFileSync(join(postgresBinDir(), 'pgbench'), ['-i', '-s', '1', '-q', '-h', '127.0.0.1', '-p', String(server.port), '-U', 'postgres', 'postgres'], { stdio: 'ignore' });
  const dir = mkdtempSync(join(tmpdir(), 'qf-profile-'));
  const config = join(dir, 'gateway.yaml');
  writeFileSync(config, gatewayYaml(server.port, join(dir, 'history.db')));
  if (profDir) mkdirSync(profDir, { recursive: true });
  const nodeArgs = profDir ? ['--cpu-prof', `--cpu-prof-dir=${resolve(profDir)}`] : process.argv.includes('--perf') ? ['--perf-basic-prof', '--interpreted-frames-native-stack'] : [];
  const spawnedAt = Date.now();
  const proxy =
    target === 'pipe'
      ? await startNodeChild('node-pipe', join(repoRoot, 'bench/overhead/pipe-child.ts'), ['127.0.0.1', String(server.port)], repoRoot, nodeArgs)
      : await startNodeChild('queryflux', join(repoRoot, 'bench/overhead/gateway-child.ts'), [config], repoRoot, nodeArgs);
  let loadAt = Date.now();
  let result: Record<string, unknown>;
  let queries: number;
  let before: Map<string, { name: string; ms: number }>;
  let cpu0: number;
  if (clientKind === 'node-pg') {
    const sql = option('sql', 'select 1');
    const c = new pg.Client({ host: '127.0.0.1', port: proxy.port, user: 'postgres', database: 'postgres' });
    await c.connect();
    for (let i = 0, n = Number(option('prewarm', '1000')); i < n; i++) await c.query(sql);
    before = threadCpuMs(proxy.pid);
    cpu0 = cpuMs(proxy.pid);
    loadAt = Date.now();
    queries = Number(option('queries', '3000'));
    const lat: number[] = [];
    for (let i = 0; i < queries; i++) {
      const t0 = performance.now();
      await c.query(sql);
      lat.push(performance.now() - t0);
    }
    await c.end();
    lat.sort((a, b) => a - b);
    result = { client: 'node-pg', sql, queries, p50Ms: lat[queries >> 1], p99Ms: lat[Math.floor(queries * 0.99)] };
  } else {
    const sql = option('sql', '');
    const script = sql ? join(dir, 'script.sql') : undefined;
    if (script) writeFileSync(script, sql.trim().replace(/;?$/, ';\n'));
    before = threadCpuMs(proxy.pid);
    cpu0 = cpuMs(proxy.pid);
    const clients = option('clients', '8');
    const r = await pgbench(proxy.port, [...(script ? ['-f', script] : ['-S']), '-c', clients, '-j', String(Math.min(2, Number(clients))), '-T', option('seconds', '10')], 120_000);
    queries = r.transactions ?? 0;
    result = { client: 'pgbench', sql: sql || '-S', clients: Number(clients), tps: r.tps, latencyAvgMs: r.latencyAvgMs, failed: r.failedTransactions };
  }
  const after = threadCpuMs(proxy.pid);
  const threads = [...after].map(([tid, t]) => ({ tid, name: t.name, usPerQuery: Math.round(((t.ms - (before.get(tid)?.ms ?? 0)) * 1000) / Math.max(1, queries)) }));
  const mainTid = String(proxy.pid);
  const report = {
    target,
    ...result,
    proxyCpuUsPerQuery: Math.round(((cpuMs(proxy.pid) - cpu0) * 1000) / Math.max(1, queries)),
    mainThreadUsPerQuery: threads.find((t) => t.tid === mainTid)?.usPerQuery,
    otherThreads: threads.filter((t) => t.tid !== mainTid && t.usPerQuery > 0),
  };
  await proxy.stop();
  await server.stop();
  if (profDir) {
    const files = readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(profDir, f));
    const main = files.sort((a, b) => readFileSync(b).length - readFileSync(a).length)[0];
    // The profile starts with the process: leave out its start-up and the untimed queries.
    if (main) Object.assign(report, { cpuProfile: main, topSelfTime: topFunctions(main, loadAt - spawnedAt, 25) });
  }
  console.log(JSON.stringify(report, null, 2));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
