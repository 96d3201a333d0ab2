/** Periodic health probes per cluster member; failing members are skipped by every strategy. */
import type { Logger } from 'pino';
import type { Member } from './cluster-group.js';

export interface HealthCheckOptions {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly unhealthyThreshold: number;
}

/** Probe every member on a timer; returns a stop function. */
export function startHealthChecks(group: string, members: readonly Member[], opts: HealthCheckOptions, logger: Logger): () => void {
  const failures = new Map<Member, number>();
  let stopped = false;
  const probe = async (m: Member) => {
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), opts.timeoutMs);
    let ok: boolean;
    let message: string | undefined;
    try {
      const h = await Promise.race([
        m.engine.health(ac.signal),
        new Promise<never>((_, reject) => ac.signal.addEventListener('abort', () => reject(new Error(`no answer within ${opts.timeoutMs} ms`)), { once: true })),
      ]);
      ok = h.healthy;
      message = h.message;
    } catch (err) {
      ok = false;
      message = (err as Error).message;
    } finally {
      clearTimeout(timer);
    }
    if (stopped) return;
    if (ok) {
      failures.set(m, 0);
      if (!m.healthy) logger.info({ group, cluster: m.name }, 'cluster healthy again');
      m.healthy = true;
    } else {
      const n = (failures.get(m) ?? 0) + 1;
      failures.set(m, n);
      if (n >= opts.unhealthyThreshold && m.healthy) {
        m.healthy = false;
        logger.warn({ group, cluster: m.name, err: message, failures: n }, 'cluster unhealthy: skipped until a probe succeeds');
      }
    }
  };
  const running = new Set<Member>();
  const tick = () => {
    for (const m of members) {
      if (running.has(m)) continue; // a slow probe is not stacked
      running.add(m);
      void probe(m).finally(() => running.delete(m));
    }
  };
  const interval = setInterval(tick, opts.intervalMs);
  interval.unref();
  return () => {
    stopped = true;
    clearInterval(interval);
  };
}
