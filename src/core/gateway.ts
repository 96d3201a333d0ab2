/** What a frontend sees of the gateway: run, describe, end a session. Frontends know nothing else. */
import type { StatementDescription } from '../engines/engine.js';
import type { QueryRequest, ResultStream, SessionState, SqlType } from './types.js';

/** A statement to describe (extended-protocol Parse/Describe) without running it. */
export interface DescribeRequest extends QueryRequest {
  readonly paramTypes?: readonly (SqlType | undefined)[];
}

/** The pipeline as frontends use it. */
export interface Gateway {
  /**
   * Analyse, route, admit, translate and execute one statement. The returned stream must be
   * drained or closed: that releases the cluster lease and records the outcome.
   * Rejects with QueryFluxError (routing denial, queue timeout, engine error, ...).
   */
  execute(req: QueryRequest, signal?: AbortSignal): Promise<ResultStream>;
  /** Parameter types and result columns of a statement, routed like execute but not run. */
  describe(req: DescribeRequest, signal?: AbortSignal): Promise<StatementDescription>;
  /** Release per-session state on every engine (pinned connections, open transactions). */
  endSession(session: SessionState): Promise<void>;
}
