/**
 * One client connection: startup (SSL/GSS negotiation, cancel requests), authentication, then
 * the simple and extended query protocols, driven by one sequential message loop. Rows stream
 * from the gateway to the socket batch by batch with backpressure; nothing buffers a whole result.
 */
import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import type { Logger } from 'pino';
import { qfError, QueryFluxError, toQueryFluxError } from '../../core/errors.js';
import type { Gateway } from '../../core/gateway.js';
import { newSession, type Column, type PgDataRows, type QueryRequest, type ResultStream, type Row, type SqlType } from '../../core/types.js';
import type { UserStore } from '../../core/users.js';
import type { StatementDescription } from '../../engines/engine.js';
import { settlesNow } from './abort.js';
import { authenticate, type PgAuthMethod } from './auth/authenticate.js';
import { cancelByKey, registerCancelable, unregisterCancelable, type Cancelable } from './cancel-registry.js';
import { commandTag } from './command-tag.js';
import { errorFields } from './error-fields.js';
import { Inbox } from './inbox.js';
import type { FieldDescription, FormatCode, FrontendMessage, StartupPacket, TxStatusByte } from './protocol/messages.js';
import { PgReader } from './protocol/reader.js';
import { encodeRowDescription, PACKETS, PgWriter } from './protocol/writer.js';
import { localResult } from './local-result.js';
import { localColumns, runLocalCommand } from './session/local-commands.js';
import { isLocalVariable, SessionVariables } from './session/variables.js';
import { classifyStatement, type StatementClass } from './sql/classify.js';
import { splitStatements } from './sql/split.js';
import { clientTagsOf, parseStartupOptions } from './startup-options.js';
import { decodeParam, fieldEncoder, paramOid, pgColumnType, sqlTypeFromOid, type FieldEncoder } from './types.js';
import { queryId } from '../../core/query-id.js';

/** Shared, per-server settings every connection reads. */
export interface ConnectionContext {
  readonly gateway: Gateway;
  readonly users: UserStore;
  readonly authMethod: PgAuthMethod;
  readonly logger: Logger;
  readonly serverVersion: string;
  readonly tls?: { readonly context: SecureContext; readonly required: boolean };
  readonly maxMessageSize?: number;
  /** Sessions allowed at once (for the refusal message). */
  readonly sessionLimit: number;
  /** Reserve a session slot at StartupMessage; false when the server is full. */
  admitSession(): boolean;
  releaseSession(): void;
  /** Called once when the socket is gone. */
  onClosed(conn: PgConnection): void;
}

type InboxItem = StartupPacket | FrontendMessage | { readonly type: 'Violation'; readonly error: unknown } | { readonly type: 'Closed' };

interface PreparedStatement {
  readonly sql: string;
  readonly offset: number;
  readonly cls: StatementClass;
  readonly paramOids: readonly number[];
  described?: StatementDescription;
}

interface Portal {
  readonly stmt: PreparedStatement;
  readonly params: readonly unknown[] | undefined;
  readonly resultFormats: readonly FormatCode[];
  phase: 'new' | 'open' | 'done';
  controller?: AbortController;
  timer?: NodeJS.Timeout;
  stream?: ResultStream;
  iterator?: AsyncIterator<Row[]>;
  columns: readonly Column[];
  encoders: FieldEncoder[];
  rowDescription?: Buffer;
  batch?: Row[];
  batchIndex: number;
  /** Rows already in wire form (a PostgreSQL backend, text results): sent unchanged. */
  rawIterator?: AsyncIterator<PgDataRows>;
  /** Rows received and not yet sent (the rest of a run an Execute row limit cut). */
  rawBatch?: PgDataRows;
  /** COMMIT inside a failed transaction is sent as ROLLBACK and tagged so. */
  rewrittenTag?: string;
}

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});
const NO_COLUMNS: readonly Column[] = Object.freeze([]);
/** Pause reading when this many messages wait (a client pipelining without reading results). */
const INBOX_HIGH = 1000;
const INBOX_LOW = 100;
/** Flush the writer to the socket once this much is pending, whatever the protocol step. */
const FLUSH_AT = 64 * 1024;
/** Like PostgreSQL's authentication_timeout: a socket that never finishes logging in is dropped. */
const STARTUP_TIMEOUT_MS = 60_000;
const TX_BYTE: Readonly<Record<'idle' | 'in-transaction' | 'failed', TxStatusByte>> = { idle: 'I', 'in-transaction': 'T', failed: 'E' };

/** Statements still allowed in a failed transaction. */
function allowedWhenFailed(cls: StatementClass): boolean {
  return cls.kind === 'empty' || (cls.kind === 'engine' && (cls.tx === 'commit' || cls.tx === 'rollback' || cls.tx === 'rollback-to'));
}

/** A PostgreSQL wire connection, from accept to close. */
export class PgConnection implements Cancelable {
  private socket: Socket;
  private readonly raw: Socket;
  private readonly reader: PgReader;
  private readonly writer = new PgWriter();
  private readonly inbox = new Inbox<InboxItem>();
  private readonly session = newSession();
  private vars!: SessionVariables;
  private readonly log: Logger;
  private readonly remoteAddress: string | undefined;
  private readonly statements = new Map<string, PreparedStatement>();
  private readonly portals = new Map<string, Portal>();
  private user = '';
  private database: string | undefined;
  private headers: Readonly<Record<string, string>> = NO_HEADERS;
  private spareController: AbortController | undefined;
  /** What the message loop is waiting for now, to reject it when its statement is aborted. */
  private abortWait: { readonly signal: AbortSignal; readonly reject: (err: Error) => void } | undefined;
  private clientTags: readonly string[] = Object.freeze([]);
  private clientTagsSetting: string | undefined;
  private key: { processId: number; secretKey: number } | undefined;
  private active: Portal | undefined;
  private ignoreTillSync = false;
  private copyRejected = false;
  private broken = false;
  private paused = false;
  private closed = false;
  private sessionAdmitted = false;
  private isTls = false;
  private startupTimer: NodeJS.Timeout | undefined;

  constructor(
    socket: Socket,
    private readonly ctx: ConnectionContext,
  ) {
    this.raw = socket;
    this.socket = socket;
    this.remoteAddress = socket.remoteAddress;
    this.log = ctx.logger.child({ remote: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}` });
    this.reader = new PgReader({ maxMessageSize: ctx.maxMessageSize });
    socket.setNoDelay(true);
    socket.on('data', this.onData);
    socket.on('error', this.onSocketError);
    socket.once('close', this.onClose);
    this.startupTimer = setTimeout(() => {
      this.log.info('startup/authentication timed out; closing');
      this.raw.destroy();
    }, STARTUP_TIMEOUT_MS);
    this.startupTimer.unref();
  }

  /** Serve the connection until it closes. Never rejects. */
  async run(): Promise<void> {
    try {
      if (await this.startup()) await this.loop();
    } catch (err) {
      this.log.warn({ err }, 'postgres connection failed');
      await this.fatal(err);
    } finally {
      this.end();
    }
  }

  /** Terminate the connection (server shutdown). */
  async shutdown(): Promise<void> {
    if (this.closed) return;
    await this.fatal(qfError('QF_SHUTTING_DOWN'));
    this.raw.destroy();
  }

  /** CancelRequest target: abort whatever statement runs now. */
  cancelRunning(): void {
    const p = this.active;
    if (p?.controller !== undefined && !p.controller.signal.aborted) {
      this.log.info('cancel request: aborting running statement');
      p.controller.abort(qfError('QF_QUERY_CANCELED'));
    }
  }

  // ---------------------------------------------------------------- input

  private readonly onData = (chunk: Buffer): void => {
    if (this.broken) return;
    try {
      this.reader.feed(chunk, this.onPacket, this.onMessage);
    } catch (error) {
      this.broken = true;
      this.inbox.push({ type: 'Violation', error });
      return;
    }
    if (!this.paused && this.inbox.size > INBOX_HIGH) {
      this.paused = true;
      this.socket.pause();
    }
  };

  private readonly onPacket = (p: StartupPacket): void => {
    // Switch the reader before it looks at the next bytes of this chunk.
    if (p.type === 'Startup') this.reader.expectTyped();
    this.inbox.push(p);
  };

  private readonly onMessage = (m: FrontendMessage): void => {
    this.inbox.push(m);
  };

  private async next(): Promise<InboxItem> {
    const item = await this.inbox.take();
    if (this.paused && this.inbox.size < INBOX_LOW) {
      this.paused = false;
      this.socket.resume();
    }
    return item;
  }

  private readonly onSocketError = (err: Error): void => {
    this.log.debug({ err: err.message }, 'postgres socket error');
  };

  private readonly onClose = (): void => {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.startupTimer);
    const gone = qfError('QF_QUERY_CANCELED', {}, { detail: 'client disconnected' });
    this.active?.controller?.abort(gone);
    for (const p of this.portals.values()) this.closePortalState(p, gone);
    this.portals.clear();
    this.inbox.push({ type: 'Closed' });
    if (this.key !== undefined) unregisterCancelable(this.key.processId);
    if (this.sessionAdmitted) {
      this.ctx.releaseSession();
      this.ctx.gateway.endSession(this.session).catch((err: unknown) => this.log.warn({ err }, 'endSession failed'));
    }
    this.ctx.onClosed(this);
  };

  private end(): void {
    if (!this.socket.destroyed) this.socket.end();
    // A half-open client must not keep the socket alive forever.
    setTimeout(() => this.raw.destroy(), 1000).unref();
  }

  // ---------------------------------------------------------------- output

  private async flush(): Promise<void> {
    if (this.writer.length === 0) return;
    const parts = this.writer.takeParts();
    if (this.closed || this.socket.destroyed) return;
    const s = this.socket;
    let ok: boolean;
    if (parts.length === 1) ok = s.write(parts[0]!);
    else {
      // Corked: the parts (copied messages and received runs of DataRows) leave in one writev.
      s.cork();
      ok = true;
      for (const b of parts) ok = s.write(b);
      s.uncork();
    }
    if (!ok) await this.drained();
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const s = this.socket;
      const done = (): void => {
        s.off('drain', done);
        s.off('close', done);
        resolve();
      };
      s.on('drain', done);
      s.on('close', done);
    });
  }

  private async fatal(err: unknown): Promise<void> {
    if (this.closed || this.socket.destroyed) return;
    const e = err instanceof QueryFluxError ? err : toQueryFluxError(err);
    this.writer.errorResponse(errorFields(e, 'FATAL'));
    await this.flush().catch(() => undefined);
  }

  private txByte(): TxStatusByte {
    return TX_BYTE[this.session.txStatus];
  }

  // ---------------------------------------------------------------- startup

  private async startup(): Promise<boolean> {
    for (;;) {
      const p = await this.next();
      switch (p.type) {
        case 'SSLRequest':
          if (this.ctx.tls !== undefined && !this.isTls) {
            this.raw.write(PACKETS.sslAccept);
            this.upgradeToTls(this.ctx.tls.context);
          } else this.socket.write(PACKETS.sslReject);
          continue;
        case 'GSSENCRequest':
          this.socket.write(PACKETS.sslReject);
          continue;
        case 'CancelRequest':
          cancelByKey(p.processId, p.secretKey);
          return false;
        case 'Startup':
          return this.handleStartup(p);
        case 'Violation':
          this.log.warn({ err: (p.error as Error).message }, 'malformed startup packet');
          await this.fatal(p.error);
          return false;
        case 'Closed':
          return false;
        default:
          throw qfError('QF_PROTOCOL_VIOLATION', { detail: `unexpected ${p.type} message before startup` });
      }
    }
  }

  private upgradeToTls(context: SecureContext): void {
    // Bytes pipelined after SSLRequest would be unauthenticated plaintext (CVE-2021-23214).
    if (this.reader.pending > 0 || this.inbox.size > 0) throw qfError('QF_PROTOCOL_VIOLATION', { detail: 'received unencrypted data after SSL request' });
    this.raw.removeListener('data', this.onData);
    const tls = new TLSSocket(this.raw, { isServer: true, secureContext: context });
    tls.on('data', this.onData);
    tls.on('error', this.onSocketError);
    this.socket = tls;
    this.isTls = true;
  }

  private async handleStartup(p: StartupPacket & { type: 'Startup' }): Promise<boolean> {
    if (p.majorVersion !== 3) {
      await this.fatal(qfError('QF_FEATURE_NOT_SUPPORTED', { detail: `frontend protocol ${p.majorVersion}.${p.minorVersion}: server supports 3.0` }));
      return false;
    }
    if (this.ctx.tls?.required && !this.isTls) {
      await this.fatal(qfError('QF_AUTH_METHOD', { detail: 'SSL/TLS is required for this server' }, { sqlstate: '28000' }));
      return false;
    }
    const user = p.params.get('user') ?? '';
    if (user === '') {
      await this.fatal(qfError('QF_AUTH_METHOD', { detail: 'no PostgreSQL user name specified in startup packet' }, { sqlstate: '28000' }));
      return false;
    }
    const replication = p.params.get('replication');
    if (replication !== undefined && !/^(false|off|no|0)$/i.test(replication)) {
      await this.fatal(qfError('QF_FEATURE_NOT_SUPPORTED', { detail: 'replication connections' }));
      return false;
    }
    if (!this.ctx.admitSession()) {
      await this.fatal(qfError('QF_TOO_MANY_CONNECTIONS', { limit: this.ctx.sessionLimit }));
      return false;
    }
    this.sessionAdmitted = true;
    this.user = user;
    this.database = p.params.get('database') || user;
    // Startup parameters are PostgreSQL's only per-connection metadata: routers see them as headers.
    const headers: Record<string, string> = {};
    for (const [k, v] of p.params) if (k !== 'user' && k !== 'password') headers[k.toLowerCase()] = v;
    this.headers = Object.freeze(headers);
    const unsupported = [...p.params.keys()].filter((k) => k.startsWith('_pq_.'));
    if (p.minorVersion > 0 || unsupported.length > 0) this.writer.negotiateProtocolVersion(0, unsupported);

    const outcome = await authenticate(
      { writer: this.writer, flush: () => this.flush(), nextPassword: () => this.nextPassword() },
      this.ctx.users,
      this.ctx.authMethod,
      user,
    );
    if (!outcome.ok) {
      if (outcome.error !== undefined) {
        this.log.info({ user, code: outcome.error.code }, 'postgres authentication failed');
        await this.fatal(outcome.error);
      }
      return false;
    }

    this.vars = new SessionVariables(this.session.settings, this.ctx.serverVersion, user);
    const settings = new Map<string, string>();
    for (const [k, v] of p.params) {
      if (k === 'user' || k === 'database' || k === 'options' || k === 'replication' || k.startsWith('_pq_.')) continue;
      settings.set(k.toLowerCase(), v);
    }
    const options = p.params.get('options');
    if (options !== undefined) for (const [k, v] of parseStartupOptions(options)) settings.set(k, v);
    for (const [k, v] of settings) {
      if (isLocalVariable(k)) {
        try {
          this.vars.set(k, v);
        } catch (err) {
          // Lenient like a pooler: a bad startup value keeps the default rather than failing the login.
          this.log.info({ setting: k, err: (err as Error).message }, 'ignored startup parameter');
        }
      } else this.session.settings.set(k, v);
    }
    this.vars.commitInitial();
    this.clientTagsSetting = settings.get('client_tags');
    this.refreshClientTags();
    for (const { name, value } of this.vars.reported()) this.writer.parameterStatus(name, value);
    this.key = registerCancelable(this);
    this.writer.backendKeyData(this.key.processId, this.key.secretKey);
    this.writer.readyForQuery('I');
    clearTimeout(this.startupTimer);
    await this.flush();
    this.log.debug({ user, database: this.database, tls: this.isTls }, 'postgres session started');
    return true;
  }

  private async nextPassword(): Promise<Buffer | undefined> {
    const m = await this.next();
    if (m.type === 'Password') return m.data;
    if (m.type === 'Violation') throw m.error;
    if (m.type === 'Closed' || m.type === 'Terminate') return undefined;
    throw qfError('QF_PROTOCOL_VIOLATION', { detail: `expected password response, got ${m.type}` });
  }

  private refreshClientTags(): void {
    this.clientTags = clientTagsOf(this.vars.get('application_name'), this.clientTagsSetting);
  }

  // ---------------------------------------------------------------- message loop

  private async loop(): Promise<void> {
    for (;;) {
      const m = await this.next();
      if (m.type === 'Closed' || m.type === 'Terminate') return;
      if (m.type === 'Violation') {
        this.log.warn({ err: (m.error as Error).message }, 'postgres protocol violation; closing connection');
        await this.fatal(m.error);
        return;
      }
      if (this.ignoreTillSync && m.type !== 'Sync' && m.type !== 'Flush') continue;
      switch (m.type) {
        case 'Query':
          await this.simpleQuery(m.sql);
          break;
        case 'Parse':
        case 'Bind':
        case 'Describe':
        case 'Execute':
        case 'Close':
          await this.extended(m);
          break;
        case 'Sync':
          this.sync();
          await this.flush();
          break;
        case 'Flush':
          await this.flush();
          break;
        case 'FunctionCall':
          this.writer.errorResponse(errorFields(qfError('QF_FEATURE_NOT_SUPPORTED', { detail: 'the function call protocol' })));
          this.writer.readyForQuery(this.txByte());
          await this.flush();
          break;
        case 'CopyData':
          // No COPY is ever started, so copy data is a confused client: say so once per burst.
          if (!this.copyRejected) {
            this.copyRejected = true;
            this.writer.errorResponse(errorFields(qfError('QF_FEATURE_NOT_SUPPORTED', { detail: 'COPY FROM STDIN' })));
            await this.flush();
          }
          break;
        case 'CopyDone':
        case 'CopyFail':
          if (!this.copyRejected) this.writer.errorResponse(errorFields(qfError('QF_FEATURE_NOT_SUPPORTED', { detail: 'COPY FROM STDIN' })));
          this.copyRejected = false;
          this.writer.readyForQuery(this.txByte());
          await this.flush();
          break;
        case 'Password':
          throw qfError('QF_PROTOCOL_VIOLATION', { detail: 'unexpected password message' });
        default:
          throw qfError('QF_PROTOCOL_VIOLATION', { detail: `unexpected ${m.type} message after startup` });
      }
      if (this.writer.length >= FLUSH_AT) await this.flush();
    }
  }

  // ---------------------------------------------------------------- simple query

  private async simpleQuery(sql: string): Promise<void> {
    // As in PostgreSQL, a simple query drops the unnamed statement and portal.
    this.statements.delete('');
    this.closePortal('');
    const slices = splitStatements(sql);
    if (slices.length === 0) this.writer.emptyQueryResponse();
    for (const s of slices) {
      const portal = this.newPortal({ sql: s.sql, offset: s.offset, cls: classifyStatement(s.sql), paramOids: [] }, undefined, []);
      try {
        await this.openPortal(portal);
        if (portal.columns.length > 0) this.writer.raw(portal.rowDescription!);
        await this.executePortal(portal, 0);
      } catch (err) {
        this.statementFailed(portal, err);
        break;
      }
    }
    this.writer.readyForQuery(this.txByte());
    await this.flush();
  }

  // ---------------------------------------------------------------- extended protocol

  private async extended(m: FrontendMessage): Promise<void> {
    try {
      switch (m.type) {
        case 'Parse':
          this.parse(m);
          break;
        case 'Bind':
          this.bind(m);
          break;
        case 'Describe':
          if (m.target === 'S') await this.describeStatement(m.name);
          else await this.describePortal(m.name);
          break;
        case 'Execute': {
          const portal = this.portals.get(m.portal);
          if (portal === undefined) throw qfError('QF_UNDEFINED_OBJECT', { detail: `portal "${m.portal}" does not exist` }, { sqlstate: '34000' });
          try {
            await this.executePortal(portal, m.maxRows);
          } catch (err) {
            this.statementFailed(portal, err);
            this.ignoreTillSync = true;
          }
          break;
        }
        case 'Close':
          if (m.target === 'S') this.statements.delete(m.name);
          else this.closePortal(m.name);
          this.writer.closeComplete();
          break;
        default:
          break;
      }
    } catch (err) {
      this.reportError(err, 0);
      if (this.session.txStatus === 'in-transaction') this.session.txStatus = 'failed';
      this.ignoreTillSync = true;
    }
    // Like PostgreSQL, send an error at once: clients that pipeline with Flush (asyncpg) wait for it.
    if (this.ignoreTillSync) await this.flush();
  }

  private parse(m: FrontendMessage & { type: 'Parse' }): void {
    if (m.name !== '' && this.statements.has(m.name)) {
      throw qfError('QF_INVALID_PARAMETER', { detail: `prepared statement "${m.name}" already exists` }, { sqlstate: '42P05' });
    }
    const slices = splitStatements(m.sql);
    if (slices.length > 1) throw qfError('QF_SYNTAX_ERROR', { detail: 'cannot insert multiple commands into a prepared statement' });
    const s = slices[0];
    const sql = s?.sql ?? '';
    this.statements.set(m.name, { sql, offset: s?.offset ?? 0, cls: s === undefined ? classifyStatement('') : classifyStatement(sql), paramOids: m.paramTypes });
    this.writer.parseComplete();
  }

  private bind(m: FrontendMessage & { type: 'Bind' }): void {
    const stmt = this.statements.get(m.statement);
    if (stmt === undefined) throw qfError('QF_UNDEFINED_OBJECT', { detail: `prepared statement "${m.statement}" does not exist` }, { sqlstate: '26000' });
    if (m.portal === '') this.closePortal('');
    else if (this.portals.has(m.portal)) throw qfError('QF_INVALID_PARAMETER', { detail: `portal "${m.portal}" already exists` }, { sqlstate: '42P03' });
    const described = stmt.described?.params;
    const expected = Math.max(stmt.paramOids.length, described?.length ?? 0);
    if (m.params.length < stmt.paramOids.length || (described !== undefined && m.params.length !== expected)) {
      throw qfError('QF_PROTOCOL_VIOLATION', { detail: `bind message supplies ${m.params.length} parameters, but prepared statement "${m.statement}" requires ${expected}` });
    }
    let params: unknown[] | undefined;
    if (m.params.length > 0) {
      params = new Array<unknown>(m.params.length);
      for (let i = 0; i < m.params.length; i++) {
        const raw = m.params[i]!;
        if (raw === null) {
          params[i] = null;
          continue;
        }
        const format = m.paramFormats.length === 0 ? 0 : m.paramFormats.length === 1 ? m.paramFormats[0]! : m.paramFormats[i]!;
        params[i] = decodeParam(raw, format, stmt.paramOids[i] ?? 0, described?.[i]);
      }
    }
    this.portals.set(m.portal, this.newPortal(stmt, params, m.resultFormats));
    this.writer.bindComplete();
  }

  private async describeStatement(name: string): Promise<void> {
    const stmt = this.statements.get(name);
    if (stmt === undefined) throw qfError('QF_UNDEFINED_OBJECT', { detail: `prepared statement "${name}" does not exist` }, { sqlstate: '26000' });
    if (this.session.txStatus === 'failed' && !allowedWhenFailed(stmt.cls)) throw qfError('QF_TX_ABORTED');
    let columns: readonly Column[] = NO_COLUMNS;
    let params: readonly SqlType[] = [];
    if (stmt.cls.kind === 'local') columns = localColumns(stmt.cls.command, this.vars);
    else if (stmt.cls.kind === 'engine') {
      if (stmt.described === undefined) {
        const req = { ...this.request(stmt.sql, undefined), paramTypes: stmt.paramOids.map(sqlTypeFromOid) };
        stmt.described = await this.ctx.gateway.describe(req);
      }
      columns = stmt.described.columns;
      params = stmt.described.params;
    }
    const n = Math.max(stmt.paramOids.length, params.length);
    const oids = new Array<number>(n);
    for (let i = 0; i < n; i++) oids[i] = stmt.paramOids[i] || paramOid(params[i]);
    this.writer.parameterDescription(oids);
    if (columns.length === 0) this.writer.noData();
    else this.writer.rowDescription(describeFields(columns, []));
  }

  private async describePortal(name: string): Promise<void> {
    const portal = this.portals.get(name);
    if (portal === undefined) throw qfError('QF_UNDEFINED_OBJECT', { detail: `portal "${name}" does not exist` }, { sqlstate: '34000' });
    try {
      await this.openPortal(portal);
    } catch (err) {
      this.statementFailed(portal, err);
      this.ignoreTillSync = true;
      return;
    }
    if (portal.columns.length === 0) this.writer.noData();
    else this.writer.raw(portal.rowDescription!);
  }

  private sync(): void {
    // Outside an explicit transaction block, Sync ends the implicit transaction and its portals.
    if (this.session.txStatus === 'idle') {
      for (const p of this.portals.values()) this.closePortalState(p);
      this.portals.clear();
    }
    this.ignoreTillSync = false;
    this.copyRejected = false;
    this.writer.readyForQuery(this.txByte());
  }

  // ---------------------------------------------------------------- portals

  private newPortal(stmt: PreparedStatement, params: readonly unknown[] | undefined, resultFormats: readonly FormatCode[]): Portal {
    return { stmt, params, resultFormats, phase: 'new', columns: NO_COLUMNS, encoders: [], batchIndex: 0 };
  }

  private closePortal(name: string): void {
    const p = this.portals.get(name);
    if (p === undefined) return;
    this.portals.delete(name);
    this.closePortalState(p);
  }

  private closePortalState(p: Portal, reason?: Error): void {
    if (p.timer !== undefined) clearTimeout(p.timer);
    p.timer = undefined;
    if (reason !== undefined && p.controller !== undefined && !p.controller.signal.aborted) p.controller.abort(reason);
    const s = p.stream;
    p.stream = undefined;
    p.iterator = undefined;
    p.batch = undefined;
    p.rawIterator = undefined;
    p.rawBatch = undefined;
    p.phase = 'done';
    if (s !== undefined) s.close().catch((err: unknown) => this.log.warn({ err }, 'closing result stream failed'));
  }

  private request(sql: string, params: readonly unknown[] | undefined): QueryRequest {
    const app = this.vars.get('application_name');
    return {
      id: queryId(),
      sql,
      params,
      protocol: 'postgres',
      user: this.user,
      database: this.database,
      headers: this.headers,
      clientTags: this.clientTags,
      session: this.session,
      source: app === '' ? undefined : app,
      remoteAddress: this.remoteAddress,
      receivedAt: Date.now(),
    };
  }

  /** A controller for statements, listened to once for its whole life (it is reused while unaborted). */
  private newController(): AbortController {
    const c = new AbortController();
    c.signal.addEventListener('abort', this.onStatementAbort);
    return c;
  }

  private readonly onStatementAbort = (ev: Event): void => {
    const w = this.abortWait;
    if (w === undefined || w.signal !== ev.target) return;
    this.abortWait = undefined;
    w.reject(w.signal.reason as Error);
  };

  /**
   * `p`, or a rejection with the reason as soon as `signal` (one of newController's) aborts, even
   * if the engine call ignores it. No listener is added per call: the loop waits for one thing at
   * a time, and the controller's one listener rejects whatever that is.
   */
  private raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
    if (signal.aborted) {
      p.catch(() => undefined);
      return Promise.reject(signal.reason as Error);
    }
    return new Promise<T>((resolve, reject) => {
      const wait = { signal, reject };
      this.abortWait = wait;
      p.then(
        (v) => {
          if (this.abortWait === wait) this.abortWait = undefined;
          resolve(v);
        },
        (e: unknown) => {
          if (this.abortWait === wait) this.abortWait = undefined;
          reject(e as Error);
        },
      );
    });
  }

  /** Start the portal's statement (engine or local) so its columns are known; idempotent. */
  private async openPortal(portal: Portal): Promise<void> {
    if (portal.phase !== 'new') return;
    const { cls } = portal.stmt;
    if (this.session.txStatus === 'failed' && !allowedWhenFailed(cls)) throw qfError('QF_TX_ABORTED');
    if (cls.kind === 'empty') {
      portal.phase = 'open';
      return;
    }
    if (cls.kind === 'unsupported') throw qfError('QF_FEATURE_NOT_SUPPORTED', { detail: cls.reason });
    let stream: ResultStream;
    const deallocated = cls.kind === 'deallocate' ? this.deallocate(cls.name) : undefined;
    if (deallocated !== undefined) stream = deallocated;
    else if (cls.kind === 'local') {
      stream = runLocalCommand(cls.command, { vars: this.vars, writer: this.writer, txStatus: this.session.txStatus });
      this.refreshClientTags();
    } else {
      let sql = portal.stmt.sql;
      if (cls.kind === 'engine' && cls.tx === 'commit' && this.session.txStatus === 'failed') {
        // Never commit the half of a failed transaction the engine did see.
        sql = 'ROLLBACK';
        portal.rewrittenTag = 'ROLLBACK';
      }
      // AbortSignals are costly to create (~10 µs); a drained statement hands its unused one on.
      const spare = this.spareController;
      this.spareController = undefined;
      const controller = spare !== undefined && !spare.signal.aborted ? spare : this.newController();
      portal.controller = controller;
      const timeoutMs = this.vars.statementTimeoutMs();
      if (timeoutMs > 0) {
        // Distinguish the message from a user cancel, like PostgreSQL does.
        portal.timer = setTimeout(() => controller.abort(new QueryFluxError('QF_QUERY_CANCELED', 'canceling statement due to statement timeout')), timeoutMs);
        portal.timer.unref();
      }
      const pending = this.ctx.gateway.execute(this.request(sql, portal.params), controller.signal);
      // If the abort wins the race, a stream that arrives later must still be released.
      pending.then(
        (s) => {
          if (controller.signal.aborted) s.close().catch(() => undefined);
        },
        () => undefined,
      );
      this.active = portal;
      try {
        stream = await this.raceAbort(pending, controller.signal);
      } finally {
        this.active = undefined;
      }
    }
    portal.stream = stream;
    portal.columns = stream.columns;
    const n = stream.columns.length;
    const f = portal.resultFormats;
    if (f.length > 1 && f.length !== n) {
      throw qfError('QF_PROTOCOL_VIOLATION', { detail: `bind message has ${f.length} result formats but query has ${n} columns` });
    }
    const shape = resultShape(stream.columns, f);
    portal.encoders = shape.encoders;
    portal.rowDescription = shape.rowDescription;
    // Text results from an engine that has them as DataRows already go out as they came.
    if (stream.pgDataRows !== undefined && n > 0 && allText(f)) portal.rawIterator = stream.pgDataRows()[Symbol.asyncIterator]();
    else portal.iterator = stream.batches()[Symbol.asyncIterator]();
    portal.phase = 'open';
  }

  /**
   * DEALLOCATE: drivers (psycopg after DDL, or when its statement cache evicts) free the statements
   * they prepared with Parse, which live here, not on an engine connection. ALL keeps the unnamed
   * statement, like PostgreSQL. A name the frontend does not know goes to the engine (undefined).
   */
  private deallocate(name: string | undefined): ResultStream | undefined {
    if (name === undefined) {
      for (const key of this.statements.keys()) if (key !== '') this.statements.delete(key);
      return localResult(NO_COLUMNS, [], 'DEALLOCATE ALL');
    }
    if (name === '' || !this.statements.delete(name)) return undefined;
    return localResult(NO_COLUMNS, [], 'DEALLOCATE');
  }

  /** Send up to `maxRows` rows (0 = all) and CommandComplete, or PortalSuspended when the limit is hit. */
  private async executePortal(portal: Portal, maxRows: number): Promise<void> {
    await this.openPortal(portal);
    if (portal.stmt.cls.kind === 'empty') {
      this.writer.emptyQueryResponse();
      return;
    }
    if (portal.phase === 'done') {
      // PostgreSQL answers an exhausted portal with a zero-row completion.
      this.writer.commandComplete('SELECT 0');
      return;
    }
    this.active = portal;
    let sent: number;
    let suspended: boolean;
    try {
      ({ sent, suspended } = await this.pump(portal, maxRows));
    } finally {
      this.active = undefined;
    }
    if (suspended) {
      this.writer.portalSuspended();
      return;
    }
    const stream = portal.stream!;
    const tag = portal.rewrittenTag ?? commandTag(stream.summary(), portal.columns.length > 0, sent);
    this.closePortalState(portal);
    // The stream is drained: engine, queue and race listeners on the signal are all removed.
    const used = portal.controller;
    portal.controller = undefined;
    if (used !== undefined && !used.signal.aborted) this.spareController = used;
    this.applyTxEffect(portal.stmt.cls);
    this.writer.commandComplete(tag);
  }

  /**
   * The next batch of a result. Stream as batches arrive: when it is not immediately there, send
   * what is written so far and wait for it, or for a cancel. A batch that is there needs no abort race.
   */
  private async nextBatch<T>(it: AsyncIterator<T>, signal: AbortSignal | undefined): Promise<IteratorResult<T>> {
    if (signal?.aborted) throw signal.reason as Error;
    const nextP = it.next();
    const ready = await settlesNow(nextP);
    if (!ready && this.writer.length > 0) await this.flush();
    if (signal?.aborted) throw signal.reason as Error;
    return ready || signal === undefined ? nextP : this.raceAbort(nextP, signal);
  }

  /** pump() for rows in wire form: whole runs of DataRows are copied to the writer as they are. */
  private async pumpRaw(portal: Portal, maxRows: number): Promise<{ sent: number; suspended: boolean }> {
    const w = this.writer;
    const signal = portal.controller?.signal;
    let sent = 0;
    for (;;) {
      const batch = portal.rawBatch;
      if (batch !== undefined) {
        const bytes = batch.bytes;
        if (maxRows > 0 && sent + batch.rows > maxRows) {
          // The row limit ends inside this run: send up to it and keep the rest for the next Execute.
          let to = 0;
          const want = maxRows - sent;
          for (let i = 0; i < want; i++) to += 1 + bytes.readInt32BE(to + 1);
          w.shared(bytes.subarray(0, to));
          portal.rawBatch = { bytes: bytes.subarray(to), rows: batch.rows - want };
          return { sent: sent + want, suspended: true };
        }
        w.shared(bytes);
        sent += batch.rows;
        portal.rawBatch = undefined;
        if (maxRows > 0 && sent >= maxRows) return { sent, suspended: true };
        if (w.length >= FLUSH_AT) await this.flush();
      }
      const r = await this.nextBatch(portal.rawIterator!, signal);
      if (r.done === true) return { sent, suspended: false };
      portal.rawBatch = r.value;
    }
  }

  private async pump(portal: Portal, maxRows: number): Promise<{ sent: number; suspended: boolean }> {
    if (portal.rawIterator !== undefined) return this.pumpRaw(portal, maxRows);
    const w = this.writer;
    const encoders = portal.encoders;
    const ncols = encoders.length;
    const signal = portal.controller?.signal;
    let sent = 0;
    for (;;) {
      const batch = portal.batch;
      if (batch !== undefined) {
        const start = portal.batchIndex;
        const end = maxRows > 0 ? Math.min(batch.length, start + (maxRows - sent)) : batch.length;
        for (let i = start; i < end; i++) {
          const row = batch[i]!;
          w.begin(0x44);
          w.int16(ncols);
          for (let c = 0; c < ncols; c++) {
            const v = row[c];
            if (v === null || v === undefined) w.int32(-1);
            else encoders[c]!(w, v);
          }
          w.end();
        }
        sent += end - start;
        portal.batchIndex = end;
        if (end >= batch.length) portal.batch = undefined;
        if (maxRows > 0 && sent >= maxRows) return { sent, suspended: true };
        if (w.length >= FLUSH_AT) await this.flush();
      }
      const r = await this.nextBatch(portal.iterator!, signal);
      if (r.done === true) return { sent, suspended: false };
      portal.batch = r.value;
      portal.batchIndex = 0;
    }
  }

  /** Report a statement's error, release its stream and update the transaction status. */
  private statementFailed(portal: Portal, err: unknown): void {
    const reason = portal.controller?.signal.aborted ? portal.controller.signal.reason : err;
    this.closePortalState(portal);
    this.reportError(reason, portal.stmt.offset);
    const tx = portal.stmt.cls.kind === 'engine' ? portal.stmt.cls.tx : undefined;
    if (tx === 'commit' || tx === 'rollback') this.endTransaction();
    else if (this.session.txStatus === 'in-transaction') this.session.txStatus = 'failed';
  }

  private reportError(err: unknown, positionOffset: number): void {
    const fields = errorFields(err, 'ERROR', positionOffset);
    this.log.debug({ code: fields.code, err: fields.message }, 'statement failed');
    this.writer.errorResponse(fields);
  }

  private applyTxEffect(cls: StatementClass): void {
    if (cls.kind !== 'engine' || cls.tx === undefined) return;
    if (cls.tx === 'begin') {
      if (this.session.txStatus === 'idle') this.session.txStatus = 'in-transaction';
    } else if (cls.tx === 'rollback-to') {
      if (this.session.txStatus === 'failed') this.session.txStatus = 'in-transaction';
    } else this.endTransaction();
  }

  private endTransaction(): void {
    this.session.txStatus = 'idle';
    this.session.settings.set('transaction_isolation', this.vars.get('default_transaction_isolation'));
    this.session.settings.set('transaction_read_only', this.vars.get('default_transaction_read_only'));
    // Portals live only as long as their transaction; only the running one survives until it completes.
    for (const [name, p] of this.portals) {
      if (p.phase !== 'open' || p !== this.active) {
        this.portals.delete(name);
        this.closePortalState(p);
      }
    }
  }
}

/** Field encoders and the encoded RowDescription of a result, for one set of result formats. */
interface ResultShape {
  readonly formats: string;
  readonly encoders: FieldEncoder[];
  readonly rowDescription: Buffer | undefined;
}

/**
 * Engines hand the same Column[] back for a statement they have seen on that connection (the
 * PostgreSQL engine does, for a repeated RowDescription), so the shape is computed once per
 * columns and formats rather than once per query. Encoders hold no state and are shared.
 */
const SHAPES = new WeakMap<readonly Column[], ResultShape>();

function resultShape(columns: readonly Column[], f: readonly FormatCode[]): ResultShape {
  const formats = f.length === 0 ? '' : f.length === 1 ? (f[0] === 0 ? '0' : '1') : f.join('');
  const cached = SHAPES.get(columns);
  if (cached !== undefined && cached.formats === formats) return cached;
  const n = columns.length;
  const encoders = new Array<FieldEncoder>(n);
  for (let i = 0; i < n; i++) encoders[i] = fieldEncoder(columns[i]!.type, formatAt(f, i));
  const shape: ResultShape = { formats, encoders, rowDescription: n > 0 ? encodeRowDescription(describeFields(columns, f)) : undefined };
  SHAPES.set(columns, shape);
  return shape;
}

/** Every result column in text format (no codes = all text). */
function allText(formats: readonly FormatCode[]): boolean {
  for (const f of formats) if (f !== 0) return false;
  return true;
}

function formatAt(formats: readonly FormatCode[], i: number): FormatCode {
  return formats.length === 0 ? 0 : formats.length === 1 ? formats[0]! : formats[i]!;
}

/** RowDescription fields for columns with the given result format codes. */
function describeFields(columns: readonly Column[], formats: readonly FormatCode[]): FieldDescription[] {
  return columns.map((c, i) => {
    const t = pgColumnType(c.type);
    return { name: c.name, tableOid: 0, columnAttr: 0, typeOid: t.oid, typeLen: t.typlen, typeMod: t.typmod, format: formatAt(formats, i) };
  });
}
