/**
 * Benchmark runner (`npm run bench [-- name ...]`): runs bench/<name>/index.ts for each name
 * given on the command line, or every bench/<dir>/index.ts when none is given. Each benchmark
 * exports `main()`, writes bench/results/<name>.json and prints its own table.
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface BenchModule {
  main(): Promise<void>;
}

const benchDir = dirname(fileURLToPath(import.meta.url));

/** Names of every benchmark directory that has an index.ts. */
function allBenchmarks(): string[] {
  return readdirSync(benchDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(benchDir, d.name, 'index.ts')))
    .map((d) => d.name)
    .sort();
}

async function run(): Promise<void> {
  const requested = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const names = requested.length ? requested : allBenchmarks();
  for (const name of names) {
    const file = join(benchDir, name, 'index.ts');
    if (!existsSync(file)) throw new Error(`no benchmark ${name} (expected ${file}); known: ${allBenchmarks().join(', ')}`);
    process.stdout.write(`\n=== bench/${name} ===\n`);
    const mod = (await import(pathToFileURL(file).href)) as BenchModule;
    await mod.main();
  }
}

run().then(
  // Exit explicitly: a leftover handle in a benchmark must not keep `npm run bench` hanging.
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
