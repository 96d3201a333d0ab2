/**
 * The gateway's code as production runs it, for in-process benchmarks: dist/ (compiled with
 * tsconfig.build.json once per benchmark process), or src/ with BENCH_SOURCE=src. tsx's on-the-fly
 * transform wraps every closure in an `__name` helper, which made bench/pipeline's cost estimate
 * read ≈ 6× what the compiled gateway pays. Used by bench/pipeline, bench/translate, bench/history
 * and bench/dispatch; bench/overhead builds with it and runs dist/ in a child process of its own
 * (gateway-child.ts, which reads the same BENCH_SOURCE).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

let built: Promise<string> | undefined;

/** Base URL to import the gateway's modules from (`${base}analysis/analyzer.js`). */
export function codeBase(): Promise<string> {
  built ??= (async () => {
    if (process.env.BENCH_SOURCE === 'src') return new URL('../src/', import.meta.url).href;
    const root = fileURLToPath(new URL('..', import.meta.url));
    process.stdout.write('building dist/ (tsc -p tsconfig.build.json): measured as production runs it; BENCH_SOURCE=src measures src/ under tsx\n');
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    return new URL('../dist/', import.meta.url).href;
  })();
  return built;
}

/** One of the gateway's modules (`load<typeof import('../src/x.js')>('x.js')`), compiled unless BENCH_SOURCE=src. */
export async function load<T>(path: string): Promise<T> {
  return (await import(`${await codeBase()}${path}`)) as T;
}
