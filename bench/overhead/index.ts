/**
 * bench/overhead: what a QueryFlux hop costs over talking to PostgreSQL directly, side by side
 * in one run with PgBouncer (the reference proxy) and a bare Node.js TCP pipe (the floor for
 * any Node.js hop). (a) single-connection latency for SELECT 1 and a 1,000-row select,
 * targets interleaved round-robin so machine noise is shared; (b) pgbench -S throughput, plus
 * -M prepared through the proxies; (c) gateway RSS per idle connection.
 * Writes bench/results/overhead.json and prints a table. Numbers are reported, never asserted.
 *
 * Env: BENCH_QUERIES (timed queries per target, default 5000), BENCH_WARMUP (default 5000: V8 has
 * not optimised the gateway's per-query code after 500 queries — the tail measured then is JIT
 * warm-up, not the steady state a long-running gateway is in; every target gets the same warm-up),
 * BENCH_SECONDS (pgbench duration, default 20), BENCH_IDLE_CONNECTIONS (default 2000),
 * BENCH_GATEWAY_NODE_ARGS (extra node flags for the gateway child, split on spaces, e.g.
 * "--cpu-prof --cpu-prof-dir=/tmp/prof" to see where the gateway spends its time).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startPostgres } from '../../test/support/postgres-server.js';
import { codeBase } from '../compiled.js';
import { cpuMs, gatewayYaml, pgbench, type ChildMemory, pgbouncerVersion, rssKiB, startNodeChild, startPgBouncer, type PgbenchResult, type RunningChild } from './processes.js';
import { summarize, type LatencySummary } from './stats.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');
const resultsFile = join(repoRoot, 'bench', 'results', 'overhead.json');

/** Targets from issue 3, shown next to the measured numbers. */
const GOALS = { addedP50Us: 150, addedP99Us: 500, rowsRatio: 1.15 } as const;

const ROWS_SQL = 'select g, g::text as t, now() as ts from generate_series(1,1000) g';
const QUERIES = [
  { id: 'select1', label: 'SELECT 1', sql: 'SELECT 1' },
  { id: 'rows1000', label: '1000 rows', sql: ROWS_SQL },
] as const;

type TargetId = 'direct' | 'queryflux' | 'pgbouncer' | 'node-pipe';
interface Target {
  readonly id: TargetId;
  readonly port: number;
  /** Process to charge CPU time to (none for direct PostgreSQL). */
  readonly pid?: number;
}

/** A latency summary plus the proxy process's CPU time per query during the timed part. */
type LatencyResult = LatencySummary & { readonly proxyCpuUsPerQuery?: number };

function envInt(name: string, def: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(v)}`);
  return n;
}

function client(port: number): pg.Client {
  const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', application_name: 'qf-bench', connectionTimeoutMillis: 15_000 });
  // A server going away (e.g. during shutdown) must fail the query in hand, not crash the run
  // with an unhandled 'error' event before the clean-up has stopped everything.
  c.on('error', () => undefined);
  return c;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * One connection per target; `warmup` then `count` queries per target, interleaved
 * round-robin (the starting target rotates each round so no target always runs first).
 */
async function measureLatency(targets: readonly Target[], sql: string, warmup: number, count: number): Promise<Record<TargetId, LatencyResult>> {
  const clients = targets.map((t) => client(t.port));
  try {
    await Promise.all(clients.map((c) => c.connect()));
    const samples: number[][] = targets.map(() => []);
    // The proxies only serve their own target's queries, so their CPU time over the timed
    // rounds divided by `count` is their CPU cost per query (direct has no proxy).
    let cpuStart: (number | undefined)[] = [];
    for (let round = 0; round < warmup + count; round++) {
      if (round === warmup) cpuStart = targets.map((t) => (t.pid ? cpuMs(t.pid) : undefined));
      for (let k = 0; k < targets.length; k++) {
        const i = (round + k) % targets.length;
        const t0 = process.hrtime.bigint();
        await clients[i]!.query(sql);
        const us = Number(process.hrtime.bigint() - t0) / 1000;
        if (round >= warmup) samples[i]!.push(us);
      }
    }
    const cpuEnd = targets.map((t) => (t.pid ? cpuMs(t.pid) : undefined));
    return Object.fromEntries(
      targets.map((t, i) => {
        const a = cpuStart[i];
        const b = cpuEnd[i];
        const cpu = a !== undefined && b !== undefined ? { proxyCpuUsPerQuery: Math.round(((b - a) * 1000) / count) } : {};
        return [t.id, { ...summarize(samples[i]!), ...cpu }];
      }),
    ) as Record<TargetId, LatencyResult>;
  } finally {
    await Promise.allSettled(clients.map((c) => c.end()));
  }
}

interface MemoryResult {
  readonly connections: number;
  readonly connected: number;
  readonly rssBeforeKiB: number;
  readonly rssAfterKiB: number;
  readonly rssAfterCloseKiB: number;
  readonly kibPerConnection: number;
  readonly openSeconds: number;
  readonly heapKibPerConnection?: number;
  readonly forcedGc?: boolean;
  readonly error?: string;
}

/** Open `n` idle pg connections to `port` in batches of 100 and read `pid`'s RSS around them. */
async function measureIdleMemory(port: number, pid: number, n: number, collect?: () => Promise<ChildMemory>): Promise<MemoryResult> {
  await sleep(1000);
  const heapBefore = collect ? await collect() : undefined;
  const rssBeforeKiB = rssKiB(pid);
  const clients: pg.Client[] = [];
  let connected = 0;
  const t0 = Date.now();
  let error: string | undefined;
  try {
    for (let i = 0; i < n; i += 100) {
      const batch = Array.from({ length: Math.min(100, n - i) }, () => client(port));
      clients.push(...batch);
      await Promise.all(batch.map((c) => c.connect()));
      connected += batch.length;
    }
    // Prove the connections are live, not half-open.
    await clients[clients.length - 1]!.query('SELECT 1');
  } catch (err) {
    error = (err as Error).message;
  }
  const openSeconds = (Date.now() - t0) / 1000;
  await sleep(2000);
  const heapAfter = collect ? await collect() : undefined;
  const rssAfterKiB = rssKiB(pid);
  await Promise.allSettled(clients.map((c) => c.end()));
  await sleep(1000);
  const rssAfterCloseKiB = rssKiB(pid);
  return {
    connections: n,
    connected,
    rssBeforeKiB,
    rssAfterKiB,
    rssAfterCloseKiB,
    kibPerConnection: connected > 0 ? Math.round(((rssAfterKiB - rssBeforeKiB) / connected) * 10) / 10 : Number.NaN,
    openSeconds,
    // JS heap + Buffers after a forced GC: the part of the RSS growth the gateway's own objects explain.
    ...(heapBefore && heapAfter && connected > 0
      ? { heapKibPerConnection: Math.round(((heapAfter.heapUsed + heapAfter.external - heapBefore.heapUsed - heapBefore.external) / 1024 / connected) * 10) / 10, forcedGc: heapAfter.gc }
      : {}),
    ...(error ? { error } : {}),
  };
}

function pad(s: string | number, w: number, left = false): string {
  const str = String(s);
  return left ? str.padEnd(w) : str.padStart(w);
}
const fmt = (x: number | undefined, digits = 0): string => (x === undefined || Number.isNaN(x) ? '-' : x.toFixed(digits));
const met = (ok: boolean): string => (ok ? 'met' : 'MISSED');

/** Run the overhead benchmark; see the module comment. */
export async function main(): Promise<void> {
  const queries = envInt('BENCH_QUERIES', 5000);
  const warmup = envInt('BENCH_WARMUP', 5000);
  const seconds = envInt('BENCH_SECONDS', 20);
  const idleConnections = envInt('BENCH_IDLE_CONNECTIONS', 2000);
  const startedAt = new Date().toISOString();
  const cleanups: (() => Promise<void>)[] = [];
  const tmp = mkdtempSync(join(tmpdir(), 'qf-bench-'));
  cleanups.push(async () => rmSync(tmp, { recursive: true, force: true }));
  // Ctrl-C still stops PostgreSQL, PgBouncer and the children.
  const onSignal = (): void => {
    void runCleanups(cleanups).finally(() => process.exit(130));
  };
  const onCrash = (err: unknown): void => {
    process.stderr.write(`overhead: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    void runCleanups(cleanups).finally(() => process.exit(1));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('uncaughtException', onCrash);
  try {
    const log = (m: string): void => void process.stdout.write(`[overhead] ${m}\n`);
    log('starting PostgreSQL');
    const pgServer = await startPostgres({ max_connections: 300 });
    cleanups.push(() => pgServer.stop());

    log('pgbench -i -s 1 (direct)');
    execFileSync('pgbench', ['-h', '127.0.0.1', '-p', String(pgServer.port), '-U', 'postgres', '-i', '-s', '1', '-q', 'postgres'], { stdio: ['ignore', 'ignore', 'pipe'] });

    const cfgFile = join(tmp, 'gateway.yaml');
    writeFileSync(cfgFile, gatewayYaml(pgServer.port));
    // The gateway child runs the compiled build (dist/) unless BENCH_SOURCE=src (bench/compiled.ts).
    await codeBase();
    log('starting QueryFlux, PgBouncer, bare Node pipe');
    const children: RunningChild[] = [];
    // --expose-gc only lets the memory test collect garbage left by the load phases first.
    const gatewayNodeArgs = ['--expose-gc', ...(process.env.BENCH_GATEWAY_NODE_ARGS ?? '').split(' ').filter(Boolean)];
    const gateway = await startNodeChild('queryflux', join(here, 'gateway-child.ts'), [cfgFile], repoRoot, gatewayNodeArgs);
    cleanups.push(() => gateway.stop());
    children.push(gateway);
    const bouncer = await startPgBouncer(pgServer.port);
    cleanups.push(() => bouncer.stop());
    const pipe = await startNodeChild('node-pipe', join(here, 'pipe-child.ts'), ['127.0.0.1', String(pgServer.port)], repoRoot);
    cleanups.push(() => pipe.stop());

    const targets: Target[] = [
      { id: 'direct', port: pgServer.port },
      { id: 'queryflux', port: gateway.port, pid: gateway.pid },
      { id: 'pgbouncer', port: bouncer.port, pid: bouncer.pid },
      { id: 'node-pipe', port: pipe.port, pid: pipe.pid },
    ];

    const probe = client(pgServer.port);
    await probe.connect();
    const pgVersion = ((await probe.query<{ v: string }>('select version() as v')).rows[0]?.v ?? '').trim();
    await probe.end();

    // (c) memory per idle connection — first, while the gateway holds no garbage from the load
    // phases (V8 hands freed pages back to the OS lazily, which made later RSS readings shrink).
    log(`memory: ${idleConnections} idle connections → queryflux`);
    const memQueryflux = await measureIdleMemory(gateway.port, gateway.pid, idleConnections, () => gateway.collect());
    log(`memory: ${idleConnections} idle connections → pgbouncer (reference)`);
    const memBouncer = await measureIdleMemory(bouncer.port, bouncer.pid, idleConnections);

    // (a) latency
    const latency: Record<string, Record<TargetId, LatencyResult>> = {};
    for (const q of QUERIES) {
      log(`latency: ${q.label}, ${warmup} warm-up + ${queries} timed per target, round-robin`);
      latency[q.id] = await measureLatency(targets, q.sql, warmup, queries);
    }

    // (b) throughput
    const timeoutMs = (seconds + 60) * 1000;
    const throughput: Partial<Record<TargetId, PgbenchResult & { proxyCpuPercent?: number }>> = {};
    for (const t of targets) {
      log(`pgbench -S -c 8 -j 2 -T ${seconds} → ${t.id}`);
      // The proxy's CPU use during the run (100% = one core busy): tells whether it is CPU-bound.
      const c0 = t.pid ? cpuMs(t.pid) : undefined;
      const w0 = Date.now();
      const res = await pgbench(t.port, ['-n', '-S', '-c', '8', '-j', '2', '-T', String(seconds)], timeoutMs);
      const cpu = c0 !== undefined && t.pid ? { proxyCpuPercent: Math.round(((cpuMs(t.pid) - c0) / (Date.now() - w0)) * 100) } : {};
      throughput[t.id] = { ...res, ...cpu };
    }
    const prepared: Partial<Record<TargetId, PgbenchResult>> = {};
    for (const t of targets.filter((x) => x.id === 'queryflux' || x.id === 'pgbouncer')) {
      log(`pgbench -M prepared -S -c 8 -j 2 -T ${seconds} → ${t.id}`);
      prepared[t.id] = await pgbench(t.port, ['-n', '-M', 'prepared', '-S', '-c', '8', '-j', '2', '-T', String(seconds)], timeoutMs);
    }


    const finishedAt = new Date().toISOString();
    const result = {
      benchmark: 'overhead',
      startedAt,
      finishedAt,
      machine: {
        nproc: Number(execFileSync('nproc', { encoding: 'utf8' }).trim()),
        cpuModel: cpus()[0]?.model ?? 'unknown',
        node: process.version,
        postgres: pgVersion,
        pgbouncer: pgbouncerVersion(),
        pgbench: execFileSync('pgbench', ['--version'], { encoding: 'utf8' }).trim(),
      },
      settings: { queries, warmup, gatewayNodeArgs, pgbenchSeconds: seconds, pgbenchClients: 8, pgbenchThreads: 2, idleConnections, rowsSql: ROWS_SQL },
      goals: { addedP50Us: GOALS.addedP50Us, addedP99Us: GOALS.addedP99Us, rowsRatioToDirect: GOALS.rowsRatio, tps: '>= pgbouncer', preparedThroughGateway: 'works' },
      latencyUs: Object.fromEntries(
        Object.entries(latency).map(([qid, byTarget]) => [
          qid,
          Object.fromEntries(
            Object.entries(byTarget).map(([tid, s]) => [
              tid,
              {
                ...s,
                addedP50: Math.round((s.p50 - byTarget.direct.p50) * 10) / 10,
                addedP99: Math.round((s.p99 - byTarget.direct.p99) * 10) / 10,
                ratioP50: Math.round((s.p50 / byTarget.direct.p50) * 1000) / 1000,
                ratioP99: Math.round((s.p99 / byTarget.direct.p99) * 1000) / 1000,
              },
            ]),
          ),
        ]),
      ),
      throughput,
      prepared,
      memory: { queryflux: memQueryflux, pgbouncer: memBouncer },
    };
    mkdirSync(dirname(resultsFile), { recursive: true });
    writeFileSync(resultsFile, JSON.stringify(result, null, 2) + '\n');
    process.stdout.write(renderTable(result) + `\nwritten ${resultsFile}\n`);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('uncaughtException', onCrash);
    await runCleanups(cleanups);
  }
}

async function runCleanups(cleanups: (() => Promise<void>)[]): Promise<void> {
  while (cleanups.length) {
    const c = cleanups.pop()!;
    await c().catch((err: unknown) => process.stderr.write(`cleanup: ${(err as Error).message}\n`));
  }
}

interface RenderInput {
  readonly machine: { nproc: number; cpuModel: string; node: string; postgres: string; pgbouncer: string };
  readonly settings: { queries: number; warmup: number; pgbenchSeconds: number; idleConnections: number };
  readonly latencyUs: Record<string, Record<string, LatencyResult & { addedP50: number; addedP99: number; ratioP50: number }>>;
  readonly throughput: Partial<Record<TargetId, PgbenchResult & { proxyCpuPercent?: number }>>;
  readonly prepared: Partial<Record<TargetId, PgbenchResult>>;
  readonly memory: { queryflux: MemoryResult; pgbouncer: MemoryResult };
}

function renderTable(r: RenderInput): string {
  const out: string[] = [];
  const m = r.machine;
  out.push('');
  out.push(`machine: ${m.nproc} cores, ${m.cpuModel}, node ${m.node}, ${m.postgres.split(' on ')[0]}, ${m.pgbouncer}`);
  out.push('');
  out.push(`(a) latency, µs — 1 connection per target, ${r.settings.warmup} warm-up + ${r.settings.queries} timed queries, targets interleaved; cpu/q = proxy CPU µs per query`);
  out.push(`${pad('query', 10, true)} ${pad('target', 10, true)} ${pad('p50', 8)} ${pad('p95', 8)} ${pad('p99', 8)} ${pad('+p50', 8)} ${pad('+p99', 8)} ${pad('×direct', 8)} ${pad('cpu/q', 6)}  goal`);
  for (const q of QUERIES) {
    const rows = r.latencyUs[q.id]!;
    for (const [tid, s] of Object.entries(rows)) {
      let goal = '';
      if (tid === 'queryflux' && q.id === 'select1') goal = `+p50 ≤ ${GOALS.addedP50Us}: ${met(s.addedP50 <= GOALS.addedP50Us)}; +p99 ≤ ${GOALS.addedP99Us}: ${met(s.addedP99 <= GOALS.addedP99Us)}`;
      if (tid === 'queryflux' && q.id === 'rows1000') goal = `≤ ${GOALS.rowsRatio}× direct: ${met(s.ratioP50 <= GOALS.rowsRatio)}; +p50 ≤ ${GOALS.addedP50Us}: ${met(s.addedP50 <= GOALS.addedP50Us)}`;
      const direct = tid === 'direct';
      out.push(
        `${pad(q.label, 10, true)} ${pad(tid, 10, true)} ${pad(fmt(s.p50), 8)} ${pad(fmt(s.p95), 8)} ${pad(fmt(s.p99), 8)} ${pad(direct ? '' : fmt(s.addedP50), 8)} ${pad(direct ? '' : fmt(s.addedP99), 8)} ${pad(direct ? '' : fmt(s.ratioP50, 2), 8)} ${pad(direct ? '' : fmt(s.proxyCpuUsPerQuery), 6)}  ${goal}`,
      );
    }
  }
  out.push('');
  out.push(`(b) throughput — pgbench -S -c 8 -j 2 -T ${r.settings.pgbenchSeconds} (scale 1); cpu % = proxy process CPU (100 = one core)`);
  out.push(`${pad('target', 10, true)} ${pad('tps', 10)} ${pad('×direct', 8)} ${pad('lat ms', 8)} ${pad('cpu %', 6)}  goal / -M prepared`);
  const directTps = r.throughput.direct?.tps;
  const bouncerTps = r.throughput.pgbouncer?.tps;
  for (const [tid, res] of Object.entries(r.throughput) as [TargetId, PgbenchResult & { proxyCpuPercent?: number }][]) {
    const notes: string[] = [];
    if (tid === 'queryflux') notes.push(`tps ≥ pgbouncer (${fmt(bouncerTps)}): ${met((res.tps ?? 0) >= (bouncerTps ?? Infinity))}`);
    const p = r.prepared[tid];
    if (p) notes.push(p.ok ? `prepared: works, ${fmt(p.tps)} tps` : `prepared: FAILS — ${(p.error ?? '').split('\n')[0]}`);
    if (!res.ok) notes.push(`FAILED: ${(res.error ?? '').split('\n')[0]}`);
    out.push(`${pad(tid, 10, true)} ${pad(fmt(res.tps), 10)} ${pad(res.tps && directTps ? fmt(res.tps / directTps, 2) : '-', 8)} ${pad(fmt(res.latencyAvgMs, 3), 8)} ${pad(fmt(res.proxyCpuPercent), 6)}  ${notes.join('; ')}`);
  }
  out.push('');
  out.push(`(c) memory — ${r.settings.idleConnections} idle connections (VmRSS; QueryFlux garbage-collected before each reading; heap = JS heap + external after GC)`);
  out.push(`${pad('process', 10, true)} ${pad('before MiB', 11)} ${pad('after MiB', 10)} ${pad('closed MiB', 11)} ${pad('KiB/conn', 9)} ${pad('heap KiB/conn', 14)} ${pad('open s', 7)}`);
  for (const [name, mem] of Object.entries(r.memory)) {
    const mib = (k: number): string => (k / 1024).toFixed(1);
    out.push(
      `${pad(name, 10, true)} ${pad(mib(mem.rssBeforeKiB), 11)} ${pad(mib(mem.rssAfterKiB), 10)} ${pad(mib(mem.rssAfterCloseKiB), 11)} ${pad(fmt(mem.kibPerConnection, 1), 9)} ${pad(fmt(mem.heapKibPerConnection, 1), 14)} ${pad(fmt(mem.openSeconds, 1), 7)}${mem.error ? `  ERROR after ${mem.connected} connected: ${mem.error}` : ''}`,
    );
  }
  return out.join('\n') + '\n';
}
