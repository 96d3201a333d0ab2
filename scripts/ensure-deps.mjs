// Runs before `npm start`: installs node_modules and generates the Prisma history clients on a
// fresh clone, so one command starts the demo.
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const marker = 'node_modules/.package-lock.json';
const stale = !existsSync(marker) || (existsSync('package-lock.json') && statSync('package-lock.json').mtimeMs > statSync(marker).mtimeMs + 1000);
if (stale) {
  console.error('queryflux: installing dependencies (first run)...');
  execSync(existsSync('package-lock.json') ? 'npm ci --no-audit --no-fund' : 'npm install --no-audit --no-fund', { stdio: 'inherit' });
}
// The history's Prisma clients are generated, not committed (prisma/generate.mjs; no-op when current).
execSync('node prisma/generate.mjs', { stdio: 'inherit' });
