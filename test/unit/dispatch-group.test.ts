import { describe, expect, it } from 'vitest';
import { QueryFluxError } from '../../src/core/errors.js';
import type { Member } from '../../src/dispatch/cluster-group.js';
import type { ClusterGroup } from '../../src/dispatch/cluster-group.js';
import { RoundRobinGroup, createGroup } from '../../src/dispatch/strategies.js';
import { Fifo } from '../../src/dispatch/fifo.js';
import type { Engine } from '../../src/engines/engine.js';

const engine = {} as Engine; // the group never calls the engine; only names matter here
const member = (name: string, maxRunning = Infinity): Member => ({ name, engine, maxRunning, weight: 1, running: 0, healthy: true });
const group = (members: Member[], maxRunning = Infinity, maxQueued = 100, queueTimeoutMs = 5_000) => new RoundRobinGroup({ name: 'g', members, maxRunning, maxQueued, queueTimeoutMs });

describe('Fifo', () => {
  it('keeps order across compaction', () => {
    const q = new Fifo<number>();
    for (let i = 0; i < 5000; i++) q.push(i);
    for (let i = 0; i < 3000; i++) expect(q.shift()).toBe(i);
    q.push(5000);
    expect(q.length).toBe(2001);
    expect(q.peek()).toBe(3000);
    for (let i = 3000; i <= 5000; i++) expect(q.shift()).toBe(i);
    expect(q.shift()).toBeUndefined();
  });
});

describe('ClusterGroup', () => {
  it('round-robins across members', async () => {
    const g = group([member('a'), member('b')]);
    const names: string[] = [];
    for (let i = 0; i < 4; i++) {
      const l = await g.acquire();
      names.push(l.member.name);
      l.release();
    }
    expect(names).toEqual(['a', 'b', 'a', 'b']);
  });

  it('queues beyond maxRunningQueries and serves FIFO', async () => {
    const g = group([member('a')], 2);
    const l1 = await g.acquire();
    const l2 = await g.acquire();
    const order: number[] = [];
    const waits = [1, 2, 3].map((i) => g.acquire().then((l) => (order.push(i), l)));
    expect(g.load()).toMatchObject({ running: 2, queued: 3 });
    l1.release();
    l2.release();
    const [w1, w2] = await Promise.all(waits.slice(0, 2));
    expect(order).toEqual([1, 2]);
    w1!.release();
    const w3 = await waits[2]!;
    expect(order).toEqual([1, 2, 3]);
    w2!.release();
    w3.release();
    expect(g.load()).toMatchObject({ running: 0, queued: 0 });
  });

  it('tells a request when it has to wait (queue state for the Trino frontend), and only then', async () => {
    const g = group([member('a')], 1);
    const states: unknown[] = [];
    const first = await g.acquire(undefined, { onQueued: (s) => states.push(s) });
    expect(states).toEqual([]);
    const waiting = g.acquire(undefined, { onQueued: (s) => states.push(s) });
    expect(states).toEqual([{ group: 'g', queued: 1, running: 1 }]);
    first.release();
    (await waiting).release();
    expect(states).toHaveLength(1);
  });

  it('rejects with QF_QUEUE_FULL when the queue is full', async () => {
    const g = group([member('a')], 1, 1);
    await g.acquire();
    void g.acquire().catch(() => undefined);
    await expect(g.acquire()).rejects.toMatchObject({ code: 'QF_QUEUE_FULL' });
  });

  it('rejects with QF_QUEUE_TIMEOUT after capacityWaitTimeout', async () => {
    const g = group([member('a')], 1, 10, 20);
    await g.acquire();
    const err = await g.acquire().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QueryFluxError);
    expect((err as QueryFluxError).code).toBe('QF_QUEUE_TIMEOUT');
    expect(g.load().queued).toBe(0);
  });

  it('a cancelled waiter leaves the queue at once', async () => {
    const g = group([member('a')], 1);
    const l = await g.acquire();
    const ac = new AbortController();
    const p = g.acquire(ac.signal);
    expect(g.load().queued).toBe(1);
    ac.abort();
    await expect(p).rejects.toMatchObject({ code: 'QF_QUERY_CANCELED' });
    expect(g.load().queued).toBe(0);
    l.release();
    const next = await g.acquire();
    expect(next.member.name).toBe('a');
  });

  it('pins to one member when asked', async () => {
    const g = group([member('a'), member('b')]);
    for (let i = 0; i < 3; i++) {
      const l = await g.acquire(undefined, { only: 'b' });
      expect(l.member.name).toBe('b');
      l.release();
    }
  });

  it('serves higher priority classes first, FIFO within a class', async () => {
    const g = group([member('a')], 1);
    const first = await g.acquire();
    const order: string[] = [];
    const w = [
      g.acquire(undefined, { priority: 0 }).then((l) => (order.push('low-1'), l)),
      g.acquire(undefined, { priority: 10 }).then((l) => (order.push('high-1'), l)),
      g.acquire(undefined, { priority: 0 }).then((l) => (order.push('low-2'), l)),
      g.acquire(undefined, { priority: 10 }).then((l) => (order.push('high-2'), l)),
    ];
    first.release();
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, 1));
      const done = await Promise.race(w.map((p, j) => p.then(() => j)));
      (await w[done]!).release();
      w.splice(done, 1);
    }
    expect(order).toEqual(['high-1', 'high-2', 'low-1', 'low-2']);
  });

  it('release is idempotent', async () => {
    const g = group([member('a')], 1);
    const l = await g.acquire();
    l.release();
    l.release();
    expect(g.load().running).toBe(0);
  });
});

describe('strategies', () => {
  const opts = (members: Member[]) => ({ name: 'g', members, maxRunning: Infinity, maxQueued: 10, queueTimeoutMs: 1000 });
  const picks = async (g: ClusterGroup, n: number, hold = false) => {
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const l = await g.acquire();
      out.push(l.member.name);
      if (!hold) l.release();
    }
    return out;
  };

  it('failover uses the first healthy member with capacity', async () => {
    const a = member('a', 1);
    const b = member('b');
    const g = createGroup('failover', opts([a, b]));
    expect(await picks(g, 3, true)).toEqual(['a', 'b', 'b']);
    a.healthy = false;
    expect(await picks(createGroup('failover', opts([a, member('c')])), 2)).toEqual(['c', 'c']);
  });

  it('leastLoaded picks the lowest running/limit', async () => {
    const a = member('a', 10);
    const b = member('b', 2);
    a.running = 3; // 0.3
    b.running = 1; // 0.5
    expect(await picks(createGroup('leastLoaded', opts([a, b])), 1)).toEqual(['a']);
  });

  it('weighted 10/90 split is exact over 10,000 picks and interleaved', async () => {
    const a = { ...member('a'), weight: 10 };
    const b = { ...member('b'), weight: 90 };
    const got = await picks(createGroup('weighted', opts([a, b])), 10_000);
    expect(got.filter((n) => n === 'a').length).toBe(1000);
    expect(got.slice(0, 10).filter((n) => n === 'a').length).toBe(1);
  });

  it('engineAffinity prefers engine kinds in order', async () => {
    const duck = { ...member('duck-1'), engine: { kind: 'duckdb' } as Engine };
    const pg = { ...member('pg-1', 1), engine: { kind: 'postgres' } as Engine };
    const g = createGroup('engineAffinity', opts([duck, pg]), ['postgres', 'duckdb']);
    expect(await picks(g, 2, true)).toEqual(['pg-1', 'duck-1']);
  });
});
