/**
 * Embedded DuckDB engine (@duckdb/node-api): in-memory or file, streaming chunks, $n parameters,
 * cancel through connection.interrupt(), transactions pinned to one connection per session.
 */
import { readFileSync } from 'node:fs';
import { DuckDBInstance, DuckDBTimestampTZValue, DuckDBTypeId, StatementType, type DuckDBConnection, type DuckDBPreparedStatement, type DuckDBResult } from '@duckdb/node-api';
import type { Logger } from 'pino';
import { leadingVerb } from '../../analysis/lexical.js';
import type { ResolvedCluster } from '../../config/load.js';
import { qfError } from '../../core/errors.js';
import type { Column, ResultStream, Row, SessionState, SqlType, StatementSummary } from '../../core/types.js';
import { DEFAULT_CAPABILITIES, type Engine, type EngineCapabilities, type EngineQuery, type HealthStatus, type StatementDescription } from '../engine.js';
import { mapDuckDbError } from './errors.js';
import { mapDuckDbType, type ValueConverter } from './types.js';

// Timestamps with time zone are rendered in UTC ('+00'), as the gateway's TimeZone is UTC.
DuckDBTimestampTZValue.timezoneOffsetInMinutes = 0;

const CAPABILITIES: EngineCapabilities = { ...DEFAULT_CAPABILITIES, transactions: true, prepared: true, cancel: true, placeholders: 'dollar' };

/** Statement types whose result is a row count, not rows. */
const COUNT_ONLY = new Set<number>([StatementType.INSERT, StatementType.UPDATE, StatementType.DELETE, StatementType.MERGE_INTO, StatementType.COPY]);
const NO_ROWS = new Set<number>([StatementType.CREATE, StatementType.DROP, StatementType.ALTER, StatementType.TRANSACTION, StatementType.SET, StatementType.VARIABLE_SET, StatementType.ATTACH, StatementType.DETACH, StatementType.CREATE_FUNC, StatementType.LOAD, StatementType.VACUUM, StatementType.ANALYZE, StatementType.PREPARE, StatementType.EXPORT]);
const TX_END = new Set(['COMMIT', 'END', 'ROLLBACK', 'ABORT']);
/** Leading words of statements that may be queries worth keeping prepared (the statement type decides). */
const READ_VERBS = new Set(['SELECT', 'WITH', 'FROM', 'VALUES', 'TABLE']);
const MAX_IDLE = 16;
/** Prepared queries kept per connection (least recently used dropped first). */
const PREPARED_PER_CONNECTION = 64;

/** PostgreSQL-style command name from the statement's leading words. */
function commandOf(sql: string, type: number): string {
  const verb = leadingVerb(sql);
  if (type === StatementType.SELECT || type === StatementType.EXPLAIN || type === StatementType.PRAGMA || type === StatementType.CALL) return verb === 'EXPLAIN' ? 'EXPLAIN' : 'SELECT';
  if (type === StatementType.CREATE || type === StatementType.DROP || type === StatementType.ALTER || type === StatementType.CREATE_FUNC) {
    const m = /^\s*(?:--[^\n]*\n\s*|\/\*[\s\S]*?\*\/\s*)*(create|drop|alter)\s+(?:or\s+replace\s+)?(?:temp(?:orary)?\s+)?(?:unique\s+)?(table|view|schema|index|sequence|macro|function|type)/i.exec(sql);
    if (m) {
      const cmd = `${m[1]!.toUpperCase()} ${m[2]!.toUpperCase()}`;
      return cmd === 'CREATE TABLE' && /\bas\s*\(?\s*(select|with|from|values)\b/i.test(sql) ? 'CREATE TABLE AS' : cmd;
    }
  }
  if (verb === 'END' || verb === 'ABORT') return verb === 'END' ? 'COMMIT' : 'ROLLBACK';
  if (verb === 'START') return 'BEGIN';
  return verb || 'SELECT';
}

/** PostgreSQL array text '{1,2}' → DuckDB list text '[1, 2]' for list parameters (simple arrays). */
function pgArrayToDuckDb(s: string): string {
  return s.startsWith('{') && s.endsWith('}') ? `[${s.slice(1, -1)}]` : s;
}

function toText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && v !== null && !(v instanceof Uint8Array)) return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
  return String(v);
}

/** Bind $1..$n in the value convention; DuckDB casts text to each parameter's declared type. */
function bindParams(p: DuckDBPreparedStatement, params: readonly unknown[]): void {
  if (params.length !== p.parameterCount) {
    throw qfError('QF_INVALID_PARAMETER', { detail: `statement has ${p.parameterCount} parameters but ${params.length} values were bound` }, { sqlstate: '08P01' });
  }
  for (let i = 0; i < params.length; i++) {
    const v = params[i];
    const idx = i + 1;
    if (v === null || v === undefined) p.bindNull(idx);
    else if (typeof v === 'boolean') p.bindBoolean(idx, v);
    else if (v instanceof Uint8Array) p.bindBlob(idx, v);
    else {
      let typeId: DuckDBTypeId | undefined;
      try {
        typeId = p.parameterTypeId(idx);
      } catch {
        typeId = undefined; // untyped parameter ($1 alone): bound as text
      }
      const s = toText(v);
      p.bindVarchar(idx, typeId === DuckDBTypeId.LIST || typeId === DuckDBTypeId.ARRAY ? pgArrayToDuckDb(s) : s);
    }
  }
}

class DuckDbStream implements ResultStream {
  readonly columns: readonly Column[];
  private readonly converters: readonly ValueConverter[];
  private readonly countOnly: boolean;
  private rows = 0;
  private done = false;
  private changed: number | undefined;

  constructor(
    private readonly result: DuckDBResult,
    private readonly command: string,
    private readonly release: () => void,
    private readonly onError: (err: unknown) => Error,
  ) {
    const type = result.statementType;
    this.countOnly = COUNT_ONLY.has(type);
    const noRows = this.countOnly || NO_ROWS.has(type);
    if (noRows) {
      this.columns = [];
      this.converters = [];
    } else {
      const names = result.columnNames();
      const mapped = result.columnTypes().map(mapDuckDbType);
      this.columns = names.map((name, i) => ({ name, type: mapped[i]!.type }));
      this.converters = mapped.map((m) => m.convert);
    }
    if (noRows && !this.countOnly) this.finish();
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.release();
  }

  async *batches(): AsyncIterable<Row[]> {
    if (this.done) return;
    try {
      if (this.countOnly) {
        this.changed = this.result.rowsChanged;
        // INSERT/UPDATE/DELETE return one 'Count' row; read it so the statement completes.
        const chunk = await this.result.fetchChunk();
        if (chunk && chunk.rowCount > 0 && chunk.columnCount > 0) this.changed = Number(chunk.getColumnValues(0)[0] ?? this.changed);
        return;
      }
      const conv = this.converters;
      const ncol = conv.length;
      for (;;) {
        const chunk = await this.result.fetchChunk();
        if (chunk === null || chunk.rowCount === 0) return;
        const n = chunk.rowCount;
        const batch: Row[] = new Array(n);
        for (let r = 0; r < n; r++) batch[r] = new Array(ncol);
        for (let c = 0; c < ncol; c++) {
          const values = chunk.getColumnValues(c);
          const f = conv[c]!;
          for (let r = 0; r < n; r++) {
            const v = values[r];
            batch[r]![c] = v === null || v === undefined ? null : f(v);
          }
        }
        this.rows += n;
        yield batch;
      }
    } catch (err) {
      throw this.onError(err);
    } finally {
      this.finish();
    }
  }

  summary(): StatementSummary {
    return { command: this.command, rowCount: this.countOnly ? this.changed : this.rows };
  }

  async close(): Promise<void> {
    // Releasing the connection is enough: its next statement discards this pending result.
    this.finish();
  }
}

/** A finished statement with no rows (answered without the engine). */
function emptyResult(command: string): ResultStream {
  return {
    columns: [],
    async *batches() {},
    summary: () => ({ command }),
    close: async () => undefined,
  };
}

/**
 * DuckDB has no savepoints. Drivers wrap metadata lookups in SAVEPOINT … RELEASE (psycopg's
 * TypeInfo, SQLAlchemy), so those two succeed as no-ops; ROLLBACK TO cannot be honoured and says so.
 */
function savepointCommand(sql: string): ResultStream | undefined {
  const verb = leadingVerb(sql);
  if (verb === 'SAVEPOINT') return emptyResult('SAVEPOINT');
  if (verb === 'RELEASE') return emptyResult('RELEASE');
  if (verb === 'ROLLBACK' && /^\s*rollback\s+(?:work\s+|transaction\s+)?to\b/i.test(sql)) {
    throw qfError('QF_FEATURE_NOT_SUPPORTED', { detail: 'ROLLBACK TO SAVEPOINT: DuckDB has no savepoints (roll back the whole transaction instead)' });
  }
  return undefined;
}

export class DuckDbEngine implements Engine {
  readonly kind = 'duckdb';
  readonly dialect = 'duckdb' as const;
  readonly capabilities = CAPABILITIES;
  private readonly idle: DuckDBConnection[] = [];
  private readonly pinned = new Map<SessionState, DuckDBConnection>();
  /**
   * Queries prepared on each connection, by SQL text. Extracting and preparing a statement costs
   * ≈ 45 µs of the gateway's CPU per query; a repeated query (dashboards, the same statement with
   * new parameters) is only executed again. DuckDB re-binds a prepared statement when the catalog
   * changed since (a column added, a table re-created), so a cached one never reads stale schema.
   */
  private readonly preparedBy = new WeakMap<DuckDBConnection, Map<string, DuckDBPreparedStatement>>();
  private closed = false;

  private constructor(
    readonly name: string,
    private readonly instance: DuckDBInstance,
    private readonly logger: Logger,
  ) {}

  /** Open the database and run the cluster's initSql files. */
  static async create(cluster: ResolvedCluster, logger: Logger): Promise<DuckDbEngine> {
    const path = cluster.databasePath ?? ':memory:';
    const instance = await DuckDBInstance.create(path);
    const engine = new DuckDbEngine(cluster.name, instance, logger);
    for (const file of cluster.initSql ?? []) {
      let sql: string;
      try {
        sql = readFileSync(file, 'utf8');
      } catch (err) {
        throw new Error(`cluster ${cluster.name}: cannot read initSql file ${file}: ${(err as Error).message}`);
      }
      const conn = await engine.connection(undefined);
      try {
        await conn.run(sql);
      } catch (err) {
        throw new Error(`cluster ${cluster.name}: initSql ${file} failed: ${mapDuckDbError(err).message}`);
      } finally {
        engine.giveBack(undefined, conn);
      }
    }
    logger.info({ path, initSql: cluster.initSql?.length ?? 0 }, 'duckdb ready');
    return engine;
  }

  private async connection(session: SessionState | undefined): Promise<DuckDBConnection> {
    if (this.closed) throw qfError('QF_ENGINE_UNAVAILABLE', { detail: `cluster ${this.name} is closed` });
    const pinned = session === undefined ? undefined : this.pinned.get(session);
    if (pinned !== undefined) return pinned;
    return this.idle.pop() ?? (await this.instance.connect());
  }

  private giveBack(session: SessionState | undefined, conn: DuckDBConnection): void {
    if (session !== undefined && this.pinned.get(session) === conn) return;
    if (this.closed || this.idle.length >= MAX_IDLE) this.closeConnection(conn);
    else this.idle.push(conn);
  }

  /** Close a connection and the statements prepared on it. */
  private closeConnection(conn: DuckDBConnection): void {
    const cached = this.preparedBy.get(conn);
    if (cached !== undefined) {
      for (const p of cached.values()) p.destroySync();
      this.preparedBy.delete(conn);
    }
    conn.closeSync();
  }

  /**
   * A query's prepared statement from the connection's cache, or prepared now and cached when it is
   * a single query (SELECT and the like). Undefined for anything else (the caller runs it directly).
   */
  private async preparedQuery(conn: DuckDBConnection, sql: string): Promise<DuckDBPreparedStatement | undefined> {
    let cached = this.preparedBy.get(conn);
    const hit = cached?.get(sql);
    if (hit !== undefined) {
      // Most recently used last.
      cached!.delete(sql);
      cached!.set(sql, hit);
      return hit;
    }
    const extracted = await conn.extractStatements(sql);
    if (extracted.count !== 1) return undefined;
    const p = await extracted.prepare(0);
    if (p.statementType !== StatementType.SELECT) {
      p.destroySync();
      return undefined;
    }
    if (cached === undefined) this.preparedBy.set(conn, (cached = new Map()));
    if (cached.size >= PREPARED_PER_CONNECTION) {
      const [oldestSql, oldest] = cached.entries().next().value as [string, DuckDBPreparedStatement];
      cached.delete(oldestSql);
      oldest.destroySync();
    }
    cached.set(sql, p);
    return p;
  }

  /** Forget a cached statement that failed (it is prepared afresh next time). */
  private dropPrepared(conn: DuckDBConnection, sql: string): void {
    const cached = this.preparedBy.get(conn);
    const p = cached?.get(sql);
    if (p === undefined) return;
    cached!.delete(sql);
    p.destroySync();
  }

  /** Keep the session's connection for an open transaction; unpin when it ends. */
  private trackTransaction(session: SessionState | undefined, verb: string, conn: DuckDBConnection): void {
    if (session === undefined) return;
    if (verb === 'BEGIN' || verb === 'START') this.pinned.set(session, conn);
    else if (TX_END.has(verb) && this.pinned.get(session) === conn) this.pinned.delete(session);
  }

  async execute(query: EngineQuery, signal?: AbortSignal): Promise<ResultStream> {
    if (signal?.aborted) throw qfError('QF_QUERY_CANCELED');
    const savepoint = savepointCommand(query.sql);
    if (savepoint !== undefined) return savepoint;
    const conn = await this.connection(query.session);
    const onAbort = () => conn.interrupt();
    // No { once }: a signal aborts once, and release() removes the listener (once costs ~0.4 µs a query).
    signal?.addEventListener('abort', onAbort);
    const verb = leadingVerb(query.sql);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      signal?.removeEventListener('abort', onAbort);
      this.giveBack(query.session, conn);
    };
    const onError = (err: unknown) => mapDuckDbError(err, query.sql, signal?.aborted === true);
    const params = query.params !== undefined && query.params.length > 0 ? query.params : undefined;
    let cachedUsed = false;
    try {
      let result: DuckDBResult;
      const cached = READ_VERBS.has(verb) ? await this.preparedQuery(conn, query.sql) : undefined;
      if (cached !== undefined) {
        cachedUsed = true;
        if (params !== undefined) bindParams(cached, params);
        else if (cached.parameterCount > 0) cached.clearBindings();
        result = await cached.stream();
      } else if (params !== undefined) {
        const prepared = await conn.prepare(query.sql);
        try {
          bindParams(prepared, params);
          result = await prepared.stream();
        } finally {
          prepared.destroySync();
        }
      } else {
        result = await conn.stream(query.sql);
      }
      this.trackTransaction(query.session, verb, conn);
      return new DuckDbStream(result, commandOf(query.sql, result.statementType), release, onError);
    } catch (err) {
      if (cachedUsed) this.dropPrepared(conn, query.sql);
      // A failed statement inside a transaction leaves DuckDB's transaction aborted; keep the pin.
      release();
      throw onError(err);
    }
  }

  async describe(query: EngineQuery): Promise<StatementDescription> {
    const conn = await this.connection(query.session);
    try {
      const p = await conn.prepare(query.sql);
      const params: SqlType[] = [];
      for (let i = 1; i <= p.parameterCount; i++) {
        try {
          params.push(mapDuckDbType(p.parameterType(i)).type);
        } catch {
          params.push({ kind: 'text' });
        }
      }
      const type = p.statementType;
      const columns: Column[] = [];
      if (!COUNT_ONLY.has(type) && !NO_ROWS.has(type)) {
        for (let i = 0; i < p.columnCount; i++) columns.push({ name: p.columnName(i), type: mapDuckDbType(p.columnType(i)).type });
      }
      p.destroySync();
      return { params, columns };
    } catch (err) {
      throw mapDuckDbError(err, query.sql);
    } finally {
      this.giveBack(query.session, conn);
    }
  }

  async endSession(session: SessionState): Promise<void> {
    const conn = this.pinned.get(session);
    if (conn === undefined) return;
    this.pinned.delete(session);
    try {
      await conn.run('ROLLBACK');
    } catch {
      /* no transaction open any more */
    }
    this.giveBack(undefined, conn);
  }

  async health(): Promise<HealthStatus> {
    const t0 = performance.now();
    try {
      const conn = await this.connection(undefined);
      try {
        await conn.run('select 1');
      } finally {
        this.giveBack(undefined, conn);
      }
      return { healthy: true, latencyMs: performance.now() - t0 };
    } catch (err) {
      return { healthy: false, latencyMs: performance.now() - t0, message: (err as Error).message };
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.idle.splice(0)) this.closeConnection(c);
    for (const c of this.pinned.values()) this.closeConnection(c);
    this.pinned.clear();
    this.instance.closeSync();
    this.logger.debug('duckdb closed');
  }
}
