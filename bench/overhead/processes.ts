/**
 * Child processes for the overhead benchmark: Node children that print {"port": N} once
 * listening (gateway, bare pipe), PgBouncer as user postgres, and pgbench runs.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../test/support/ports.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The gateway config under test: every router kind in one chain (the demo Rego policy included);
 * protocolBased decides. History goes to `historyPath` (default: the config default, data/queryflux.db).
 */
export function gatewayYaml(pgPort: number, historyPath?: string): string {
  const policy = join(repoRoot, 'policies', 'demo', 'bundle.tar.gz');
  return `queryflux:
  frontends: { postgresWire: { host: 127.0.0.1, port: 0 } }
  adminApi: { enabled: false }
  logLevel: warn
${historyPath === undefined ? '' : `  persistence: { type: sqlite, path: ${JSON.stringify(historyPath)} }\n`}clusterGroups:
  pg: { engine: postgres, clusters: [{ name: pg-1, endpoint: "postgres://postgres@127.0.0.1:${pgPort}/postgres", poolSize: 16 }] }
routers:
  - { type: queryRegex, rules: [{ regex: "(?i)^\\\\s*insert\\\\s+into\\\\s+audit", targetGroup: pg }] }
  - { type: clientTags, rules: [{ tags: { workload: etl }, targetGroup: pg }] }
  - { type: compound, combine: all, targetGroup: pg, conditions: [{ type: user, username: nobody }, { type: protocol, protocol: mysqlWire }] }
  - { type: header, headerName: x-qf-group, headerValueToGroup: { batch: pg } }
  - { type: policy, path: ${JSON.stringify(policy)} }
  - { type: protocolBased, postgresWire: pg }
routingFallback: pg
auth: { provider: none }
`;
}

/** A child process we started and must stop. */
export interface RunningChild {
  readonly name: string;
  readonly pid: number;
  readonly port: number;
  stop(): Promise<void>;
}

/** Memory report of a Node child after a forced collection (bytes). */
export interface ChildMemory {
  readonly gc: boolean;
  readonly rss: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
}

/** A Node child that answers "gc" on stdin with a {@link ChildMemory} line. */
export interface NodeChild extends RunningChild {
  collect(): Promise<ChildMemory>;
}

/** Stop a child with SIGTERM, escalating to SIGKILL if it has not exited in `graceMs`. */
async function terminate(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
    }, graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Start `node --import tsx <script> ...args` and wait for its {"port": N} line.
 * stdin stays a pipe so the child exits by itself if this process dies.
 */
export async function startNodeChild(name: string, script: string, args: readonly string[], cwd: string, nodeArgs: readonly string[] = []): Promise<NodeChild> {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script, ...args], { cwd, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: no port line within 30 s`)), 30_000);
    lines.once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve((JSON.parse(line) as { port: number }).port);
      } catch {
        reject(new Error(`${name}: unexpected first line ${JSON.stringify(line)}`));
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited before listening (code ${code}, signal ${signal})`));
    });
    child.once('error', reject);
  }).catch(async (err: unknown) => {
    await terminate(child, 1000);
    throw err;
  });
  const collect = (): Promise<ChildMemory> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name}: no answer to gc`)), 30_000);
      lines.once('line', (line) => {
        clearTimeout(timer);
        resolve(JSON.parse(line) as ChildMemory);
      });
      child.stdin!.write('gc\n');
    });
  return { name, pid: child.pid!, port, collect, stop: () => terminate(child) };
}

/** VmRSS of a process in KiB, from /proc/<pid>/status. */
export function rssKiB(pid: number): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]);
}

/** CPU ms (user + system) in the text of a /proc/<pid>/stat or /proc/<pid>/task/<tid>/stat file. */
function statCpuMs(stat: string): number {
  // Fields after the parenthesised command name (which may itself contain spaces).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / CLOCK_TICKS;
}

/**
 * CPU time (user + system) a process has used so far, in ms, from /proc/<pid>/stat
 * (clock ticks, normally 10 ms each: read it around phases of seconds, not single queries).
 */
export function cpuMs(pid: number): number {
  return statCpuMs(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

/** CPU ms and name of every thread of a process, by thread id (the main thread's id is the pid). */
export function threadCpuMs(pid: number): Map<string, { name: string; ms: number }> {
  const out = new Map<string, { name: string; ms: number }>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      out.set(tid, { name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), ms: statCpuMs(stat) });
    } catch {
      /* the thread ended */
    }
  }
  return out;
}
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** PgBouncer version string, e.g. "PgBouncer 1.18.0". */
export function pgbouncerVersion(binary = '/usr/sbin/pgbouncer'): string {
  return execFileSync(binary, ['--version'], { encoding: 'utf8' }).split('\n')[0]!.trim();
}

/**
 * Start PgBouncer (transaction pooling, trust auth) in front of 127.0.0.1:`pgPort`.
 * PgBouncer refuses to run as root, so under root it runs as user postgres via runuser.
 */
export async function startPgBouncer(pgPort: number, binary = '/usr/sbin/pgbouncer'): Promise<RunningChild & { readonly dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'qf-pgbouncer-'));
  const port = await freePort();
  const ini = join(dir, 'pgbouncer.ini');
  writeFileSync(join(dir, 'users.txt'), '"postgres" ""\n');
  writeFileSync(
    ini,
    [
      '[databases]',
      `postgres = host=127.0.0.1 port=${pgPort} dbname=postgres user=postgres`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${join(dir, 'users.txt')}`,
      'pool_mode = transaction',
      'max_client_conn = 3000',
      'default_pool_size = 16',
      'ignore_startup_parameters = extra_float_digits,options',
      `logfile = ${join(dir, 'pgbouncer.log')}`,
      `pidfile = ${join(dir, 'pgbouncer.pid')}`,
      'log_connections = 0',
      'log_disconnections = 0',
      '',
    ].join('\n'),
  );
  const isRoot = process.getuid?.() === 0;
  if (isRoot) {
    chmodSync(dir, 0o755);
    execFileSync('chown', ['-R', 'postgres:postgres', dir]);
  }
  // runuser's PAM session resets the soft fd limit to 1024, too few for 2,000 clients: raise it
  // to the hard limit first. stderr (PgBouncer's log lines) is kept for error messages only.
  const cmd = `ulimit -n "$(ulimit -Hn)"; exec ${binary} ${ini}`;
  const child = isRoot ? spawn('runuser', ['-u', 'postgres', '--', 'sh', '-c', cmd], { stdio: ['ignore', 'ignore', 'pipe'] }) : spawn('sh', ['-c', cmd], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderrTail = '';
  child.stderr!.on('data', (d: Buffer) => (stderrTail = (stderrTail + d.toString()).slice(-4000)));
  let bouncerPid = 0;
  const cleanup = async (): Promise<void> => {
    // Signal pgbouncer itself (SIGINT = safe shutdown): a SIGTERM to runuser makes it print
    // "Session terminated, killing shell..." and kill pgbouncer the hard way.
    if (bouncerPid > 0 && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      try {
        process.kill(bouncerPid, 'SIGINT');
      } catch {
        // already gone
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
    }
    await terminate(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForPort(port, 10_000, () => child.exitCode !== null);
  } catch (err) {
    const log = safeRead(join(dir, 'pgbouncer.log')) || stderrTail;
    await cleanup();
    throw new Error(`pgbouncer did not start: ${(err as Error).message}\n${log}`);
  }
  // The pid of pgbouncer itself (runuser forks it), for RSS readings.
  bouncerPid = Number(safeRead(join(dir, 'pgbouncer.pid')).trim()) || 0;
  return { name: 'pgbouncer', pid: bouncerPid || child.pid!, port, dir, stop: cleanup };
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

async function waitForPort(port: number, timeoutMs: number, dead: () => boolean): Promise<void> {
  const { connect } = await import('node:net');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (dead()) throw new Error('process exited');
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`port ${port} not open after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Result of one pgbench run: tps when it worked, the error text when it did not. */
export interface PgbenchResult {
  readonly ok: boolean;
  readonly tps?: number;
  readonly latencyAvgMs?: number;
  readonly transactions?: number;
  readonly failedTransactions?: number;
  readonly error?: string;
  readonly args: readonly string[];
}

/** Run pgbench with `args` against 127.0.0.1:`port` (database postgres, user postgres). */
export async function pgbench(port: number, args: readonly string[], timeoutMs: number): Promise<PgbenchResult> {
  const full = ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', ...args, 'postgres'];
  return new Promise((resolve) => {
    const child = spawn('pgbench', full, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PGCONNECT_TIMEOUT: '10' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      resolve({ ok: false, error: e.message, args: full });
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(out)?.[1];
      const lat = /latency average = ([\d.]+) ms/.exec(out)?.[1];
      const tx = /number of transactions actually processed: (\d+)/.exec(out)?.[1];
      const failed = /number of failed transactions: (\d+)/.exec(out)?.[1];
      const base = {
        args: full,
        ...(tps !== undefined ? { tps: Number(tps) } : {}),
        ...(lat !== undefined ? { latencyAvgMs: Number(lat) } : {}),
        ...(tx !== undefined ? { transactions: Number(tx) } : {}),
        ...(failed !== undefined ? { failedTransactions: Number(failed) } : {}),
      };
      if (code === 0 && tps !== undefined) resolve({ ok: true, ...base });
      else {
        // Keep the distinctive lines (errors), not pgbench's whole progress chatter.
        const text = (err + '\n' + out)
          .split('\n')
          .filter((l) => /error|fatal|abort|fail|prepared/i.test(l))
          .slice(0, 6)
          .join('\n');
        resolve({ ok: false, ...base, error: `exit ${code ?? signal}: ${text || err.trim() || out.trim()}` });
      }
    });
  });
}
