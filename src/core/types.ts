/**
 * Core value and type contracts shared by every frontend and engine.
 *
 * Values in a row follow one convention per SqlType kind (see docs/types.md):
 * a scalar may always be given as its PostgreSQL-style canonical text (a string), which lets
 * text-speaking engines hand rows through without a parse/format round trip; otherwise the
 * native JS form listed beside each kind is used.
 */

/** Kinds of SQL type every protocol knows how to carry. */
export type SqlType =
  | { readonly kind: 'bool' } // boolean
  | { readonly kind: 'int2' } // number
  | { readonly kind: 'int4' } // number
  | { readonly kind: 'int8' } // bigint | number
  | { readonly kind: 'int128' } // bigint (DuckDB HUGEINT/UHUGEINT, carried as numeric on PG wire)
  | { readonly kind: 'float4' } // number
  | { readonly kind: 'float8' } // number
  | { readonly kind: 'decimal'; readonly precision?: number; readonly scale?: number } // string
  | { readonly kind: 'text' } // string
  | { readonly kind: 'bytea' } // Uint8Array
  | { readonly kind: 'date' } // string 'YYYY-MM-DD'
  | { readonly kind: 'time' } // string 'HH:MM:SS[.ffffff]'
  | { readonly kind: 'timetz' } // string 'HH:MM:SS[.ffffff]+HH[:MM]'
  | { readonly kind: 'timestamp' } // string 'YYYY-MM-DD HH:MM:SS[.ffffff]'
  | { readonly kind: 'timestamptz' } // string 'YYYY-MM-DD HH:MM:SS[.ffffff]+HH[:MM]'
  | { readonly kind: 'interval' } // string, PostgreSQL interval output ('1 day 02:00:00')
  | { readonly kind: 'uuid' } // string
  | { readonly kind: 'json' } // string (JSON text)
  | { readonly kind: 'list'; readonly element: SqlType } // unknown[]
  | { readonly kind: 'struct'; readonly fields: readonly { readonly name: string; readonly type: SqlType }[] } // Record<string, unknown>
  | { readonly kind: 'map'; readonly key: SqlType; readonly value: SqlType } // [unknown, unknown][]
  | { readonly kind: 'unknown'; readonly name: string }; // string (engine's own text)

export type SqlTypeKind = SqlType['kind'];

/** A result column: a name and its type. */
export interface Column {
  readonly name: string;
  readonly type: SqlType;
}

/** One row: values in column order, `null` for SQL NULL. */
export type Row = unknown[];

/** What a finished statement reports (drives PG CommandComplete, MySQL OK packets, ...). */
export interface StatementSummary {
  /** Upper-case leading verb, e.g. SELECT, INSERT, UPDATE, CREATE TABLE, SET. */
  readonly command: string;
  /** Rows returned or affected, when the engine knows it. */
  readonly rowCount?: number;
}

/** Rows as PostgreSQL text-format DataRow messages, type byte and length included, ready to send. */
export interface PgDataRows {
  readonly bytes: Buffer;
  readonly rows: number;
}

/**
 * The result of one statement: columns known up front, rows streamed in batches.
 * Consumers must either drain `batches()` or call `close()`; both release engine resources.
 */
export interface ResultStream {
  readonly columns: readonly Column[];
  /** Async iterable of row batches; iterate once. Breaking out early releases the engine cursor. */
  batches(): AsyncIterable<Row[]>;
  /**
   * Present when the engine has the rows as PostgreSQL text DataRows already (a PostgreSQL
   * backend, no converted types): a PostgreSQL frontend sending text results iterates this
   * instead of `batches()` and writes them unchanged. Use one of the two, once.
   */
  readonly pgDataRows?: () => AsyncIterable<PgDataRows>;
  /** Available after the batches are drained (or immediately for statements without rows). */
  summary(): StatementSummary;
  /** Release resources without reading the rest. Idempotent. */
  close(): Promise<void>;
}

/** Wire protocols we serve. */
export type Protocol = 'postgres' | 'mysql' | 'trino-http' | 'flight-sql';

/** SQL dialects known to analysis/translation. */
export type Dialect = 'postgres' | 'mysql' | 'trino' | 'duckdb' | 'starrocks' | 'athena' | 'generic';

/** Per-connection state a frontend keeps and the pipeline may read. */
export interface SessionState {
  /** Settings the client changed with SET / startup parameters. */
  readonly settings: Map<string, string>;
  /** Transaction status as the client sees it. */
  txStatus: 'idle' | 'in-transaction' | 'failed';
  /** Cluster pinned for the rest of a transaction (set by the pipeline). */
  pinnedCluster?: string;
}

/** One query as it enters the pipeline, whatever the protocol. */
export interface QueryRequest {
  readonly id: string;
  readonly sql: string;
  /** Bound parameter values ($1..$n / ?), already decoded to the kinds of SqlType. */
  readonly params?: readonly unknown[];
  readonly protocol: Protocol;
  readonly user: string;
  readonly database?: string;
  readonly schema?: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly clientTags: readonly string[];
  readonly session: SessionState;
  /** Free-form client identity (application_name, program_name, X-Trino-Source, ...). */
  readonly source?: string;
  readonly remoteAddress?: string;
  readonly receivedAt: number;
  /** Called when the statement has to wait for capacity in its group (Trino HTTP shows QUEUED). */
  readonly onQueued?: (state: { readonly group: string; readonly queued: number; readonly running: number }) => void;
}

/** Build an empty session state. */
export function newSession(): SessionState {
  return { settings: new Map(), txStatus: 'idle' };
}
