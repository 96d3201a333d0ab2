/**
 * A cluster group: members (engine instances), a balancing strategy, a concurrency limit and a
 * proxy-side FIFO queue. Queueing lives here, never in frontends: a client simply waits.
 */
import { qfError } from '../core/errors.js';
import type { Engine } from '../engines/engine.js';
import type { GroupLoad } from '../routing/types.js';
import type { CircuitBreaker } from './circuit-breaker.js';
import { Fifo } from './fifo.js';

/** One cluster inside a group, with its live counters. */
export interface Member {
  readonly name: string;
  readonly engine: Engine;
  readonly maxRunning: number;
  readonly weight: number;
  running: number;
  healthy: boolean;
  /** Present when the group configures a circuit breaker. */
  readonly breaker?: CircuitBreaker;
}

/** Permission to run one query on one member; release exactly once. */
export interface Lease {
  readonly member: Member;
  readonly queuedMs: number;
  /** `engineFailed`: the engine was unreachable or dropped the connection (feeds the breaker). */
  release(engineFailed?: boolean): void;
}

interface Waiter {
  only: string | undefined;
  exclude: ReadonlySet<string> | undefined;
  resolve(lease: Lease): void;
  reject(err: Error): void;
  enqueuedAt: number;
  done: boolean;
  cleanup(): void;
}

/** How one acquire call wants its member. */
export interface AcquireOptions {
  readonly only?: string;
  readonly exclude?: ReadonlySet<string>;
  /** Queue priority class; higher is served first (default 0). */
  readonly priority?: number;
  /** Called once when the request has to wait in the queue (a Trino frontend reports QUEUED). */
  readonly onQueued?: (state: QueuedState) => void;
}

/** What a queued request knows about its wait. */
export interface QueuedState {
  readonly group: string;
  /** Requests waiting in the group, this one included. */
  readonly queued: number;
  readonly running: number;
}

export interface ClusterGroupOptions {
  readonly name: string;
  readonly members: readonly Member[];
  /** Group-wide limit on running queries (Infinity when unset). */
  readonly maxRunning: number;
  readonly maxQueued: number;
  readonly queueTimeoutMs: number;
  /** Group that takes the query when this one's queue is full or the wait times out. */
  readonly overflowGroup?: string;
}

/** Base class: strategies override pick(). */
export class ClusterGroup {
  readonly name: string;
  readonly members: readonly Member[];
  readonly overflowGroup: string | undefined;
  private readonly maxRunning: number;
  private readonly maxQueued: number;
  private readonly queueTimeoutMs: number;
  private running = 0;
  private queued = 0;
  /** One FIFO per priority class, highest priority first. */
  private readonly classes: { readonly priority: number; readonly queue: Fifo<Waiter> }[] = [];

  constructor(opts: ClusterGroupOptions) {
    this.name = opts.name;
    this.members = opts.members;
    this.overflowGroup = opts.overflowGroup;
    this.maxRunning = opts.maxRunning;
    this.maxQueued = opts.maxQueued;
    this.queueTimeoutMs = opts.queueTimeoutMs;
  }

  /** Choose a member with free capacity, or undefined. Strategies override this. */
  protected pick(candidates: readonly Member[]): Member | undefined {
    return candidates[0];
  }

  private available(only: string | undefined, exclude: ReadonlySet<string> | undefined): Member[] {
    const out: Member[] = [];
    for (const m of this.members) {
      if (!m.healthy || m.running >= m.maxRunning || (only !== undefined && m.name !== only) || exclude?.has(m.name)) continue;
      if (m.breaker === undefined || m.breaker.allows()) out.push(m);
    }
    return out;
  }

  private tryLease(enqueuedAt: number, only: string | undefined, exclude?: ReadonlySet<string>): Lease | undefined {
    if (this.running >= this.maxRunning) return undefined;
    const candidates = this.available(only, exclude);
    const member = only === undefined ? this.pick(candidates) : candidates[0];
    if (member === undefined) return undefined;
    member.running++;
    this.running++;
    member.breaker?.onStart();
    let released = false;
    return {
      member,
      queuedMs: enqueuedAt === 0 ? 0 : Date.now() - enqueuedAt,
      release: (engineFailed = false) => {
        if (released) return;
        released = true;
        member.breaker?.onResult(engineFailed);
        member.running--;
        this.running--;
        this.drain();
      },
    };
  }

  /**
   * Wait for capacity on a member: higher `priority` classes first (from routing decisions, e.g. a
   * policy's `priority`), FIFO within a class. `only` restricts the choice to one member (a session
   * pinned by an open transaction); `exclude` skips members (retries).
   * Rejects with QF_QUEUE_FULL, QF_QUEUE_TIMEOUT or QF_QUERY_CANCELED.
   */
  acquire(signal?: AbortSignal, opts: AcquireOptions = {}): Promise<Lease> {
    const { only, exclude } = opts;
    if (this.queued === 0) {
      const lease = this.tryLease(0, only, exclude);
      if (lease) return Promise.resolve(lease);
    }
    if (signal?.aborted) return Promise.reject(qfError('QF_QUERY_CANCELED'));
    if (this.queued >= this.maxQueued) {
      return Promise.reject(qfError('QF_QUEUE_FULL', { group: this.name, detail: `${this.running} running, ${this.queued} queued (maxQueuedQueries ${this.maxQueued})` }));
    }
    return new Promise<Lease>((resolve, reject) => {
      const waiter: Waiter = {
        only,
        exclude,
        enqueuedAt: Date.now(),
        done: false,
        resolve,
        reject,
        cleanup: () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
        },
      };
      const leave = (err: Error) => {
        if (waiter.done) return;
        waiter.done = true;
        this.queued--;
        waiter.cleanup();
        reject(err);
      };
      const onAbort = () => leave(qfError('QF_QUERY_CANCELED'));
      const timer = setTimeout(() => leave(qfError('QF_QUEUE_TIMEOUT', { group: this.name, seconds: this.queueTimeoutMs / 1000 })), this.queueTimeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queued++;
      this.classQueue(opts.priority ?? 0).push(waiter);
      opts.onQueued?.({ group: this.name, queued: this.queued, running: this.running });
    });
  }

  private classQueue(priority: number): Fifo<Waiter> {
    let c = this.classes.find((x) => x.priority === priority);
    if (c === undefined) {
      c = { priority, queue: new Fifo<Waiter>() };
      this.classes.push(c);
      this.classes.sort((a, b) => b.priority - a.priority);
    }
    return c.queue;
  }

  /** Hand freed capacity to waiters: highest priority class first, FIFO within a class. */
  private drain(): void {
    for (const { queue } of this.classes) {
      while (queue.length > 0) {
        const waiter = queue.peek()!;
        if (!waiter.done) {
          const lease = this.tryLease(waiter.enqueuedAt, waiter.only, waiter.exclude);
          if (lease === undefined) return;
          waiter.done = true;
          this.queued--;
          waiter.cleanup();
          waiter.resolve(lease);
        }
        queue.shift();
      }
    }
  }

  /** Another member could take a retry (healthy, not excluded, breaker not open). */
  hasAlternative(exclude: ReadonlySet<string>): boolean {
    return this.members.some((m) => m.healthy && !exclude.has(m.name) && (m.breaker === undefined || m.breaker.current !== 'open'));
  }

  /** The member with this name, if it belongs to the group. */
  member(name: string): Member | undefined {
    return this.members.find((m) => m.name === name);
  }

  /** Live counters for routers and metrics. */
  load(): GroupLoad {
    let healthy = 0;
    for (const m of this.members) if (m.healthy) healthy++;
    return { running: this.running, queued: this.queued, maxRunning: this.maxRunning, healthyMembers: healthy };
  }
}
