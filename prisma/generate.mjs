#!/usr/bin/env node
// Generates the Prisma clients for history into src/history/generated/{sqlite,postgres}
// (gitignored) from prisma/schema.prisma; the PostgreSQL one from the same models with the
// provider swapped. Offline: the Prisma 7 CLI needs no engine to generate a driver-adapter
// client, and PRISMA_SCHEMA_ENGINE_BINARY=/bin/true stops it from fetching the schema engine.
// Skips when the schema and the Prisma versions are unchanged (a stamp file), so it is cheap to
// run before every start (scripts/ensure-deps.mjs) and test run (scripts/setup.sh).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const schemaFile = join(root, 'prisma/schema.prisma');
const outDir = join(root, 'src/history/generated');
const stampFile = join(outDir, '.stamp');
const force = process.argv.includes('--force');

const version = (pkg) => {
  try {
    return JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  } catch {
    return 'missing';
  }
};
const schema = readFileSync(schemaFile, 'utf8');
const stamp = createHash('sha256').update(schema).update(version('prisma')).update(version('@prisma/client')).digest('hex');
const complete = ['sqlite/client.ts', 'postgres/client.ts'].every((f) => existsSync(join(outDir, f)));
if (!force && complete && existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === stamp) process.exit(0);

const cli = join(root, 'node_modules/prisma/build/index.js');
if (!existsSync(cli)) {
  console.error('prisma/generate.mjs: the prisma CLI is not installed (node_modules/prisma); run `npm ci` or `bash scripts/setup.sh`');
  process.exit(1);
}
const env = { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: '/bin/true', PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1', PRISMA_DISABLE_WARNINGS: '1' };
const generate = (file) => {
  const r = spawnSync(process.execPath, [cli, 'generate', '--schema', file], { cwd: root, env, encoding: 'utf8' });
  if (r.status !== 0) {
    console.error(`prisma generate --schema ${file} failed:\n${r.stdout}${r.stderr}`);
    process.exit(1);
  }
};

const tmp = mkdtempSync(join(tmpdir(), 'qf-prisma-'));
try {
  generate(schemaFile);
  const pgSchema = schema
    .replace(/provider\s*=\s*"sqlite"/, 'provider = "postgresql"')
    .replace(/output\s*=\s*"[^"]*"/, `output = ${JSON.stringify(join(outDir, 'postgres'))}`);
  if (!pgSchema.includes('"postgresql"')) throw new Error('prisma/schema.prisma: expected provider = "sqlite" in the datasource');
  const pgFile = join(tmp, 'schema.prisma');
  writeFileSync(pgFile, pgSchema);
  generate(pgFile);
  writeFileSync(stampFile, stamp + '\n');
  console.error('queryflux: generated the Prisma history clients (src/history/generated)');
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
