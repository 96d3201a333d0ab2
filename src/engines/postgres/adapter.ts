/**
 * PostgreSQL engine: pg opens, authenticates and pools the backend connections; the query cycle is
 * spoken by wire.ts. Rows stream as DataRows arrive (one round trip, no cursor) and are kept as the
 * received bytes — handed on unchanged to PostgreSQL clients reading text (pgDataRows), decoded for
 * everyone else; backpressure by pausing the backend socket (rows or bytes held), parameters as
 * text (bytes as binary), Describe without executing, cancel through a CancelRequest, transactions
 * pinned per session.
 */
import { connect as netConnect, type Socket } from 'node:net';
import pg from 'pg';
import type { Logger } from 'pino';
import { leadingVerb } from '../../analysis/lexical.js';
import type { ResolvedCluster } from '../../config/load.js';
import { QueryFluxError, qfError } from '../../core/errors.js';
import type { Column, PgDataRows, ResultStream, Row, SessionState, StatementSummary } from '../../core/types.js';
import { DEFAULT_CAPABILITIES, type Engine, type EngineCapabilities, type EngineQuery, type HealthStatus, type StatementDescription } from '../engine.js';
import { mapPgType, pgParamType, type FieldConverter } from './types.js';
import { BackendWire, decodeDataRows, type BackendError, type WireField, type WireHandler } from './wire.js';

const CAPABILITIES: EngineCapabilities = { ...DEFAULT_CAPABILITIES, transactions: true, prepared: true, cancel: true, placeholders: 'dollar' };
const TX_END = new Set(['COMMIT', 'END', 'ROLLBACK', 'ABORT']);
/** Rows buffered before the backend socket is paused. */
const HIGH_WATER = 8192;
/** Bytes of received rows held before the backend socket is paused (large rows hit this before HIGH_WATER). */
const HIGH_WATER_BYTES = 8 * 1024 * 1024;
const BATCH = 1024;

// Every type arrives as its text (or null): rows pass to text frontends without a parse/format trip.
const RAW_TYPES = { getTypeParser: () => (v: string) => v } as unknown as pg.CustomTypesConfig;

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
  readonly fields: readonly WireField[];
  readonly columns: readonly Column[];
  readonly converters: readonly FieldConverter[];
  readonly hasConverters: boolean;
}

/** The last result shape seen on one backend connection (statements repeat: reuse it). */
interface ShapeCache {
  last: ResultShape | undefined;
  /** The last CommandComplete tag and its summary (`SELECT 1` repeats). */
  lastTag?: string;
  lastSummary?: StatementSummary;
}

const NO_CONVERTERS: readonly FieldConverter[] = Object.freeze([]);

function resultShape(fields: readonly WireField[]): ResultShape {
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

function sameFields(a: readonly WireField[], b: readonly WireField[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.dataTypeID !== y.dataTypeID || x.dataTypeModifier !== y.dataTypeModifier || x.name !== y.name) return false;
  }
  return true;
}

/** A run of DataRow messages as received: chunk[start, end), `rows` of them. */
interface Segment {
  readonly chunk: Buffer;
  readonly start: number;
  readonly end: number;
  readonly rows: number;
}

/**
 * A statement in flight on one backend connection: the wire calls the handler methods as
 * messages arrive; DataRows queue here as received slices until the consumer pulls them,
 * decoded to values (batches) or as they are (PostgreSQL text DataRows).
 */
class StatementRun implements WireHandler {
  columns: readonly Column[] | undefined;
  private converters: readonly FieldConverter[] = NO_CONVERTERS;
  hasConverters = false;
  private segments: Segment[] = [];
  private queuedRows = 0;
  private queuedBytes = 0;
  private failure: QueryFluxError | undefined;
  private finished = false;
  private command = '';
  private rowCount: number | undefined;
  private wake: (() => void) | undefined;
  readonly started: Promise<void>;
  private startResolve!: () => void;
  private startReject!: (e: Error) => void;

  constructor(
    private readonly wire: BackendWire,
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

  rowDescription(fields: WireField[]): void {
    let shape = this.shapes.last;
    if (shape === undefined || !sameFields(shape.fields, fields)) this.shapes.last = shape = resultShape(fields);
    this.columns = shape.columns;
    this.converters = shape.converters;
    this.hasConverters = shape.hasConverters;
    this.startResolve();
  }

  dataRows(chunk: Buffer, start: number, end: number, rows: number): void {
    this.segments.push({ chunk, start, end, rows });
    this.queuedRows += rows;
    this.queuedBytes += end - start;
    if (this.queuedRows >= HIGH_WATER || this.queuedBytes >= HIGH_WATER_BYTES) this.wire.pause();
    this.notify();
  }

  commandComplete(text: string): void {
    const cache = this.shapes;
    if (cache.lastTag === text) {
      this.command = cache.lastSummary!.command;
      this.rowCount = cache.lastSummary!.rowCount;
      return;
    }
    this.parseTag(text);
    cache.lastTag = text;
    cache.lastSummary = { command: this.command, rowCount: this.rowCount };
  }

  private parseTag(text: string): void {
    const parts = text.split(' ');
    const last = Number(parts[parts.length - 1]);
    if (Number.isInteger(last) && parts.length > 1) {
      this.rowCount = last;
      this.command = (parts[0] === 'INSERT' ? ['INSERT'] : parts.slice(0, -1)).join(' ');
    } else this.command = text;
  }

  emptyQuery(): void {
    this.command = '';
  }

  // The statement has failed; ReadyForQuery still follows (the connection stays in step).
  error(err: BackendError): void {
    this.failure ??= mapPgError(err);
    this.startReject(this.failure);
    this.notify();
  }

  readyForQuery(): void {
    this.finished = true;
    if (this.columns === undefined) this.columns = [];
    if (this.failure) this.startReject(this.failure);
    else this.startResolve();
    this.wire.resume();
    this.notify();
  }

  failed(err: Error): void {
    this.failure ??= mapPgError(err);
    this.finished = true;
    this.startReject(this.failure);
    this.notify();
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private take(): Segment {
    const seg = this.segments.shift()!;
    this.queuedRows -= seg.rows;
    this.queuedBytes -= seg.end - seg.start;
    if (this.queuedRows < HIGH_WATER / 2 && this.queuedBytes < HIGH_WATER_BYTES / 2) this.wire.resume();
    return seg;
  }

  /** Next batch of decoded rows, or undefined at the end; rejects with the statement's error. */
  next(): Promise<Row[] | undefined> {
    // Not an async function: rows that are already here (the usual case) cost one resolved promise.
    if (this.segments.length > 0) {
      const rows: (string | null)[][] = [];
      while (this.segments.length > 0 && rows.length < BATCH) {
        const seg = this.take();
        decodeDataRows(seg.chunk, seg.start, seg.end, rows);
      }
      if (this.hasConverters) {
        const conv = this.converters;
        for (const row of rows as unknown[][]) {
          for (let i = 0; i < row.length; i++) {
            const f = conv[i];
            if (f !== undefined && row[i] !== null) row[i] = f(row[i] as string);
          }
        }
      }
      return Promise.resolve(rows);
    }
    // An error is reported once the backend is back at ReadyForQuery: the connection is then
    // idle again and nothing needs cancelling.
    if (this.finished) return this.failure ? Promise.reject(this.failure) : Promise.resolve(undefined);
    return new Promise<void>((r) => (this.wake = r)).then(() => this.next());
  }

  /** Next run of DataRow messages as received, or undefined at the end. */
  nextRaw(): Promise<PgDataRows | undefined> {
    if (this.segments.length > 0) {
      const seg = this.take();
      return Promise.resolve({ bytes: seg.chunk.subarray(seg.start, seg.end), rows: seg.rows });
    }
    if (this.finished) return this.failure ? Promise.reject(this.failure) : Promise.resolve(undefined);
    return new Promise<void>((r) => (this.wake = r)).then(() => this.nextRaw());
  }

  get done(): boolean {
    return this.finished;
  }

  summary(): StatementSummary {
    return { command: this.command, rowCount: this.rowCount };
  }
}

const DONE: IteratorResult<never> = Object.freeze({ value: undefined, done: true });

class PgStream implements ResultStream {
  private closed = false;
  /** Present when rows can go to a PostgreSQL client as the backend sent them (no converted types). */
  readonly pgDataRows: (() => AsyncIterable<PgDataRows>) | undefined;

  constructor(
    readonly columns: readonly Column[],
    private readonly run: StatementRun,
    private readonly release: (discard: boolean) => void,
    private readonly cancel: () => Promise<void>,
  ) {
    if (run.done && columns.length === 0) this.finish(false);
    this.pgDataRows = run.hasConverters ? undefined : () => this.iterate(() => this.run.nextRaw());
  }

  private finish(discard: boolean): void {
    if (this.closed) return;
    this.closed = true;
    this.release(discard);
  }

  batches(): AsyncIterable<Row[]> {
    return this.iterate(() => this.run.next());
  }

  /** A plain iterator, not an async generator: one promise per batch instead of a generator's queue. */
  private iterate<T>(pull: () => Promise<T | undefined>): AsyncIterable<T> {
    let ended = false;
    const end = async (): Promise<void> => {
      ended = true;
      if (!this.run.done) await this.abandon();
      else this.finish(false);
    };
    const iterator: AsyncIterator<T> = {
      next: () => {
        if (ended) return Promise.resolve(DONE);
        return pull().then(
          (batch): IteratorResult<T> => {
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
      while ((await this.run.nextRaw()) !== undefined);
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

/** A statement whose outcome is all that matters (health checks, session clean-up). */
class SimpleRun implements WireHandler {
  readonly done: Promise<void>;
  private resolve!: () => void;
  private reject!: (e: Error) => void;
  private err: QueryFluxError | undefined;

  constructor() {
    this.done = new Promise((res, rej) => {
      this.resolve = res;
      this.reject = rej;
    });
    this.done.catch(() => undefined);
  }

  error(err: BackendError): void {
    this.err ??= mapPgError(err);
  }

  readyForQuery(): void {
    if (this.err) this.reject(this.err);
    else this.resolve();
  }

  failed(err: Error): void {
    this.reject(mapPgError(err));
  }

  rowDescription(_fields: WireField[]): void {}
  dataRows(): void {}
  commandComplete(): void {}
  emptyQuery(): void {}
}

/** Parse + Describe statement on the unnamed statement, without binding or executing. */
class DescribeRun extends SimpleRun {
  params: number[] = [];
  columns: WireField[] = [];

  parameterDescription(oids: number[]): void {
    this.params = oids;
  }

  override rowDescription(fields: WireField[]): void {
    this.columns = fields;
  }
}

type PoolClient = pg.PoolClient & { processID: number | null; secretKey: number | null; connection: { stream: Socket } };

export class PostgresEngine implements Engine {
  readonly kind = 'postgres';
  readonly dialect = 'postgres' as const;
  readonly capabilities = CAPABILITIES;
  private readonly pinned = new Map<SessionState, PoolClient>();
  private readonly watched = new WeakSet<PoolClient>();
  private readonly shapes = new WeakMap<PoolClient, ShapeCache>();
  /** The query cycle of each backend connection, spoken directly (wire.ts); pg only connects. */
  private readonly wires = new WeakMap<PoolClient, BackendWire>();
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

  /** The connection's wire, taken over from pg at its first statement. */
  private wireOf(client: PoolClient): BackendWire {
    let wire = this.wires.get(client);
    if (wire === undefined) this.wires.set(client, (wire = BackendWire.attach(client.connection.stream)));
    return wire;
  }

  private giveBack(session: SessionState | undefined, client: PoolClient, discard: boolean): void {
    if (session !== undefined && this.pinned.get(session) === client) {
      if (!discard) return;
      this.pinned.delete(session);
    }
    // pg marks a client whose socket failed as not queryable: never keep one of those.
    const broken =
      this.wires.get(client)?.broken === true ||
      (client as unknown as { _queryable?: boolean; _ending?: boolean })._queryable === false ||
      (client as unknown as { _ending?: boolean })._ending === true;
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
    const wire = this.wireOf(client);
    const run = new StatementRun(wire, shapes);
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
    let params: (string | Buffer | null)[] | undefined;
    try {
      params = query.params !== undefined && query.params.length > 0 ? query.params.map(paramText) : undefined;
    } catch (err) {
      release(false);
      throw qfError('QF_INVALID_PARAMETER', { detail: (err as Error).message }, { cause: err });
    }
    // Simple protocol without parameters (one round trip, several statements allowed); else one extended batch.
    if (params === undefined) wire.query(query.sql, run);
    else wire.execute(query.sql, params, run);
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
    const d = new DescribeRun();
    try {
      this.wireOf(client).describe(query.sql, d);
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
      const r = new SimpleRun();
      this.wireOf(client).query('ROLLBACK', r);
      await r.done;
      this.giveBack(undefined, client, false);
    } catch {
      client.release(true);
    }
  }

  async health(): Promise<HealthStatus> {
    const t0 = performance.now();
    try {
      const client = await this.client(undefined);
      let discard = false;
      try {
        const r = new SimpleRun();
        this.wireOf(client).query('select 1', r);
        await r.done.catch((err: unknown) => {
          discard = (err as { code?: string }).code === 'QF_ENGINE_UNAVAILABLE';
          throw err;
        });
      } finally {
        this.giveBack(undefined, client, discard);
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
