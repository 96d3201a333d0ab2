/**
 * Start a throw-away real MariaDB server for tests (mariadb-install-db in a temp dir, TCP on a
 * free port, root without password, unix socket in the same dir). Needs the Debian
 * `mariadb-server` package; the error says how to get it (scripts/setup.sh installs it).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

export interface MariaDbServer {
  readonly host: string;
  readonly port: number;
  readonly dir: string;
  readonly user: string;
  /** mysql://root@127.0.0.1:PORT/ */
  readonly url: string;
  stop(): Promise<void>;
}

function findBinary(names: string[]): string {
  for (const n of names) {
    for (const dir of ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin']) {
      if (existsSync(join(dir, n))) return join(dir, n);
    }
  }
  throw new Error(`MariaDB server binaries (${names.join(', ')}) not found: run \`bash scripts/setup.sh\` (apt-get install -y mariadb-server)`);
}

async function waitForPort(port: number, proc: ChildProcess, timeoutMs: number, log: () => string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (proc.exitCode !== null) throw new Error(`mariadbd exited with ${proc.exitCode}: ${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = createConnection({ host: '127.0.0.1', port }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`mariadbd did not listen on ${port} within ${timeoutMs} ms: ${log()}`);
}

/** mariadb-install-db + mariadbd on a free port; `settings` become extra `--key=value` options. */
export async function startMariaDb(settings: Record<string, string | number> = {}): Promise<MariaDbServer> {
  const installDb = findBinary(['mariadb-install-db', 'mysql_install_db']);
  const mariadbd = findBinary(['mariadbd', 'mysqld']);
  const dir = mkdtempSync(join(tmpdir(), 'qf-mariadb-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  const user = asRoot ? ['--user=root'] : [];
  const init = spawnSync(installDb, [...user, `--datadir=${data}`, '--auth-root-authentication-method=normal', '--skip-test-db', '--no-defaults'], { encoding: 'utf8' });
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`mariadb-install-db failed: ${init.stderr || init.stdout}`);
  }
  const port = await freePort();
  const extra = Object.entries(settings).map(([k, v]) => `--${k}=${v}`);
  let stderr = '';
  const proc = spawn(
    mariadbd,
    ['--no-defaults', ...user, `--datadir=${data}`, `--port=${port}`, '--bind-address=127.0.0.1', `--socket=${join(dir, 's.sock')}`, `--pid-file=${join(dir, 'm.pid')}`, '--innodb-buffer-pool-size=64M', '--skip-log-bin', '--character-set-server=utf8mb4', '--collation-server=utf8mb4_general_ci', '--default-time-zone=+00:00', ...extra],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  proc.stderr?.on('data', (b: Buffer) => {
    stderr = (stderr + b.toString()).slice(-4000);
  });
  try {
    await waitForPort(port, proc, 30_000, () => stderr);
  } catch (err) {
    proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  let stopped = false;
  return {
    host: '127.0.0.1',
    port,
    dir,
    user: 'root',
    url: `mysql://root@127.0.0.1:${port}/`,
    async stop() {
      if (stopped) return;
      stopped = true;
      const exited = new Promise<void>((resolve) => {
        if (proc.exitCode !== null) resolve();
        else proc.once('exit', () => resolve());
      });
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
