/** The contract every engine adapter implements (one instance per configured cluster). */
import type { Column, Dialect, ResultStream, SessionState, SqlType } from '../core/types.js';

/** What an engine can do; adapters override only what differs from DEFAULT_CAPABILITIES. */
export interface EngineCapabilities {
  readonly transactions: boolean;
  readonly prepared: boolean;
  readonly cancel: boolean;
  readonly bytesScannedReported: boolean;
  /** Parameter placeholder style the engine accepts natively. */
  readonly placeholders: 'dollar' | 'question' | 'none';
}

export const DEFAULT_CAPABILITIES: EngineCapabilities = Object.freeze({
  transactions: false,
  prepared: false,
  cancel: false,
  bytesScannedReported: false,
  placeholders: 'none',
});

/** A statement as handed to an engine (already translated to its dialect). */
export interface EngineQuery {
  readonly sql: string;
  /** Values for $1..$n placeholders, in SqlType value convention (strings accepted for scalars). */
  readonly params?: readonly unknown[];
  /** Declared parameter types, when the client gave them. */
  readonly paramTypes?: readonly (SqlType | undefined)[];
  /** Session of the client connection (engines that keep per-session state use its identity). */
  readonly session?: SessionState;
  readonly user?: string;
  readonly database?: string;
  /** Request id, for logs and engine-side labels. */
  readonly id?: string;
  /** Ask the engine to keep per-query statistics (bytes scanned, ...) in the stream summary. */
  readonly wantStats?: boolean;
}

/** Parameter and result shape of a statement, known without running it. */
export interface StatementDescription {
  readonly params: readonly SqlType[];
  readonly columns: readonly Column[];
}

export interface HealthStatus {
  readonly healthy: boolean;
  readonly latencyMs: number;
  readonly message?: string;
}

/** One configured cluster of some engine kind. */
export interface Engine {
  readonly kind: string;
  readonly name: string;
  readonly dialect: Dialect;
  readonly capabilities: EngineCapabilities;
  /** Run a statement; rows stream. Aborting `signal` cancels it on the engine. */
  execute(query: EngineQuery, signal?: AbortSignal): Promise<ResultStream>;
  /** Parameter types and result columns without executing (extended-protocol Describe). */
  describe(query: EngineQuery, signal?: AbortSignal): Promise<StatementDescription>;
  /** Release per-session engine state (e.g. a pinned connection) when a client disconnects. */
  endSession?(session: SessionState): Promise<void>;
  health(signal?: AbortSignal): Promise<HealthStatus>;
  close(): Promise<void>;
}
