/**
 * bench/dispatch: (a) queue operations per second — acquire/release on a cluster group with an
 * uncontended member and with a deep queue; (b) end-to-end through the real pipeline (PostgreSQL
 * wire → DuckDB) with 32 concurrent clients: group limited to 4 running (queue deep) vs no limit,
 * side by side. Writes bench/results/dispatch.json and prints a table.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import pg from 'pg';
import { pino } from 'pino';
import type { Member } from '../../src/dispatch/cluster-group.js';
import type { Engine } from '../../src/engines/engine.js';
import type { RunningGateway } from '../../src/server.js';
import { load } from '../compiled.js';

// The gateway's modules, compiled (dist/) unless BENCH_SOURCE=src: see bench/compiled.ts.
const { createGroup } = await load<typeof import('../../src/dispatch/strategies.js')>('dispatch/strategies.js');
const { parseConfig } = await load<typeof import('../../src/config/load.js')>('config/load.js');
const { startGateway } = await load<typeof import('../../src/server.js')>('server.js');

/** A gateway from YAML, history in memory and no calibration state written (as test/support's, from the compiled code). */
async function startBenchGateway(yaml: string): Promise<RunningGateway> {
  const config = parseConfig(yaml, 'bench-dispatch.yaml', process.env);
  config.raw.queryflux.persistence.type = 'inMemory';
  config.raw.costModel.calibration.statePath = '';
  return startGateway(config, { logger: pino({ level: 'silent' }) });
}
import { summarize } from '../overhead/stats.js';

const OPS = Number(process.env.BENCH_QUEUE_OPS ?? 200_000);
const CLIENTS = 32;
const QUERIES_PER_CLIENT = Number(process.env.BENCH_DISPATCH_QUERIES ?? 150);

async function queueOps(): Promise<{ uncontendedOpsPerSec: number; deepQueueOpsPerSec: number }> {
  const member = (): Member => ({ name: 'm', engine: {} as Engine, maxRunning: Infinity, weight: 1, running: 0, healthy: true });
  const free = createGroup('roundRobin', { name: 'g', members: [member()], maxRunning: Infinity, maxQueued: 1e9, queueTimeoutMs: 600_000 });
  let t0 = performance.now();
  for (let i = 0; i < OPS; i++) (await free.acquire()).release();
  const uncontended = OPS / ((performance.now() - t0) / 1000);
  // Deep queue: limit 1, 1,000 waiters always queued; each release hands the slot to the next.
  const tight = createGroup('roundRobin', { name: 'g', members: [member()], maxRunning: 1, maxQueued: 1e9, queueTimeoutMs: 600_000 });
  const first = await tight.acquire();
  let remaining = OPS;
  const depth = 1000;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const enqueue = (): void => {
    if (remaining-- <= 0) return;
    void tight.acquire().then((l) => {
      enqueue();
      l.release();
      if (remaining <= -depth) done();
    });
  };
  for (let i = 0; i < depth; i++) enqueue();
  t0 = performance.now();
  first.release();
  await finished;
  const deep = OPS / ((performance.now() - t0) / 1000);
  return { uncontendedOpsPerSec: Math.round(uncontended), deepQueueOpsPerSec: Math.round(deep) };
}

async function endToEnd(limit: number | undefined): Promise<{ qps: number; latencyUs: ReturnType<typeof summarize> }> {
  const gw = await startBenchGateway(`
queryflux:
  frontends: { postgresWire: { host: 127.0.0.1, port: 0 } }
  adminApi: { enabled: false }
clusterGroups:
  duck: { engine: duckDb, ${limit ? `maxRunningQueries: ${limit},` : ''} maxQueuedQueries: 1000, clusters: [{ name: d1 }] }
routers: [{ type: protocolBased, postgresWire: duck }]
routingFallback: duck
auth: { provider: none }
`);
  try {
    const cs = await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        const c = new pg.Client({ host: '127.0.0.1', port: gw.ports.postgres, user: 'bench', database: 'bench' });
        await c.connect();
        return c;
      }),
    );
    const sql = 'select sum(range) from range(20000)';
    for (const c of cs) await c.query(sql);
    const samples: number[] = [];
    const t0 = performance.now();
    await Promise.all(
      cs.map(async (c) => {
        for (let i = 0; i < QUERIES_PER_CLIENT; i++) {
          const s = performance.now();
          await c.query(sql);
          samples.push((performance.now() - s) * 1000);
        }
      }),
    );
    const secs = (performance.now() - t0) / 1000;
    await Promise.all(cs.map((c) => c.end()));
    return { qps: Math.round((CLIENTS * QUERIES_PER_CLIENT) / secs), latencyUs: summarize(samples) };
  } finally {
    await gw.close();
  }
}

/** Run the benchmark. */
export async function main(): Promise<void> {
  const ops = await queueOps();
  const unlimited = await endToEnd(undefined);
  const limited = await endToEnd(4);
  const report = {
    benchmark: 'dispatch',
    at: new Date().toISOString(),
    machine: { nproc: cpus().length, cpuModel: cpus()[0]?.model, node: process.version },
    queue: ops,
    endToEnd: { clients: CLIENTS, queriesPerClient: QUERIES_PER_CLIENT, query: 'select sum(range) from range(20000) on DuckDB via PostgreSQL wire', unlimited, limit4: limited },
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/dispatch.json', JSON.stringify(report, null, 2));
  console.log(`queue ops/s: uncontended ${ops.uncontendedOpsPerSec.toLocaleString()}, deep queue (1,000 waiting) ${ops.deepQueueOpsPerSec.toLocaleString()}`);
  console.log(`end to end, ${CLIENTS} clients × ${QUERIES_PER_CLIENT} queries (DuckDB behind PostgreSQL wire):`);
  console.log(`${'group'.padEnd(22)} ${'qps'.padStart(7)} ${'p50 µs'.padStart(9)} ${'p95 µs'.padStart(9)} ${'p99 µs'.padStart(9)}`);
  for (const [name, r] of [['no limit', unlimited], ['maxRunningQueries 4', limited]] as const) {
    console.log(`${name.padEnd(22)} ${String(r.qps).padStart(7)} ${String(r.latencyUs.p50).padStart(9)} ${String(r.latencyUs.p95).padStart(9)} ${String(r.latencyUs.p99).padStart(9)}`);
  }
}
