/**
 * The gateway's query history: opens the configured database, applies migrations, runs the
 * batched writer (the pipeline's outcome sink) and the retention sweep. Starting never fails
 * because the database is down: the writer buffers (bounded) and retries migrations and writes.
 */
import type { Logger } from 'pino';
import type { OutcomeSink, QueryOutcome } from '../core/outcome.js';
import { openHistoryDb, safeErrorMessage, type PersistenceConfig } from './db.js';
import { migrate } from './migrate.js';
import { HistoryStore } from './store.js';
import { HistoryWriter, type HistoryObserver } from './writer.js';

export interface HistoryOptions {
  readonly persistence: PersistenceConfig;
  readonly retentionDays: number;
  readonly logger: Logger;
  readonly observer?: HistoryObserver;
  /** How often the retention sweep runs (default hourly). */
  readonly retentionIntervalMs?: number;
}

const DAY_MS = 86_400_000;
/** The gateway's SQLite lock wait (blocks the event loop while it waits; the writer retries). */
const GATEWAY_SQLITE_BUSY_MS = 250;

export class History implements OutcomeSink {
  readonly writer: HistoryWriter;
  private migrated: Promise<void> | undefined;
  private readonly retentionTimer: NodeJS.Timeout;
  private closing: Promise<void> | undefined;
  private retentionErrorLogged = false;

  private constructor(
    readonly store: HistoryStore,
    private readonly opts: HistoryOptions,
  ) {
    const p = opts.persistence;
    this.writer = new HistoryWriter(
      {
        insert: async (batch) => {
          await this.ready();
          await store.insert(batch);
        },
        insertOne: (o) => store.insertOne(o),
        refused: (err) => store.refused(err),
      },
      { flushIntervalMs: p.flushIntervalMs, batchSize: p.batchSize, maxBufferRows: p.maxBufferRows, logger: opts.logger, observer: opts.observer },
    );
    this.retentionTimer = setInterval(() => void this.sweep(), opts.retentionIntervalMs ?? 3_600_000);
    this.retentionTimer.unref();
  }

  /** Open the database and try the migrations once (a failure is logged; writes retry them). */
  static async start(opts: HistoryOptions): Promise<History> {
    const db = await openHistoryDb(opts.persistence, { busyTimeoutMs: GATEWAY_SQLITE_BUSY_MS });
    const history = new History(new HistoryStore(db, opts.persistence.redactSql), opts);
    try {
      await history.ready();
      opts.logger.info({ provider: db.provider, location: db.location, retentionDays: opts.retentionDays }, 'query history ready');
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

  /** Migrations applied (memoised; retried after a failure). */
  ready(): Promise<void> {
    this.migrated ??= migrate(this.store.db, { onWarning: (msg) => this.opts.logger.warn(msg) }).then(
      (applied) => {
        if (applied.length > 0) this.opts.logger.info({ applied }, 'history migrations applied');
      },
      (err: unknown) => {
        this.migrated = undefined;
        throw err;
      },
    );
    return this.migrated;
  }

  /** Delete rows older than the retention period; resolves with the count (0 when the database is unavailable). */
  async sweep(now = Date.now()): Promise<number> {
    try {
      await this.ready();
      const deleted = await this.store.deleteBefore(new Date(now - this.opts.retentionDays * DAY_MS));
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
      await this.store.db.close().catch(() => undefined);
    })();
    return this.closing;
  }
}
