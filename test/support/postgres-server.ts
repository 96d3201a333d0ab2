/**
 * Start a throw-away real PostgreSQL 15 server for tests and benchmarks (initdb in a temp dir,
 * trust auth, unix socket in the same dir). Needs the Debian `postgresql` package; the error
 * says how to get it (scripts/setup.sh installs it).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

export interface PostgresServer {
  readonly host: string;
  readonly port: number;
  readonly dir: string;
  readonly user: string;
  readonly database: string;
  /** postgres://postgres@127.0.0.1:PORT/postgres */
  readonly url: string;
  stop(): Promise<void>;
}

/** Directory holding initdb/pg_ctl (Debian layout), or an error naming the fix. */
export function postgresBinDir(): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'initdb'))).sort() : [];
  const v = versions.at(-1);
  if (!v) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql: run `bash scripts/setup.sh` (apt-get install -y postgresql)');
  return join(base, v, 'bin');
}

function asPostgres(cmd: string, args: string[]): void {
  const isRoot = process.getuid?.() === 0;
  const r = isRoot ? spawnSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { encoding: 'utf8' }) : spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr || r.stdout}`);
}

/** initdb + start on a free port; `settings` become postgresql.conf lines. */
export async function startPostgres(settings: Record<string, string | number> = {}): Promise<PostgresServer> {
  const bin = postgresBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'qf-pg-'));
  chmodSync(dir, 0o777);
  if (process.getuid?.() === 0) execFileSync('chown', ['postgres:postgres', dir]);
  const data = join(dir, 'data');
  asPostgres(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const port = await freePort();
  const conf = { max_connections: 300, fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', shared_buffers: '128MB', ...settings };
  writeFileSync(join(data, 'postgresql.auto.conf'), Object.entries(conf).map(([k, v]) => `${k} = '${v}'`).join('\n') + '\n');
  if (process.getuid?.() === 0) execFileSync('chown', ['postgres:postgres', join(data, 'postgresql.auto.conf')]);
  asPostgres(join(bin, 'pg_ctl'), ['-D', data, '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`, '-l', join(dir, 'log'), '-w', 'start']);
  let stopped = false;
  return {
    host: '127.0.0.1',
    port,
    dir,
    user: 'postgres',
    database: 'postgres',
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        asPostgres(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
