/**
 * Run one of the client programs (test/clients/python, test/clients/java) against an endpoint and
 * parse its JSON report. A missing interpreter, module or build fails with a message that says to
 * run the set-up script; nothing is skipped.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { run, type Endpoint } from '../support/clients.js';

export const SETUP_HINT = 'run `bash scripts/setup.sh` (npm test does it)';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PYTHON = `${ROOT}.venv/bin/python`;
const JAVA_BUILD = `${ROOT}test/clients/java/build`;

export type ClientName = 'psycopg' | 'asyncpg' | 'sqlalchemy' | 'pgjdbc';

export type CheckResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

export interface ClientReport {
  readonly client: string;
  readonly ok: boolean;
  readonly checks: Readonly<Record<string, CheckResult>>;
  /** Exit status and stderr of the program, for messages. */
  readonly status: number | null;
  readonly stderr: string;
}

export function clientEnv(ep: Endpoint, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    QF_HOST: ep.host,
    QF_PORT: String(ep.port),
    QF_USER: ep.user,
    QF_PASSWORD: ep.password,
    QF_DB: ep.database,
    PGPASSWORD: ep.password,
    PGSSLMODE: 'disable',
    PYTHONIOENCODING: 'utf-8',
    PYTHONDONTWRITEBYTECODE: '1',
    ...extra,
  };
}

function command(client: ClientName): { cmd: string; args: string[] } {
  if (client === 'pgjdbc') {
    const cpFile = `${JAVA_BUILD}/classpath.txt`;
    if (!existsSync(`${JAVA_BUILD}/PgJdbcClient.class`) || !existsSync(cpFile)) throw new Error(`pgJDBC client program not built (${JAVA_BUILD}); ${SETUP_HINT}`);
    const jar = readFileSync(cpFile, 'utf8').trim();
    if (!existsSync(jar)) throw new Error(`pgJDBC jar ${jar} missing; ${SETUP_HINT}`);
    return { cmd: 'java', args: ['-Xshare:auto', '-XX:TieredStopAtLevel=1', '-cp', `${JAVA_BUILD}:${jar}`, 'PgJdbcClient'] };
  }
  if (!existsSync(PYTHON)) throw new Error(`Python venv ${PYTHON} missing; ${SETUP_HINT}`);
  const script = { psycopg: 'psycopg_client.py', asyncpg: 'asyncpg_client.py', sqlalchemy: 'sqlalchemy_reflect.py' }[client];
  return { cmd: PYTHON, args: [`${ROOT}test/clients/python/${script}`] };
}

/** Run a client program; resolves with its report when it printed one (also when checks failed). */
export async function runClient(client: ClientName, ep: Endpoint, extra: Record<string, string> = {}, timeoutMs = 120_000): Promise<ClientReport> {
  const { cmd, args } = command(client);
  const r = await run(cmd, args, clientEnv(ep, extra), timeoutMs);
  if (r.error) throw new Error(`${client}: ${cmd} could not start (${r.error.message}); ${SETUP_HINT}`);
  const last = r.stdout.trim().split('\n').pop() ?? '';
  let parsed: { client?: string; ok?: boolean; checks?: Record<string, CheckResult> } | undefined;
  try {
    parsed = JSON.parse(last) as typeof parsed;
  } catch {
    /* reported below */
  }
  if (!parsed?.checks) {
    const hint = /ModuleNotFoundError|No module named|is not installed|ClassNotFoundException|NoClassDefFoundError/.test(r.stderr) ? `; ${SETUP_HINT}` : '';
    throw new Error(`${client} exited ${r.status} without a report${hint}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
  }
  const failed = Object.values(parsed.checks).some((c) => !c.ok);
  if (failed !== (r.status !== 0)) throw new Error(`${client}: exit status ${r.status} disagrees with its report (failed checks: ${failed})\n${r.stderr}`);
  return { client: parsed.client ?? client, ok: !failed, checks: parsed.checks, status: r.status, stderr: r.stderr };
}
