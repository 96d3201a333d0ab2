import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../src/dispatch/circuit-breaker.js';
import type { Member } from '../../src/dispatch/cluster-group.js';
import type { Engine } from '../../src/engines/engine.js';
import { createGroup } from '../../src/dispatch/strategies.js';

function breaker(clock: { t: number }) {
  return new CircuitBreaker({ windowMs: 10_000, minRequests: 4, failureRatio: 0.5, initialBackoffMs: 1000, maxBackoffMs: 4000 }, () => clock.t);
}

describe('CircuitBreaker', () => {
  it('opens after enough failures, half-opens after the backoff, closes on a good trial', () => {
    const clock = { t: 0 };
    const b = breaker(clock);
    for (const failed of [false, true, true]) b.onResult(failed);
    expect(b.current).toBe('closed'); // below minRequests
    b.onResult(true);
    expect(b.current).toBe('open');
    expect(b.allows()).toBe(false);
    clock.t = 1000;
    expect(b.allows()).toBe(true); // half-open: one trial
    b.onStart();
    expect(b.allows()).toBe(false);
    b.onResult(false);
    expect(b.current).toBe('closed');
  });

  it('a failed trial reopens with a doubled backoff, capped', () => {
    const clock = { t: 0 };
    const b = breaker(clock);
    for (let i = 0; i < 4; i++) b.onResult(true);
    for (const expected of [2000, 4000, 4000]) {
      clock.t += 100_000;
      expect(b.allows()).toBe(true);
      b.onStart();
      b.onResult(true);
      const opened = clock.t;
      clock.t = opened + expected - 1;
      expect(b.allows()).toBe(false);
      clock.t = opened + expected;
      expect(b.allows()).toBe(true);
      clock.t = opened;
    }
  });

  it('an open breaker moves traffic to the other member', async () => {
    const clock = { t: 0 };
    const mk = (name: string): Member => ({ name, engine: {} as Engine, maxRunning: Infinity, weight: 1, running: 0, healthy: true, breaker: breaker(clock) });
    const a = mk('a');
    const b = mk('b');
    const g = createGroup('failover', { name: 'g', members: [a, b], maxRunning: Infinity, maxQueued: 10, queueTimeoutMs: 1000 });
    for (let i = 0; i < 4; i++) (await g.acquire()).release(true);
    expect(a.breaker!.current).toBe('open');
    expect((await g.acquire()).member.name).toBe('b');
  });
});
