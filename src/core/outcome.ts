/** What happened to one query; recorded to history, metrics and calibration. */
import type { CostEstimate } from '../cost/types.js';
import type { Protocol } from './types.js';

export interface QueryOutcome {
  readonly id: string;
  readonly protocol: Protocol;
  readonly user: string;
  readonly sql: string;
  readonly fingerprint: string;
  readonly group?: string;
  readonly cluster?: string;
  readonly engine?: string;
  readonly rule?: string;
  readonly reason?: string;
  readonly translatedFrom?: string;
  readonly translatedTo?: string;
  readonly status: 'ok' | 'error' | 'canceled' | 'denied';
  readonly errorCode?: string;
  readonly receivedAt: number;
  readonly queuedMs: number;
  readonly durationMs: number;
  readonly rows: number;
  readonly database?: string;
  readonly clientTags: readonly string[];
  /** Tables read or written, qualified as written. */
  readonly tables: readonly string[];
  /** Statement kind from the analysis (select, insert, ddl, ...). */
  readonly kind?: string;
  /** Bytes scanned, where the engine reports it. */
  readonly bytesScanned?: number;
  /** Cost estimates per candidate group, made before routing. */
  readonly estimates?: Readonly<Record<string, CostEstimate>>;
  /** What the query cost where it ran (USD, from the engine's pricing card). */
  readonly costUsd?: number;
  /** What it would have cost on the baseline group (USD, estimated). */
  readonly baselineUsd?: number;
  readonly baselineGroup?: string;
}

/** Receives outcomes off the hot path. */
export interface OutcomeSink {
  record(outcome: QueryOutcome): void;
}

/** Keeps the last N outcomes in memory (admin API "recent queries" until history lands). */
export class RecentOutcomes implements OutcomeSink {
  private readonly ring: (QueryOutcome | undefined)[];
  private next = 0;
  constructor(readonly capacity = 1000) {
    this.ring = new Array(capacity);
  }

  record(outcome: QueryOutcome): void {
    this.ring[this.next] = outcome;
    this.next = (this.next + 1) % this.capacity;
  }

  /** Newest first. */
  list(limit = 100): QueryOutcome[] {
    const out: QueryOutcome[] = [];
    for (let i = 1; i <= this.capacity && out.length < limit; i++) {
      const o = this.ring[(this.next - i + this.capacity) % this.capacity];
      if (o === undefined) break;
      out.push(o);
    }
    return out;
  }
}
