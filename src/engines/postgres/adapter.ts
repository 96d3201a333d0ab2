/**
 * PostgreSQL engine (pg): a pool of backend connections, rows streamed as DataRows arrive
 * (one round trip, no cursor), backpressure by pausing the backend socket, parameters as text,
 * Describe without executing, cancel through a CancelRequest, transactions pinned per session.
 */
import { connect as netConnect } from 'node:net';
import pg from 'pg';
import type { Logger } from 'pino';
import { leadingVerb } from '../../analysis/lexical.js';
import type { ResolvedCluster } from '../../config/load.js';
import { QueryFluxError, qfError } from '../../core/errors.js';
import type { Column, ResultStream, Row, SessionState, StatementSummary } from '../../core/types.js';
import { DEFAULT_CAPABILITIES, type Engine, type EngineCapabilities, type EngineQuery, type HealthStatus, type StatementDescription } from '../engine.js';
import { mapPgType, pgParamType, type FieldConverter } from './types.js';

const CAPABILITIES: EngineCapabilities = { ...DEFAULT_CAPABILITIES, transactions: true, prepared: true, cancel: true, placeholders: 'dollar' };
const TX_END = new Set(['COMMIT', 'END', 'ROLLBACK', 'ABORT']);
/** Rows buffered before the backend socket is paused. */
const HIGH_WATER = 8192;
const BATCH = 1024;

// Every type arrives as its text (or null): rows pass to text frontends without a parse/format trip.
const RAW_TYPES = { getTypeParser: () => (v: string) => v } as unknown as pg.CustomTypesConfig;

interface PgConnection {
  stream: NodeJS.ReadableStream & { pause(): void; resume(): void; cork?(): void; uncork?(): void };
  parse(q: { text: string; name?: string; types?: number[] }): void;
  bind(c: { values: unknown[]; portal?: string; statement?: string }): void;
  describe(m: { type: 'S' | 'P'; name?: string }): void;
  execute(c: { portal?: string; rows?: number }): void;
  sync(): void;
  query(text: string): void;
  on(event: string, fn: (msg: unknown) => void): void;
  removeListener(event: string, fn: (msg: unknown) => void): void;
}

interface PgField {
  name: string;
  dataTypeID: number;
  dataTypeModifier: number;
}

interface PgError extends Error {
  code?: string;
  position?: string;
  hint?: string;
  detail?: string;
}

/** Map a pg / socket error to the registry. */
export function mapPgError(err: unknown): QueryFluxError {
  if (err instanceof QueryFluxError) return err;
  const e = err as PgError;
  const code = e.code;
  if (code === '57014') return qfError('QF_QUERY_CANCELED');
  if (code !== undefined && /^[0-9A-Z]{5}$/.test(code)) {
    const extras = { sqlstate: code, position: e.position ? Number(e.position) : undefined, hint: e.hint, detail: e.detail, cause: err };
    if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03') return qfError('QF_ENGINE_UNAVAILABLE', { detail: e.message }, extras);
    return new QueryFluxError(code === '42601' ? 'QF_SYNTAX_ERROR' : 'QF_ENGINE_ERROR', e.message, extras);
  }
  return qfError('QF_ENGINE_UNAVAILABLE', { detail: e?.message ?? String(err) }, { cause: err });
}

/**
 * Parameter values in the convention → what pg's Connection.bind can send: text, bytes or null.
 * Connection.bind is below pg's own value preparation, so this must never hand it anything else
 * (an array reaching it throws inside pg with the statement half written and kills the connection).
 */
export function paramText(v: unknown): string | Buffer | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint' || typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  if (Array.isArray(v)) return arrayLiteral(v);
  if (v instanceof Date) return v.toISOString();
  return jsonText(v);
}

/** A (nested) list → PostgreSQL array text, as pg's prepareValue writes it: every element quoted. */
function arrayLiteral(list: readonly unknown[]): string {
  let out = '{';
  for (let i = 0; i < list.length; i++) {
    if (i > 0) out += ',';
    const x = list[i];
    if (x === null || x === undefined) out += 'NULL';
    else if (Array.isArray(x)) out += arrayLiteral(x);
    else {
      const t = x instanceof Uint8Array ? `\\x${Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString('hex')}` : (paramText(x) as string);
      out += `"${t.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
    }
  }
  return out + '}';
}

function jsonText(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x instanceof Uint8Array ? `\\x${Buffer.from(x).toString('hex')}` : x));
}

/** Columns and converters of one RowDescription. */
interface ResultShape {
  readonly fields: readonly PgField[];
  readonly columns: readonly Column[];
  readonly converters: readonly FieldConverter[];
  readonly hasConverters: boolean;
}

/** The last result shape seen on one backend connection (statements repeat: reuse it). */
interface ShapeCache {
  last: ResultShape | undefined;
}

const NO_CONVERTERS: readonly FieldConverter[] = Object.freeze([]);

function resultShape(fields: readonly PgField[]): ResultShape {
  const columns: Column[] = [];
  const converters: FieldConverter[] = [];
  let hasConverters = false;
  for (const f of fields) {
    const m = mapPgType(f.dataTypeID, f.dataTypeModifier);
    columns.push({ name: f.name, type: m.type });
    converters.push(m.convert);
    if (m.convert !== undefined) hasConverters = true;
  }
  return { fields, columns, converters, hasConverters };
}

function sameFields(a: readonly PgField[], b: readonly PgField[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.dataTypeID !== y.dataTypeID || x.dataTypeModifier !== y.dataTypeModifier || x.name !== y.name) return false;
  }
  return true;
}

/**
 * A statement in flight on one backend connection: pg calls the handle* methods as messages
 * arrive; rows queue here until the consumer pulls them.
 */
class StatementRun {
  columns: readonly Column[] | undefined;
  private converters: readonly FieldConverter[] = NO_CONVERTERS;
  private hasConverters = false;
  private queue: Row[] = [];
  private error: QueryFluxError | undefined;
  private finished = false;
  private command = '';
  private rowCount: number | undefined;
  private paused = false;
  private wake: (() => void) | undefined;
  private connection: PgConnection | undefined;
  readonly started: Promise<void>;
  private startResolve!: () => void;
  private startReject!: (e: Error) => void;

  constructor(
    private readonly text: string,
    private readonly values: unknown[] | undefined,
    private readonly shapes: ShapeCache,
  ) {
    this.started = new Promise((res, rej) => {
      this.startResolve = res;
      this.startReject = rej;
    });
    // execute() awaits `started` only until it returns the stream; an error that comes later
    // (or after execute gave up) is read through next(), so this rejection is never unhandled.
    this.started.catch(() => undefined);
  }

  /** pg Submittable: write the statement. Simple protocol without parameters; else one extended batch. */
  submit(connection: PgConnection): void {
    this.connection = connection;
    if (this.values === undefined) {
      connection.query(this.text);
      return;
    }
    connection.stream.cork?.();
    try {
      connection.parse({ text: this.text, types: [] });
      connection.bind({ values: this.values });
      connection.describe({ type: 'P' });
      connection.execute({ rows: 0 });
      connection.sync();
    } finally {
      connection.stream.uncork?.();
    }
  }

  handleRowDescription(msg: { fields: PgField[] }): void {
    let shape = this.shapes.last;
    if (shape === undefined || !sameFields(shape.fields, msg.fields)) this.shapes.last = shape = resultShape(msg.fields);
    this.columns = shape.columns;
    this.converters = shape.converters;
    this.hasConverters = shape.hasConverters;
    this.startResolve();
  }

  handleDataRow(msg: { fields: (string | null)[] }): void {
    const row: unknown[] = msg.fields;
    if (this.hasConverters) {
      for (let i = 0; i < row.length; i++) {
        const f = this.converters[i];
        if (f !== undefined && row[i] !== null) row[i] = f(row[i] as string);
      }
    }
    this.queue.push(row);
    if (this.queue.length >= HIGH_WATER && !this.paused && this.connection) {
      this.paused = true;
      this.connection.stream.pause();
    }
    this.notify();
  }

  handleCommandComplete(msg: { text: string }): void {
    const parts = msg.text.split(' ');
    const last = Number(parts[parts.length - 1]);
    if (Number.isInteger(last) && parts.length > 1) {
      this.rowCount = last;
      this.command = (parts[0] === 'INSERT' ? ['INSERT'] : parts.slice(0, -1)).join(' ');
    } else this.command = msg.text;
  }

  handleEmptyQuery(): void {
    this.command = '';
  }

  handlePortalSuspended(): void {}

  handleCopyInResponse(connection: { sendCopyFail(msg: string): void }): void {
    connection.sendCopyFail('COPY FROM STDIN is not supported through QueryFlux');
  }

  handleCopyData(): void {}

  // pg ends the active query on an error: handleReadyForQuery will not follow, so this is final.
  handleError(err: Error): void {
    this.error ??= mapPgError(err);
    this.startReject(this.error);
    this.resume();
    this.notify();
  }

  handleReadyForQuery(): void {
    this.finished = true;
    if (this.columns === undefined) this.columns = [];
    if (this.error) this.startReject(this.error);
    else this.startResolve();
    this.resume();
    this.notify();
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private resume(): void {
    if (this.paused && this.connection) {
      this.paused = false;
      this.connection.stream.resume();
    }
  }

  /** Next batch of rows, or undefined at the end; rejects with the statement's error. */
  next(): Promise<Row[] | undefined> {
    // Not an async function: rows that are already here (the usual case) cost one resolved promise.
    if (this.queue.length > 0) {
      const batch = this.queue.length <= BATCH ? this.queue : this.queue.splice(0, BATCH);
      if (batch === this.queue) this.queue = [];
      if (this.queue.length < HIGH_WATER / 2) this.resume();
      return Promise.resolve(batch);
    }
    if (this.error) return Promise.reject(this.error);
    if (this.finished) return Promise.resolve(undefined);
    return new Promise<void>((r) => (this.wake = r)).then(() => this.next());
  }

  get done(): boolean {
    return this.finished;
  }

  summary(): StatementSummary {
    return { command: this.command, rowCount: this.rowCount };
  }
}

const DONE: IteratorResult<Row[]> = Object.freeze({ value: undefined, done: true });

class PgStream implements ResultStream {
  private closed = false;

  constructor(
    readonly columns: readonly Column[],
    private readonly run: StatementRun,
    private readonly release: (discard: boolean) => void,
    private readonly cancel: () => Promise<void>,
  ) {
    if (run.done && columns.length === 0) this.finish(false);
  }

  private finish(discard: boolean): void {
    if (this.closed) return;
    this.closed = true;
    this.release(discard);
  }

  /** A plain iterator, not an async generator: one promise per batch instead of a generator's queue. */
  batches(): AsyncIterable<Row[]> {
    let ended = false;
    const end = async (): Promise<void> => {
      ended = true;
      if (!this.run.done) await this.abandon();
      else this.finish(false);
    };
    const iterator: AsyncIterator<Row[]> = {
      next: () => {
        if (ended) return Promise.resolve(DONE);
        return this.run.next().then(
          (batch): IteratorResult<Row[]> => {
            if (batch !== undefined) return { value: batch, done: false };
            ended = true;
            this.finish(false);
            return DONE;
          },
          async (err: unknown) => {
            await end();
            throw err;
          },
        );
      },
      // The consumer stopped early (break, or a thrown error in its loop).
      return: async () => {
        if (!ended) await end();
        return DONE;
      },
    };
    return { [Symbol.asyncIterator]: () => iterator };
  }

  /** The consumer stopped early: cancel on the backend and drain, so the connection is reusable. */
  private async abandon(): Promise<void> {
    if (this.closed) return;
    await this.cancel().catch(() => undefined);
    try {
      while ((await this.run.next()) !== undefined);
    } catch {
      /* the cancel error is expected */
    }
    this.finish(false);
  }

  summary(): StatementSummary {
    return this.run.summary();
  }

  async close(): Promise<void> {
    if (this.run.done) this.finish(false);
    else await this.abandon();
  }
}

/** Parse + Describe statement on the unnamed statement, without binding or executing. */
class DescribeRun {
  params: number[] = [];
  columns: PgField[] = [];
  readonly done: Promise<void>;
  private resolve!: () => void;
  private reject!: (e: Error) => void;
  private onParams = (msg: unknown) => (this.params = (msg as { dataTypeIDs: number[] }).dataTypeIDs);
  private connection: PgConnection | undefined;

  constructor(private readonly text: string) {
    this.done = new Promise((res, rej) => {
      this.resolve = res;
      this.reject = rej;
    });
  }

  submit(connection: PgConnection): void {
    this.connection = connection;
    connection.on('parameterDescription', this.onParams);
    connection.stream.cork?.();
    connection.parse({ text: this.text, types: [] });
    connection.describe({ type: 'S' });
    connection.sync();
    connection.stream.uncork?.();
  }

  handleRowDescription(msg: { fields: PgField[] }): void {
    this.columns = msg.fields;
  }

  // pg treats an error as the end of the active query (it never calls handleReadyForQuery after it).
  handleError(err: Error): void {
    this.connection?.removeListener('parameterDescription', this.onParams);
    this.reject(mapPgError(err));
  }

  handleReadyForQuery(): void {
    this.connection?.removeListener('parameterDescription', this.onParams);
    this.resolve();
  }

  handleDataRow(): void {}
  handleCommandComplete(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
}

type PoolClient = pg.PoolClient & { processID: number | null; secretKey: number | null; connection: PgConnection };

export class PostgresEngine implements Engine {
  readonly kind = 'postgres';
  readonly dialect = 'postgres' as const;
  readonly capabilities = CAPABILITIES;
  private readonly pinned = new Map<SessionState, PoolClient>();
  private readonly watched = new WeakSet<PoolClient>();
  private readonly shapes = new WeakMap<PoolClient, ShapeCache>();
  /** Healthy clients kept checked out between statements (at most the pool size). */
  private readonly idle: PoolClient[] = [];
  private closing = false;
  private readonly target: { host: string; port: number };

  private constructor(
    readonly name: string,
    private readonly pool: pg.Pool,
    private readonly logger: Logger,
    config: pg.PoolConfig,
  ) {
    this.target = { host: config.host ?? '127.0.0.1', port: config.port ?? 5432 };
  }

  /** Build the pool from endpoint or discrete fields; a backend that is down is logged, not fatal. */
  static async create(cluster: ResolvedCluster, logger: Logger): Promise<PostgresEngine> {
    const fromUrl: pg.PoolConfig = cluster.endpoint ? parseEndpoint(cluster.endpoint) : {};
    const config: pg.PoolConfig = {
      ...fromUrl,
      host: cluster.host ?? fromUrl.host ?? '127.0.0.1',
      port: cluster.port ?? fromUrl.port ?? 5432,
      user: cluster.user ?? fromUrl.user,
      password: cluster.password ?? fromUrl.password,
      database: cluster.database ?? fromUrl.database,
      max: cluster.poolSize ?? 10,
      types: RAW_TYPES,
      application_name: 'queryflux',
    };
    const pool = new pg.Pool(config);
    // An idle backend connection that dies must not crash the gateway.
    pool.on('error', (err) => logger.warn({ err: err.message }, 'idle backend connection failed'));
    const engine = new PostgresEngine(cluster.name, pool, logger, config);
    const h = await engine.health();
    if (!h.healthy) logger.warn({ host: config.host, port: config.port, err: h.message }, 'postgres backend not reachable at start');
    else logger.info({ host: config.host, port: config.port, database: config.database }, 'postgres ready');
    return engine;
  }

  private async client(session: SessionState | undefined): Promise<PoolClient> {
    const pinned = session === undefined ? undefined : this.pinned.get(session);
    if (pinned !== undefined) return pinned;
    // Reuse an idle checked-out client without pg-pool's promise round (hot path).
    const idle = this.idle.pop();
    if (idle !== undefined) return idle;
    let client: PoolClient;
    try {
      client = (await this.pool.connect()) as PoolClient;
    } catch (err) {
      throw mapPgError(err);
    }
    if (!this.watched.has(client)) {
      // A checked-out client whose backend dies emits 'error'; the running statement already
      // fails through handleError, so this only keeps the event from crashing the process.
      this.watched.add(client);
      client.on('error', (err) => {
        this.logger.warn({ err: err.message }, 'backend connection failed');
        // A dead idle client must not be handed to the next statement.
        const i = this.idle.indexOf(client);
        if (i >= 0) {
          this.idle.splice(i, 1);
          client.release(true);
        }
      });
    }
    return client;
  }

  private giveBack(session: SessionState | undefined, client: PoolClient, discard: boolean): void {
    if (session !== undefined && this.pinned.get(session) === client) {
      if (!discard) return;
      this.pinned.delete(session);
    }
    // pg marks a client whose socket failed as not queryable: never keep one of those.
    const broken = (client as unknown as { _queryable?: boolean; _ending?: boolean })._queryable === false || (client as unknown as { _ending?: boolean })._ending === true;
    if (discard || broken || this.closing) client.release(discard || broken ? true : undefined);
    else this.idle.push(client);
  }

  /** Send a CancelRequest for whatever `client` is running. */
  private cancelOn(client: PoolClient): Promise<void> {
    return new Promise((resolve) => {
      if (client.processID === null || client.secretKey === null) return resolve();
      const buf = Buffer.alloc(16);
      buf.writeInt32BE(16, 0);
      buf.writeInt32BE(80877102, 4);
      buf.writeInt32BE(client.processID, 8);
      buf.writeInt32BE(client.secretKey, 12);
      const sock = netConnect(this.target.port, this.target.host, () => sock.end(buf));
      sock.on('error', () => resolve());
      sock.on('close', () => resolve());
    });
  }

  async execute(query: EngineQuery, signal?: AbortSignal): Promise<ResultStream> {
    if (signal?.aborted) throw qfError('QF_QUERY_CANCELED');
    const client = await this.client(query.session);
    const verb = leadingVerb(query.sql);
    let shapes = this.shapes.get(client);
    if (shapes === undefined) this.shapes.set(client, (shapes = { last: undefined }));
    const run = new StatementRun(query.sql, query.params !== undefined && query.params.length > 0 ? query.params.map(paramText) : undefined, shapes);
    const onAbort = () => void this.cancelOn(client);
    // No { once }: a signal aborts once, and release() removes the listener (once costs ~0.4 µs a query).
    signal?.addEventListener('abort', onAbort);
    let released = false;
    const release = (discard: boolean) => {
      if (released) return;
      released = true;
      signal?.removeEventListener('abort', onAbort);
      if (query.session !== undefined) {
        if (verb === 'BEGIN' || verb === 'START') this.pinned.set(query.session, client);
        else if (TX_END.has(verb)) this.pinned.delete(query.session);
      }
      this.giveBack(query.session, client, discard);
    };
    try {
      client.query(run as unknown as pg.QueryConfig);
    } catch (err) {
      // pg could not even write the statement (a value it cannot serialise): the client's input is
      // at fault, not the backend; the connection's protocol state is unknown, so it is discarded.
      release(true);
      throw qfError('QF_INVALID_PARAMETER', { detail: (err as Error).message }, { cause: err });
    }
    try {
      await run.started;
    } catch (err) {
      const e = mapPgError(err);
      // The statement failed; the connection stays usable unless the backend itself went away.
      release(e.code === 'QF_ENGINE_UNAVAILABLE');
      throw e;
    }
    return new PgStream(run.columns ?? [], run, release, () => this.cancelOn(client));
  }

  async describe(query: EngineQuery): Promise<StatementDescription> {
    const client = await this.client(query.session);
    const d = new DescribeRun(query.sql);
    try {
      client.query(d as unknown as pg.QueryConfig);
      await d.done;
      return {
        params: d.params.map(pgParamType),
        columns: d.columns.map((f) => ({ name: f.name, type: mapPgType(f.dataTypeID, f.dataTypeModifier).type })),
      };
    } finally {
      this.giveBack(query.session, client, false);
    }
  }

  async endSession(session: SessionState): Promise<void> {
    const client = this.pinned.get(session);
    if (client === undefined) return;
    this.pinned.delete(session);
    try {
      await client.query('ROLLBACK');
      client.release();
    } catch {
      client.release(true);
    }
  }

  async health(): Promise<HealthStatus> {
    const t0 = performance.now();
    try {
      const client = await this.client(undefined);
      try {
        await client.query('select 1');
      } finally {
        this.giveBack(undefined, client, false);
      }
      return { healthy: true, latencyMs: performance.now() - t0 };
    } catch (err) {
      return { healthy: false, latencyMs: performance.now() - t0, message: (err as Error).message };
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const c of this.idle.splice(0)) c.release();
    for (const c of this.pinned.values()) c.release(true);
    this.pinned.clear();
    await this.pool.end();
    this.logger.debug('postgres pool closed');
  }
}

function parseEndpoint(endpoint: string): pg.PoolConfig {
  try {
    const u = new URL(endpoint);
    return {
      host: u.hostname || undefined,
      port: u.port ? Number(u.port) : undefined,
      user: u.username ? decodeURIComponent(u.username) : undefined,
      password: u.password ? decodeURIComponent(u.password) : undefined,
      database: u.pathname.length > 1 ? decodeURIComponent(u.pathname.slice(1)) : undefined,
    };
  } catch {
    throw new Error(`postgres endpoint is not a URL (postgres://user:password@host:port/db): ${endpoint.replace(/:[^:@/]*@/, ':***@')}`);
  }
}
