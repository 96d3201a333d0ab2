/**
 * The gateway's query history: opens the configured database, applies migrations, runs the
 * batched writer (the pipeline's outcome sink) and the retention sweep. Starting never fails
 * because the database is down: the writer buffers (bounded) and retries migrations and writes.
 *
 * Writes run in a worker thread (SQLite file, PostgreSQL), so Prisma's per-row work and the
 * synchronous SQLite driver never hold the event loop that serves queries; reads (admin API)
 * use a client on the main thread. `inMemory` writes inline: its database lives in this thread.
 */
import type { Logger } from 'pino';
import type { OutcomeSink, QueryOutcome } from '../core/outcome.js';
import { openHistoryDb, safeErrorMessage, type PersistenceConfig } from './db.js';
import { migrate } from './migrate.js';
import { savingsReport, type SavingsQuery } from './report.js';
import type { SavingsReport } from './savings.js';
import { HistoryStore, type HistoryFilter } from './store.js';
import type { HistoryEntry } from './record.js';
import { WorkerTarget } from './worker-target.js';
import { HistoryWriter, type HistoryObserver, type HistoryTarget } from './writer.js';

export interface HistoryOptions {
  readonly persistence: PersistenceConfig;
  readonly retentionDays: number;
  readonly logger: Logger;
  readonly observer?: HistoryObserver;
  /** How often the retention sweep runs (default hourly). */
  readonly retentionIntervalMs?: number;
  /** Write in a worker thread (default: yes, except for inMemory). */
  readonly writerThread?: boolean;
}

/** Where writes go: the worker thread or, for inMemory, the main-thread store. */
interface WriteSide extends HistoryTarget {
  ready(): Promise<string[]>;
  deleteBefore(cutoff: Date): Promise<number>;
  savings(query: SavingsQuery): Promise<SavingsReport>;
  close(): Promise<void>;
}

const DAY_MS = 86_400_000;
/** The writer's SQLite lock wait (better-sqlite3 waits synchronously; the writer retries). */
const WRITER_SQLITE_BUSY_MS = 250;

/** Writes on this thread, through the same store the reads use. */
function inlineWriteSide(store: HistoryStore): WriteSide {
  let migrated: Promise<string[]> | undefined;
  const ready = () =>
    (migrated ??= migrate(store.db).catch((err: unknown) => {
      migrated = undefined;
      throw err;
    }));
  return {
    ready,
    insert: async (batch) => {
      await ready();
      await store.insert(batch);
    },
    insertOne: (o) => store.insertOne(o),
    refused: (err) => store.refused(err),
    deleteBefore: async (cutoff) => {
      await ready();
      return store.deleteBefore(cutoff);
    },
    savings: (query) => savingsReport(store, query),
    close: async () => undefined, // the store's database is closed with the History
  };
}

export class History implements OutcomeSink {
  readonly writer: HistoryWriter;
  private readonly retentionTimer: NodeJS.Timeout;
  private closing: Promise<void> | undefined;
  private retentionErrorLogged = false;

  private constructor(
    readonly store: HistoryStore,
    private readonly writes: WriteSide,
    private readonly opts: HistoryOptions,
  ) {
    const p = opts.persistence;
    this.writer = new HistoryWriter(writes, { flushIntervalMs: p.flushIntervalMs, batchSize: p.batchSize, maxBufferRows: p.maxBufferRows, logger: opts.logger, observer: opts.observer });
    this.retentionTimer = setInterval(() => void this.sweep(), opts.retentionIntervalMs ?? 3_600_000);
    this.retentionTimer.unref();
  }

  /** Open the database and try the migrations once (a failure is logged; writes retry them). */
  static async start(opts: HistoryOptions): Promise<History> {
    const p = opts.persistence;
    const threaded = (opts.writerThread ?? true) && p.type !== 'inMemory';
    // A SQLite file that cannot be opened is a configuration error (path, permissions): fail the
    // start with the key to fix. A PostgreSQL server that is down is not: it connects lazily.
    const db = await openHistoryDb(p, { busyTimeoutMs: WRITER_SQLITE_BUSY_MS }).catch((err: unknown) => {
      throw new Error(`queryflux.persistence: cannot open the history database${p.type === 'sqlite' ? ` at path ${p.path}` : ''}: ${safeErrorMessage(err)}`);
    });
    const store = new HistoryStore(db, p.redactSql);
    const writes = threaded ? new WorkerTarget({ persistence: p, busyTimeoutMs: WRITER_SQLITE_BUSY_MS }) : inlineWriteSide(store);
    const history = new History(store, writes, opts);
    try {
      const applied = await writes.ready();
      if (applied.length > 0) opts.logger.info({ applied }, 'history migrations applied');
      opts.logger.info({ provider: db.provider, location: db.location, retentionDays: opts.retentionDays, writerThread: threaded }, 'query history ready');
      void history.sweep();
    } catch (err) {
      opts.logger.error({ provider: db.provider, location: db.location, err: safeErrorMessage(err) }, 'query history: database unavailable at start; queries go on, history is buffered (bounded) and retried');
    }
    return history;
  }

  /** Hot path: hands the outcome to the writer's buffer. */
  record(outcome: QueryOutcome): void {
    this.writer.record(outcome);
  }

  /** Recent rows, newest first (admin API). */
  list(filter: HistoryFilter): Promise<HistoryEntry[]> {
    return this.store.list(filter);
  }

  /** The savings report over a window (computed in the writer's thread when there is one). */
  savings(query: SavingsQuery): Promise<SavingsReport> {
    return this.writes.savings(query);
  }

  /** Delete rows older than the retention period; resolves with the count (0 when the database is unavailable). */
  async sweep(now = Date.now()): Promise<number> {
    try {
      const deleted = await this.writes.deleteBefore(new Date(now - this.opts.retentionDays * DAY_MS));
      if (deleted > 0) this.opts.logger.info({ deleted, retentionDays: this.opts.retentionDays }, 'history retention: old rows deleted');
      this.retentionErrorLogged = false;
      return deleted;
    } catch (err) {
      if (!this.retentionErrorLogged) this.opts.logger.warn({ err: safeErrorMessage(err) }, 'history retention sweep failed; retried later');
      this.retentionErrorLogged = true;
      return 0;
    }
  }

  /** Flush everything buffered (up to `timeoutMs`), then close the database. Idempotent. */
  close(timeoutMs = 10_000): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.retentionTimer);
      await this.writer.close(timeoutMs);
      await this.writes.close().catch(() => undefined);
      this.store.close();
      await this.store.db.close().catch(() => undefined);
    })();
    return this.closing;
  }
}
