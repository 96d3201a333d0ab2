/**
 * Runs the QueryFlux gateway in its own process for the overhead benchmark, so the load
 * generator never shares the gateway's event loop and the gateway's RSS can be read from
 * /proc/<pid>/status. Usage: node --import tsx bench/overhead/gateway-child.ts <config.yaml>
 * Prints one JSON line {"port": N} on stdout once listening; exits on SIGTERM/SIGINT.
 */
import { createInterface } from 'node:readline';
import { pino } from 'pino';
import type { loadConfig as LoadConfig } from '../../src/config/load.js';
import type { startGateway as StartGateway } from '../../src/server.js';

// The compiled build (dist/, made by the benchmark) is what production runs; tsx's on-the-fly
// transform adds helpers (e.g. __name) to every closure. BENCH_SOURCE=src measures src/ (bench/compiled.ts).
const base = process.env.BENCH_SOURCE === 'src' ? '../../src/' : '../../dist/';
const { loadConfig } = (await import(`${base}config/load.js`)) as { loadConfig: typeof LoadConfig };
const { startGateway } = (await import(`${base}server.js`)) as { startGateway: typeof StartGateway };

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new Error('usage: gateway-child.ts <config.yaml>');
  const config = loadConfig(file);
  // Logs go to stderr (fd 2) so stdout carries only the port line the parent parses.
  const logger = pino({ level: config.raw.queryflux.logLevel, base: { service: 'queryflux' } }, pino.destination(2));
  const gw = await startGateway(config, { logger });
  const port = gw.ports.postgres;
  if (port === undefined) throw new Error('gateway has no postgresWire frontend');
  process.stdout.write(JSON.stringify({ port, pid: process.pid }) + '\n');
  let closing = false;
  const stop = (): void => {
    if (closing) return;
    closing = true;
    // Bounded shutdown: a stuck close must not leave the benchmark waiting forever.
    const timer = setTimeout(() => process.exit(0), 5000);
    timer.unref();
    gw.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // If the parent dies the stdin pipe closes: do not outlive it.
  process.stdin.on('end', stop);
  // "gc" on stdin: collect garbage (when started with --expose-gc) and report memory, so RSS
  // readings around the idle-connection test are not skewed by garbage left from earlier load.
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line.trim() !== 'gc') return;
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    gc?.();
    const m = process.memoryUsage();
    process.stdout.write(JSON.stringify({ gc: gc !== undefined, rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers }) + '\n');
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`gateway-child: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
