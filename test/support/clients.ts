/**
 * Run the real client programs (Python, Java, psql, pgbench) against a PostgreSQL-protocol endpoint.
 * Always asynchronously: the gateway under test usually runs in the test's own process, and a
 * synchronous spawn would block the event loop that must answer the client.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

export interface Endpoint {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
}

const SETUP_HINT = 'run `bash scripts/setup.sh` (npm test does it)';

function env(ep: Endpoint, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, QF_HOST: ep.host, QF_PORT: String(ep.port), QF_USER: ep.user, QF_PASSWORD: ep.password, QF_DB: ep.database, PGPASSWORD: ep.password, PGSSLMODE: 'disable', ...extra };
}

interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
  error?: Error;
}

/** Spawn and collect output; kills the child after `timeoutMs`. */
export function run(cmd: string, args: string[], e: NodeJS.ProcessEnv, timeoutMs: number): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env: e, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      stderr += `\n[killed after ${timeoutMs} ms]`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ status: null, stdout, stderr, error });
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** Run a program that prints one JSON object; throws with its output when it fails. */
async function runJson(cmd: string, args: string[], e: NodeJS.ProcessEnv, timeoutMs: number): Promise<Record<string, unknown>> {
  const r = await run(cmd, args, e, timeoutMs);
  if (r.error) throw new Error(`${cmd} failed to start: ${r.error.message}; ${SETUP_HINT}`);
  let parsed: Record<string, unknown> | undefined;
  try {
    parsed = JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as Record<string, unknown>;
  } catch {
    /* reported below */
  }
  if (r.status !== 0 || parsed === undefined) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return parsed;
}

/** Run a Python client from test/clients/python in the project venv. */
export async function runPython(script: string, ep: Endpoint, extra: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const py = '.venv/bin/python';
  if (!existsSync(py)) throw new Error(`Python venv missing; ${SETUP_HINT}`);
  return runJson(py, [`test/clients/python/${script}`], env(ep, extra), 120_000);
}

/** Run the pgJDBC client program. */
export async function runJdbc(ep: Endpoint, extra: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const dir = 'test/clients/java/build';
  if (!existsSync(`${dir}/PgJdbcClient.class`)) throw new Error(`pgJDBC client not built; ${SETUP_HINT}`);
  const cp = `${dir}:${readFileSync(`${dir}/classpath.txt`, 'utf8').trim()}`;
  return runJson('java', ['-cp', cp, 'PgJdbcClient'], env(ep, extra), 120_000);
}

/** Run psql with -c commands; returns stdout (throws with stderr on failure). */
export async function runPsql(ep: Endpoint, commands: string[], extraArgs: string[] = []): Promise<string> {
  const args = ['-h', ep.host, '-p', String(ep.port), '-U', ep.user, '-d', ep.database, '-X', '-v', 'ON_ERROR_STOP=1', ...extraArgs];
  for (const c of commands) args.push('-c', c);
  const r = await run('psql', args, env(ep), 60_000);
  if (r.error) throw new Error(`psql failed to start: ${r.error.message}; ${SETUP_HINT}`);
  if (r.status !== 0) throw new Error(`psql exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** Run pgbench; returns its stdout. */
export async function runPgbench(ep: Endpoint, args: string[], timeoutMs = 120_000): Promise<string> {
  const r = await run('pgbench', ['-h', ep.host, '-p', String(ep.port), '-U', ep.user, ...args, ep.database], env(ep), timeoutMs);
  if (r.error) throw new Error(`pgbench failed to start: ${r.error.message}; ${SETUP_HINT}`);
  if (r.status !== 0) throw new Error(`pgbench exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}
