/**
 * Main-thread side of the history write worker: a HistoryTarget whose inserts run in a worker
 * thread (src/history/write-worker.ts). A crashed worker is replaced on the next request; its
 * pending requests fail as an outage, so the writer keeps their rows and retries.
 */
import { Worker } from 'node:worker_threads';
import type { QueryOutcome } from '../core/outcome.js';
import type { SavingsQuery } from './report.js';
import type { SavingsReport } from './savings.js';
import type { HistoryTarget } from './writer.js';
import type { WorkerInit, WorkerReply, WorkerRequest } from './write-worker.js';

/** An error from the worker; `refused` says the database refused the data. */
class WorkerError extends Error {
  constructor(
    message: string,
    readonly refused: boolean,
  ) {
    super(message);
  }
}

type Value = number | string[] | SavingsReport | undefined;
type Pending = { resolve(v: Value): void; reject(e: Error): void };
type Request = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

// Under tsx/vitest the worker is the .ts source, loaded through a bootstrap that registers tsx
// (a worker does not inherit the parent's loader); the build runs the compiled .js.
const SOURCE = import.meta.url.endsWith('.ts');
const WORKER_URL = new URL(SOURCE ? './write-worker-source.mjs' : './write-worker.js', import.meta.url);

export class WorkerTarget implements HistoryTarget {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closed = false;

  constructor(private readonly init: WorkerInit) {}

  private spawn(): Worker {
    const w = new Worker(WORKER_URL, { workerData: this.init });
    // Idle, the worker must not keep the process alive; while a request waits on it, it must
    // (an exit mid-flush at shutdown would lose the rows): ref'd only with requests pending.
    w.unref();
    w.on('message', (r: WorkerReply) => {
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      if (this.pending.size === 0) w.unref();
      if (r.ok) p.resolve(r.value);
      else p.reject(new WorkerError(r.message, r.refused));
    });
    const fail = (err: Error) => {
      if (this.worker === w) this.worker = undefined;
      for (const p of this.pending.values()) p.reject(new WorkerError(`history worker stopped: ${err.message}`, false));
      this.pending.clear();
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`exit code ${code}`)));
    return w;
  }

  private call(req: Request): Promise<Value> {
    if (this.closed) return Promise.reject(new WorkerError('history worker closed', false));
    const w = (this.worker ??= this.spawn());
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) w.ref();
      this.pending.set(id, { resolve, reject });
      try {
        w.postMessage({ ...req, id });
      } catch (err) {
        // A value that cannot be cloned (a function in an outcome field): send a JSON copy.
        this.pending.delete(id);
        if ((err as Error).name !== 'DataCloneError') return reject(err as Error);
        this.pending.set(id, { resolve, reject });
        w.postMessage(JSON.parse(JSON.stringify({ ...req, id }, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))));
      }
    });
  }

  /** Migrations applied; resolves with the ids applied now. */
  async ready(): Promise<string[]> {
    return ((await this.call({ op: 'ready' })) as string[] | undefined) ?? [];
  }

  async insert(batch: readonly QueryOutcome[]): Promise<void> {
    await this.call({ op: 'insert', batch });
  }

  async insertOne(outcome: QueryOutcome): Promise<void> {
    await this.call({ op: 'insertOne', outcome });
  }

  refused(err: unknown): boolean {
    return err instanceof WorkerError && err.refused;
  }

  /** Delete rows received before `cutoff` (in the worker). */
  async deleteBefore(cutoff: Date): Promise<number> {
    return ((await this.call({ op: 'sweep', cutoffMs: cutoff.getTime() })) as number | undefined) ?? 0;
  }

  /** The savings report, computed in the worker. */
  async savings(query: SavingsQuery): Promise<SavingsReport> {
    return (await this.call({ op: 'savings', query })) as SavingsReport;
  }

  /** Close the worker's database and stop the worker. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.worker) await this.call({ op: 'close' }).catch(() => undefined);
    this.closed = true;
    await this.worker?.terminate();
    this.worker = undefined;
  }
}
