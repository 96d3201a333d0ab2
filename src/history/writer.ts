/**
 * Batched asynchronous history writer: the outcome sink the pipeline calls for every statement.
 * `record()` only appends to a bounded in-memory buffer (no I/O, no await, no allocation beyond
 * the array slot); a timer or a full batch starts a flush that inserts batches off the hot path.
 * When the database is down or slow the buffer fills up to `maxBufferRows`, further rows are
 * dropped and counted, and writing resumes (oldest rows first) when the database answers again.
 */
import type { Logger } from 'pino';
import type { OutcomeSink, QueryOutcome } from '../core/outcome.js';
import { safeErrorMessage } from './db.js';

/** Where batches go. `insert` writes all rows or none and rejects on failure. */
export interface HistoryTarget {
  insert(batch: readonly QueryOutcome[]): Promise<void>;
  /** Insert one row; used to isolate a row the database refuses (a bad value, a duplicate id). */
  insertOne(outcome: QueryOutcome): Promise<void>;
  /** True when `err` means the database refused the data (constraint, bad value); false when it is down, busy or slow (retry later). */
  refused(err: unknown): boolean;
}

/** Why a row was not written. */
export type DropReason = 'buffer_full' | 'rejected' | 'shutdown';

/** Metric hooks (src/metrics/registry.ts implements them). */
export interface HistoryObserver {
  dropped(rows: number, reason: DropReason): void;
  wrote(rows: number, seconds: number): void;
}

export interface HistoryWriterOptions {
  readonly flushIntervalMs: number;
  readonly batchSize: number;
  readonly maxBufferRows: number;
  readonly logger: Logger;
  readonly observer?: HistoryObserver;
  /** Longest wait between attempts while the database is failing. */
  readonly maxBackoffMs?: number;
}

/** Counters since start, for tests, benchmarks and the admin API. */
export interface HistoryWriterStats {
  readonly buffered: number;
  readonly written: number;
  readonly dropped: number;
  readonly failedWrites: number;
  readonly failing: boolean;
}

export class HistoryWriter implements OutcomeSink {
  /** Rows recorded since the current in-flight batch list was taken. */
  private buffer: QueryOutcome[] = [];
  /** Rows taken for writing; `cursor` marks how many are written. Kept until written (retries). */
  private inflight: QueryOutcome[] = [];
  private cursor = 0;
  private writing: Promise<void> | undefined;
  private kickScheduled = false;
  private closed = false;
  private readonly timer: NodeJS.Timeout;
  private backoffMs = 0;
  private nextAttemptAt = 0;
  private failing = false;
  /** Rows dropped since the last log line about drops. */
  private droppedUnlogged = 0;
  private fullLogged = false;
  private stats = { written: 0, dropped: 0, failedWrites: 0 };
  private readonly kick = (): void => {
    this.kickScheduled = false;
    this.startFlush(false);
  };

  constructor(
    private readonly target: HistoryTarget,
    private readonly opts: HistoryWriterOptions,
  ) {
    this.timer = setInterval(this.kick, opts.flushIntervalMs);
    this.timer.unref();
  }

  /** Rows held in memory (waiting or being written). */
  get buffered(): number {
    return this.buffer.length + this.inflight.length - this.cursor;
  }

  /** Hot path: O(1), synchronous, never throws. */
  record(outcome: QueryOutcome): void {
    if (this.closed) return this.drop(1, 'shutdown');
    if (this.buffer.length + this.inflight.length - this.cursor >= this.opts.maxBufferRows) return this.drop(1, 'buffer_full');
    const n = this.buffer.push(outcome);
    if (n >= this.opts.batchSize && !this.kickScheduled && this.writing === undefined) {
      this.kickScheduled = true;
      setImmediate(this.kick);
    }
  }

  getStats(): HistoryWriterStats {
    return { buffered: this.buffered, ...this.stats, failing: this.failing };
  }

  /** Write everything buffered now (ignoring back-off); resolves with the rows still unwritten (0 = all written). */
  async flush(): Promise<number> {
    for (let round = 0; round < 3 && this.buffered > 0; round++) {
      if (this.writing) await this.writing;
      if (this.buffered === 0) break;
      this.startFlush(true);
      await this.writing;
      if (this.failing) break;
    }
    return this.buffered;
  }

  /** Stop the timer, write what is buffered (up to `timeoutMs`), count the rest as dropped. Rows recorded later are dropped. */
  async close(timeoutMs = 10_000): Promise<void> {
    clearInterval(this.timer);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
    const result = await Promise.race([this.flush(), timeout]);
    clearTimeout(timer);
    this.closed = true;
    const left = this.buffered;
    if (left > 0) {
      this.opts.logger.error({ rows: left, reason: result === 'timeout' ? 'timeout' : 'database unavailable' }, 'history: rows not written at shutdown');
      this.drop(left, 'shutdown');
      this.buffer = [];
      this.inflight = [];
      this.cursor = 0;
    }
  }

  private drop(rows: number, reason: DropReason): void {
    this.stats.dropped += rows;
    this.droppedUnlogged += rows;
    this.opts.observer?.dropped(rows, reason);
  }

  private startFlush(force: boolean): void {
    if (this.writing !== undefined || this.buffered === 0) return;
    if (!force && Date.now() < this.nextAttemptAt) return;
    this.writing = this.writeAll().finally(() => {
      this.writing = undefined;
      // Rows that arrived during the write form a full batch already: go on at once.
      if (!this.closed && !this.failing && this.buffer.length >= this.opts.batchSize) this.startFlush(false);
    });
  }

  /** Write batches until the buffer is empty or the database fails. Never rejects. */
  private async writeAll(): Promise<void> {
    if (!this.fullLogged && this.droppedUnlogged > 0 && !this.failing) {
      this.fullLogged = true;
      this.opts.logger.warn({ maxBufferRows: this.opts.maxBufferRows, dropped: this.droppedUnlogged }, 'history: buffer full, dropping rows (database too slow)');
      this.droppedUnlogged = 0;
    }
    for (;;) {
      if (this.cursor >= this.inflight.length) {
        if (this.buffer.length === 0) break;
        this.inflight = this.buffer;
        this.buffer = [];
        this.cursor = 0;
      }
      const batch = this.inflight.slice(this.cursor, this.cursor + this.opts.batchSize);
      const t0 = performance.now();
      try {
        await this.target.insert(batch);
      } catch (err) {
        this.stats.failedWrites++;
        if (!this.target.refused(err)) return void this.failed(err);
        if (!(await this.isolateRefused(batch))) return;
        continue;
      }
      this.opts.observer?.wrote(batch.length, (performance.now() - t0) / 1000);
      this.stats.written += batch.length;
      this.cursor += batch.length;
      this.recovered();
    }
    this.inflight = [];
    this.cursor = 0;
  }

  /**
   * The database refused a batch (a bad value, a duplicate id): write it row by row, dropping and
   * counting the refused rows, so one bad row never blocks the history. Each settled row advances
   * the cursor, so a retry after an outage in the middle neither loses nor duplicates rows.
   * Returns false when the database became unreachable meanwhile.
   */
  private async isolateRefused(batch: readonly QueryOutcome[]): Promise<boolean> {
    let refused = 0;
    let firstError: unknown;
    try {
      for (const o of batch) {
        const t0 = performance.now();
        try {
          await this.target.insertOne(o);
          this.opts.observer?.wrote(1, (performance.now() - t0) / 1000);
          this.stats.written++;
        } catch (e) {
          if (!this.target.refused(e)) return this.failed(e);
          refused++;
          firstError ??= e;
          this.drop(1, 'rejected');
        }
        this.cursor++;
      }
      this.recovered();
      return true;
    } finally {
      if (refused > 0) this.opts.logger.warn({ rows: refused, err: safeErrorMessage(firstError) }, 'history: database refused rows; dropped');
    }
  }

  private failed(err: unknown): false {
    if (!this.failing) {
      this.failing = true;
      this.droppedUnlogged = 0;
      // Once per outage: the message only (connection errors carry no secrets after masking).
      this.opts.logger.error({ err: safeErrorMessage(err), buffered: this.buffered }, 'history: cannot write to the database; buffering (bounded) and retrying');
    }
    this.backoffMs = Math.min(this.opts.maxBackoffMs ?? 30_000, Math.max(this.opts.flushIntervalMs, this.backoffMs * 2 || this.opts.flushIntervalMs));
    this.nextAttemptAt = Date.now() + this.backoffMs;
    return false;
  }

  private recovered(): void {
    if (this.failing) {
      this.failing = false;
      this.opts.logger.warn({ droppedDuringOutage: this.droppedUnlogged }, 'history: database writable again');
      this.droppedUnlogged = 0;
    }
    // Log the next overflow again once the buffer has recovered.
    if (this.fullLogged && this.buffered < this.opts.maxBufferRows / 2) this.fullLogged = false;
    this.backoffMs = 0;
    this.nextAttemptAt = 0;
  }
}
