/**
 * PostgreSQL wire frontend driven by real clients (npm `pg`, `pg-cursor`, `postgres`) and by raw
 * protocol bytes (pg-protocol's serializer) for what clients do not expose: binary results,
 * portal limits, transaction status bytes, malformed input.
 *
 * The gateway behind the frontend is a small in-test stand-in (protocol tests only; real engines
 * are exercised by the integration suite). It understands a handful of statements:
 *   select N as name · select ints(N) · select big(N) · select slow(N) · select echo($1, ...)
 *   select types · select sleep · selec … (syntax error) · select boom (plain Error) · select * from … (42P01)
 *   begin/commit/rollback/… · insert … · anything else: command = first word.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import postgres from 'postgres';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { qfError } from '../../src/core/errors.js';
import type { DescribeRequest, Gateway } from '../../src/core/gateway.js';
import type { Column, QueryRequest, ResultStream, Row, SessionState, SqlType } from '../../src/core/types.js';
import { UserStore } from '../../src/core/users.js';
import type { StatementDescription } from '../../src/engines/engine.js';
import { startPostgresFrontend, type PgAuthMethod, type PostgresFrontend } from '../../src/frontends/postgres/server.js';

// ------------------------------------------------------------------ stand-in gateway

const INT4: SqlType = { kind: 'int4' };
const TEXT: SqlType = { kind: 'text' };

interface Recorded {
  readonly req: QueryRequest;
  readonly signal?: AbortSignal;
}

class StandInGateway implements Gateway {
  readonly executed: Recorded[] = [];
  readonly described: DescribeRequest[] = [];
  readonly ended: SessionState[] = [];
  /** Batches produced by the latest big(N) query (backpressure check). */
  produced = 0;
  closedStreams = 0;

  private stream(columns: readonly Column[], batches: AsyncIterable<Row[]> | Row[][], command = 'SELECT', rowCount?: number): ResultStream {
    let closed = false;
    return {
      columns,
      batches: () => (Symbol.asyncIterator in batches ? batches : (async function* () { yield* batches; })()),
      summary: () => ({ command, rowCount }),
      close: async () => {
        if (!closed) this.closedStreams++;
        closed = true;
      },
    };
  }

  private paramCount(sql: string): number {
    let n = 0;
    for (const m of sql.matchAll(/\$(\d+)/g)) n = Math.max(n, Number(m[1]));
    return n;
  }

  async execute(req: QueryRequest, signal?: AbortSignal): Promise<ResultStream> {
    this.executed.push({ req, signal });
    const sql = req.sql.trim();
    const low = sql.toLowerCase();
    let m: RegExpExecArray | null;
    if ((m = /^select (-?\d+) as (\w+)$/i.exec(sql))) return this.stream([{ name: m[2]!, type: INT4 }], [[[Number(m[1])]]]);
    if ((m = /^select ints\((\d+)\)$/i.exec(sql))) {
      const n = Number(m[1]);
      const batches: Row[][] = [];
      for (let i = 1; i <= n; i += 7) batches.push(Array.from({ length: Math.min(7, n - i + 1) }, (_, k) => [i + k]));
      return this.stream([{ name: 'n', type: INT4 }], batches);
    }
    if ((m = /^select big\((\d+)\)$/i.exec(sql))) {
      const n = Number(m[1]);
      this.produced = 0;
      const self = this;
      const payload = 'x'.repeat(1000);
      return this.stream([{ name: 'n', type: INT4 }, { name: 'payload', type: TEXT }], (async function* () {
        for (let i = 0; i < n; i += 100) {
          self.produced++;
          yield Array.from({ length: Math.min(100, n - i) }, (_, k) => [i + k, payload]);
        }
      })());
    }
    if ((m = /^select slow\((\d+)\)$/i.exec(sql))) {
      const n = Number(m[1]);
      return this.stream([{ name: 'n', type: INT4 }], (async function* () {
        for (let i = 1; i <= n; i++) {
          yield [[i]];
          await new Promise((r) => setTimeout(r, 150));
        }
      })());
    }
    if (low.startsWith('select echo(')) {
      const params = req.params ?? [];
      const cols = params.map((_, i) => ({ name: `p${i + 1}`, type: TEXT }));
      return this.stream(cols, [[params.map((p) => (p === null ? null : `${p instanceof Uint8Array ? 'bytes' : typeof p}:${p instanceof Uint8Array ? Buffer.from(p).toString('hex') : String(p)}`))]]);
    }
    if (low === 'select types') return this.stream(TYPE_COLUMNS, [[TYPE_ROW]]);
    if (low === 'select sleep') {
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(resolve, 10_000);
        signal?.addEventListener('abort', () => {
          clearTimeout(t);
          reject(signal.reason as Error);
        });
      });
      return this.stream([], []);
    }
    if (low.startsWith('selec ')) throw qfError('QF_SYNTAX_ERROR', { detail: 'syntax error at or near "selec"' }, { position: 1 });
    if (low === 'select boom') throw new Error('boom');
    if ((m = /^select \* from (\w+)/i.exec(sql))) throw qfError('QF_UNDEFINED_OBJECT', { detail: `relation "${m[1]}" does not exist` }, { sqlstate: '42P01' });
    if (low.startsWith('insert')) return this.stream([], [], 'INSERT', 3);
    const verb = (/^\w+/.exec(sql)?.[0] ?? '').toUpperCase();
    return this.stream([], [], verb === 'START' ? 'START TRANSACTION' : verb);
  }

  async describe(req: DescribeRequest): Promise<StatementDescription> {
    this.described.push(req);
    const n = this.paramCount(req.sql);
    const params = Array.from({ length: n }, (_, i) => req.paramTypes?.[i] ?? TEXT);
    if (req.sql.toLowerCase().startsWith('select echo(')) return { params, columns: params.map((_, i) => ({ name: `p${i + 1}`, type: TEXT })) };
    if (/^select ints\(/i.test(req.sql)) return { params, columns: [{ name: 'n', type: INT4 }] };
    if (req.sql.toLowerCase() === 'select types') return { params, columns: TYPE_COLUMNS };
    if (/^selec /i.test(req.sql)) throw qfError('QF_SYNTAX_ERROR', { detail: 'syntax error at or near "selec"' }, { position: 1 });
    return { params, columns: [] };
  }

  async endSession(session: SessionState): Promise<void> {
    this.ended.push(session);
  }

  last(): Recorded {
    return this.executed[this.executed.length - 1]!;
  }
}

const TYPE_COLUMNS: Column[] = [
  { name: 'b', type: { kind: 'bool' } },
  { name: 'i2', type: { kind: 'int2' } },
  { name: 'i4', type: INT4 },
  { name: 'i8', type: { kind: 'int8' } },
  { name: 'f8', type: { kind: 'float8' } },
  { name: 'num', type: { kind: 'decimal', precision: 12, scale: 3 } },
  { name: 't', type: TEXT },
  { name: 'd', type: { kind: 'date' } },
  { name: 'ts', type: { kind: 'timestamp' } },
  { name: 'tstz', type: { kind: 'timestamptz' } },
  { name: 'u', type: { kind: 'uuid' } },
  { name: 'j', type: { kind: 'json' } },
  { name: 'arr', type: { kind: 'list', element: INT4 } },
  { name: 'by', type: { kind: 'bytea' } },
  { name: 'iv', type: { kind: 'interval' } },
  { name: 'st', type: { kind: 'struct', fields: [{ name: 'a', type: INT4 }, { name: 'b', type: TEXT }] } },
];
const TYPE_ROW: Row = [
  true, -2, 42, 9007199254740993n, 0.5, '123.450', "it's ✓", '2024-02-29', '2024-02-29 13:14:15.123456', '2024-02-29 13:14:15+00',
  'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"k": [1, 2]}', [1, null, 3], new Uint8Array([0, 255]), '1 day 02:00:00', { a: 1, b: 'x' },
];

// ------------------------------------------------------------------ fixtures

const silent = pino({ level: process.env.QF_TEST_LOG ?? 'silent' });
const USERS = new UserStore([{ username: 'demo', password: 'demo' }, { username: 'alice', password: 's3cret!' }], true);

interface Server {
  readonly fe: PostgresFrontend;
  readonly gw: StandInGateway;
}

async function startServer(authMethod: PgAuthMethod = 'scram-sha-256', extra: Partial<Parameters<typeof startPostgresFrontend>[0]> = {}): Promise<Server> {
  const gw = new StandInGateway();
  const fe = await startPostgresFrontend({ host: '127.0.0.1', port: 0, gateway: gw, users: USERS, authMethod, logger: silent, ...extra });
  return { fe, gw };
}

function client(s: Server, conf: pg.ClientConfig = {}): pg.Client {
  return new pg.Client({ host: '127.0.0.1', port: s.fe.port, user: 'demo', password: 'demo', database: 'demo', ...conf });
}

async function withClient<T>(s: Server, fn: (c: pg.Client) => Promise<T>, conf: pg.ClientConfig = {}): Promise<T> {
  const c = client(s, conf);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}

function errorOf(p: Promise<unknown>): Promise<{ code?: string; message: string; position?: string; severity?: string }> {
  return p.then(
    () => {
      throw new Error('expected an error');
    },
    (e: unknown) => e as { code?: string; message: string },
  );
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

// ------------------------------------------------------------------ raw protocol client

interface Frame {
  readonly code: string;
  readonly body: Buffer;
}

/** A socket speaking raw protocol: send serialized messages, read backend frames. */
class RawClient {
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  closed = false;

  private constructor(readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  static async open(port: number): Promise<RawClient> {
    const s = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      s.once('connect', resolve);
      s.once('error', reject);
    });
    return new RawClient(s);
  }

  /** Connect to a trust server and finish startup. */
  static async session(port: number, params: Record<string, string> = {}): Promise<RawClient> {
    const c = await RawClient.open(port);
    c.send(serialize.startup({ user: 'demo', database: 'demo', ...params }));
    await c.readUntil('Z');
    return c;
  }

  send(...bufs: Buffer[]): void {
    this.socket.write(Buffer.concat(bufs));
  }

  private take(): Frame | undefined {
    if (this.buf.length < 5) return undefined;
    const len = this.buf.readInt32BE(1);
    if (this.buf.length < len + 1) return undefined;
    const f = { code: String.fromCharCode(this.buf[0]!), body: this.buf.subarray(5, len + 1) };
    this.buf = this.buf.subarray(len + 1);
    return f;
  }

  async next(timeoutMs = 5000): Promise<Frame | undefined> {
    const t0 = Date.now();
    for (;;) {
      const f = this.take();
      if (f !== undefined) return f;
      if (this.closed) return undefined;
      if (Date.now() - t0 > timeoutMs) throw new Error('timed out waiting for a backend message');
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
  }

  /** Frames up to and including the first with `code`. */
  async readUntil(code: string): Promise<Frame[]> {
    const out: Frame[] = [];
    for (;;) {
      const f = await this.next();
      if (f === undefined) throw new Error(`connection closed before '${code}'; got ${out.map((x) => x.code).join('')}`);
      out.push(f);
      if (f.code === code) return out;
    }
  }

  /** All frames until the server closes the connection. */
  async readToClose(): Promise<Frame[]> {
    const out: Frame[] = [];
    for (;;) {
      const f = await this.next();
      if (f === undefined) return out;
      out.push(f);
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

function errorCode(f: Frame): string {
  for (let i = 0; i < f.body.length; ) {
    const t = f.body[i]!;
    if (t === 0) break;
    const z = f.body.indexOf(0, i + 1);
    if (t === 0x43) return f.body.toString('utf8', i + 1, z);
    i = z + 1;
  }
  return '';
}

function dataRowFields(f: Frame): (Buffer | null)[] {
  const n = f.body.readInt16BE(0);
  const out: (Buffer | null)[] = [];
  let p = 2;
  for (let i = 0; i < n; i++) {
    const len = f.body.readInt32BE(p);
    p += 4;
    if (len < 0) out.push(null);
    else {
      out.push(f.body.subarray(p, p + len));
      p += len;
    }
  }
  return out;
}

const codes = (fs: Frame[]): string => fs.map((f) => f.code).join('');

// ------------------------------------------------------------------ tests

describe('pg frontend: authentication', () => {
  const servers: Server[] = [];
  afterAll(async () => {
    for (const s of servers) await s.fe.close();
  });

  for (const method of ['scram-sha-256', 'md5', 'password', 'trust'] as const) {
    it(`${method}: right password succeeds, wrong password and unknown user get 28P01`, async () => {
      const s = await startServer(method);
      servers.push(s);
      const r = await withClient(s, (c) => c.query('select 1 as one'), { user: 'alice', password: 's3cret!' });
      expect(r.rows).toEqual([{ one: 1 }]);
      if (method === 'trust') return;
      const wrong = await errorOf(client(s, { user: 'alice', password: 'nope' }).connect());
      const unknown = await errorOf(client(s, { user: 'mallory', password: 'nope' }).connect());
      expect(wrong.code).toBe('28P01');
      expect(unknown.code).toBe('28P01');
      expect(wrong.message).toBe('password authentication failed for user "alice"');
      expect(unknown.message).toBe('password authentication failed for user "mallory"');
    });
  }

  it('accepts anyone when the user store does not require auth', async () => {
    const gw = new StandInGateway();
    const fe = await startPostgresFrontend({ host: '127.0.0.1', port: 0, gateway: gw, users: new UserStore([], false), authMethod: 'scram-sha-256', logger: silent });
    servers.push({ fe, gw });
    const r = await withClient({ fe, gw }, (c) => c.query('select 7 as seven'), { user: 'anyone', password: undefined });
    expect(r.rows).toEqual([{ seven: 7 }]);
  });

  it('the postgres (porsager) client authenticates with SCRAM', async () => {
    const s = await startServer('scram-sha-256');
    servers.push(s);
    const sql = postgres({ host: '127.0.0.1', port: s.fe.port, user: 'demo', password: 'demo', database: 'demo', max: 1 });
    try {
      const rows = await sql.unsafe('select 5 as five');
      expect(rows[0]).toEqual({ five: 5 });
    } finally {
      await sql.end();
    }
  });
});

describe('pg frontend: queries through pg', () => {
  let s: Server;
  let c: pg.Client;
  beforeAll(async () => {
    s = await startServer('scram-sha-256', { serverVersion: '15.0 (QueryFlux)' });
    c = client(s, { application_name: 'pg-tests' });
    await c.connect();
  });
  afterAll(async () => {
    await c.end();
    await s.fe.close();
  });

  it('simple query: rows, types and command tags', async () => {
    const r = await c.query('select ints(20)');
    expect(r.rows.length).toBe(20);
    expect(r.rows[19]).toEqual({ n: 20 });
    expect(r.command).toBe('SELECT');
    expect(r.rowCount).toBe(20);
    const ins = await c.query('insert into t values (1)');
    expect(ins.command).toBe('INSERT');
    expect(ins.rowCount).toBe(3);
  });

  it('multiple statements in one simple query run in order', async () => {
    const rs = (await c.query("select 1 as a; select 2 as b; /* ; */ select 'x;y' as c; -- ;")) as unknown as pg.QueryResult[];
    expect(rs.map((r) => r.rows[0])).toEqual([{ a: 1 }, { b: 2 }, undefined]);
    const sent = s.gw.executed.slice(-3).map((x) => x.req.sql);
    expect(sent).toEqual(['select 1 as a', 'select 2 as b', "/* ; */ select 'x;y' as c"]);
  });

  it('stops a multi-statement query at the first error', async () => {
    const before = s.gw.executed.length;
    const e = await errorOf(c.query('select 1 as a; select * from nope; select 2 as b'));
    expect(e.code).toBe('42P01');
    expect(s.gw.executed.length - before).toBe(2);
  });

  it('text values of every type as pg parses them', async () => {
    const r = await c.query({ text: 'select types', rowMode: 'array' });
    expect(r.fields.map((f) => f.dataTypeID)).toEqual([16, 21, 23, 20, 701, 1700, 25, 1082, 1114, 1184, 2950, 114, 1007, 17, 1186, 114]);
    const row = r.rows[0] as unknown[];
    expect(row[0]).toBe(true);
    expect(row[1]).toBe(-2);
    expect(row[3]).toBe('9007199254740993');
    expect(row[4]).toBe(0.5);
    expect(row[5]).toBe('123.450');
    expect(row[6]).toBe("it's ✓");
    expect(row[11]).toEqual({ k: [1, 2] });
    expect(row[12]).toEqual([1, null, 3]);
    expect(row[13]).toEqual(Buffer.from([0, 255]));
    expect(row[15]).toEqual({ a: 1, b: 'x' });
  });

  it('binds parameters (extended protocol) and decodes them', async () => {
    const r = await c.query({ text: 'select echo($1, $2, $3, $4)', values: [41, 'x', null, Buffer.from([1, 2])], rowMode: 'array' });
    // pg sends Buffers in binary format: with no declared type they stay bytes.
    expect(r.rows[0]).toEqual(['string:41', 'string:x', null, 'bytes:0102']);
    const req = s.gw.last().req;
    expect(req.params).toEqual(['41', 'x', null, new Uint8Array([1, 2])]);
    expect(req.protocol).toBe('postgres');
    expect(req.user).toBe('demo');
    expect(req.database).toBe('demo');
    expect(req.source).toBe('pg-tests');
    expect(req.clientTags).toEqual(['pg-tests']);
    expect(req.remoteAddress).toMatch(/127\.0\.0\.1/);
  });

  it('typed parameters are decoded into the SqlType value convention', async () => {
    const r = await c.query({ text: 'select echo($1, $2, $3, $4)', values: ['7', 't', '2024-02-29', '9007199254740993'], types: undefined, rowMode: 'array' });
    expect(r.rows.length).toBe(1);
    // pg sends OID 0 (unknown) for all: values stay text.
    expect(s.gw.last().req.params).toEqual(['7', 't', '2024-02-29', '9007199254740993']);
  });

  it('named prepared statements are parsed once and reused', async () => {
    const a = await c.query({ name: 'q-echo', text: 'select echo($1)', values: ['a'], rowMode: 'array' });
    const b = await c.query({ name: 'q-echo', text: 'select echo($1)', values: ['b'], rowMode: 'array' });
    expect([a.rows[0], b.rows[0]]).toEqual([['string:a'], ['string:b']]);
  });

  it('syntax error carries SQLSTATE and position; the connection stays usable', async () => {
    const e = await errorOf(c.query('selec 1'));
    expect(e.code).toBe('42601');
    expect(e.position).toBe('1');
    const e2 = await errorOf(c.query('select 1 as one; selec 1'));
    expect(e2.position).toBe('18');
    expect((await c.query('select 3 as three')).rows).toEqual([{ three: 3 }]);
  });

  it('non-registry errors become XX000 with their message', async () => {
    const e = await errorOf(c.query('select boom'));
    expect(e.code).toBe('XX000');
    expect(e.message).toMatch(/boom/);
    expect((await c.query('select 4 as four')).rows).toEqual([{ four: 4 }]);
  });

  it('errors in the extended protocol discard until Sync and the connection survives', async () => {
    const e = await errorOf(c.query({ text: 'select * from missing_table where x = $1', values: [1] }));
    expect(e.code).toBe('42P01');
    expect((await c.query({ text: 'select echo($1)', values: ['ok'], rowMode: 'array' })).rows).toEqual([['string:ok']]);
  });

  it('SET/SHOW of client-session variables are answered locally', async () => {
    const before = s.gw.executed.length;
    await c.query("set application_name = 'renamed'");
    expect((await c.query('show application_name')).rows).toEqual([{ application_name: 'renamed' }]);
    expect((await c.query('SHOW transaction isolation level')).rows).toEqual([{ transaction_isolation: 'read committed' }]);
    expect((await c.query('show standard_conforming_strings')).rows).toEqual([{ standard_conforming_strings: 'on' }]);
    expect((await c.query('show DateStyle')).rows).toEqual([{ DateStyle: 'ISO, MDY' }]);
    await c.query('set extra_float_digits = 3');
    await c.query("SET TIME ZONE 'Europe/Paris'");
    expect((await c.query('show timezone')).rows).toEqual([{ TimeZone: 'Europe/Paris' }]);
    await c.query('SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE');
    expect((await c.query('show default_transaction_isolation')).rows).toEqual([{ default_transaction_isolation: 'serializable' }]);
    await c.query('reset all');
    expect((await c.query('show application_name')).rows).toEqual([{ application_name: 'pg-tests' }]);
    expect(s.gw.executed.length).toBe(before);
    const e = await errorOf(c.query("set DateStyle = 'German'"));
    expect(e.code).toBe('0A000');
    await c.query('set search_path = public');
    expect(s.gw.last().req.sql).toBe('set search_path = public');
    expect(s.gw.last().req.session.settings.get('application_name')).toBe('pg-tests');
  });

  it('SET through the extended protocol reports ParameterStatus', async () => {
    const seen: string[] = [];
    const conn = (c as unknown as { connection: { on(ev: string, f: (m: { parameterName: string; parameterValue: string }) => void): void } }).connection;
    conn.on('parameterStatus', (m) => seen.push(`${m.parameterName}=${m.parameterValue}`));
    await c.query({ text: "set application_name to 'via-extended'", values: [] });
    await c.query("set application_name to 'pg-tests'");
    expect(seen).toEqual(['application_name=via-extended', 'application_name=pg-tests']);
  });

  it('transactions: failed state gives 25P02 until ROLLBACK', async () => {
    await c.query('begin');
    await errorOf(c.query('select * from nope'));
    const e = await errorOf(c.query('select 1 as one'));
    expect(e.code).toBe('25P02');
    const r = await c.query('commit');
    // COMMIT of a failed transaction rolls back, like PostgreSQL.
    expect(r.command).toBe('ROLLBACK');
    expect(s.gw.last().req.sql).toBe('ROLLBACK');
    expect((await c.query('select 5 as five')).rows).toEqual([{ five: 5 }]);
  });

  it('pg-cursor reads a portal in row-limited chunks (PortalSuspended + resume)', async () => {
    type CursorLike = pg.Submittable & { read(n: number): Promise<{ n: number }[]>; close(): Promise<void> };
    const Cursor = createRequire(import.meta.url)('pg-cursor') as new (text: string) => CursorLike;
    const cursor = c.query(new Cursor('select ints(10)'));
    const sizes: number[] = [];
    const all: number[] = [];
    for (;;) {
      const rows = await cursor.read(3);
      if (rows.length === 0) break;
      sizes.push(rows.length);
      all.push(...rows.map((r) => r.n));
    }
    await cursor.close();
    expect(sizes).toEqual([3, 3, 3, 1]);
    expect(all).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('cancel: pg cancel aborts the gateway signal and returns 57014', async () => {
    const p = c.query('select sleep');
    await until(() => s.gw.last().req.sql === 'select sleep');
    const { signal } = s.gw.last();
    const other = client(s);
    (other as unknown as { cancel(target: pg.Client, q: unknown): void }).cancel(c, (c as unknown as { activeQuery: unknown }).activeQuery);
    const e = await errorOf(p);
    expect(e.code).toBe('57014');
    expect(signal?.aborted).toBe(true);
    expect((await c.query('select 6 as six')).rows).toEqual([{ six: 6 }]);
  });

  it('statement_timeout aborts slow statements with 57014', async () => {
    await c.query("set statement_timeout = '100ms'");
    const e = await errorOf(c.query('select sleep'));
    expect(e.code).toBe('57014');
    expect(e.message).toMatch(/statement timeout/);
    await c.query('set statement_timeout = 0');
  });

  it('empty query gets EmptyQueryResponse', async () => {
    const r = await c.query('  ;  -- nothing');
    expect(r.rows).toEqual([]);
  });
});

describe('pg frontend: postgres (porsager) client', () => {
  let s: Server;
  let sql: postgres.Sql;
  beforeAll(async () => {
    s = await startServer('md5');
    sql = postgres({ host: '127.0.0.1', port: s.fe.port, user: 'demo', password: 'demo', database: 'demo', max: 1 });
  });
  afterAll(async () => {
    await sql.end();
    await s.fe.close();
  });

  it('prepared statements with typed parameters (Describe S, then Bind)', async () => {
    const rows = await sql`select echo(${1}, ${'x'}, ${true})`;
    // Booleans are sent typed (OID 16) and arrive as booleans.
    expect(Object.values(rows[0]!)).toEqual(['string:1', 'string:x', 'boolean:true']);
    expect(s.gw.described.length).toBeGreaterThan(0);
  });

  it('simple queries and errors', async () => {
    expect(await sql.unsafe('select ints(3)')).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    const e = await errorOf(sql.unsafe('select * from nope'));
    expect(e.code).toBe('42P01');
    expect(await sql.unsafe('select 8 as eight')).toEqual([{ eight: 8 }]);
  });

  it('decodes types the postgres client knows', async () => {
    const [row] = await sql.unsafe('select types');
    expect(row!.b).toBe(true);
    expect(row!.i4).toBe(42);
    expect(row!.d).toBeInstanceOf(Date);
    expect(row!.j).toEqual({ k: [1, 2] });
  });
});

describe('pg frontend: raw protocol', () => {
  let s: Server;
  beforeAll(async () => {
    s = await startServer('trust');
  });
  afterAll(async () => {
    await s.fe.close();
  });

  it('startup sends ParameterStatus, BackendKeyData and ReadyForQuery I', async () => {
    const c = await RawClient.open(s.fe.port);
    c.send(serialize.startup({ user: 'demo', application_name: 'raw' }));
    const frames = await c.readUntil('Z');
    const params = new Map<string, string>();
    for (const f of frames.filter((x) => x.code === 'S')) {
      const z = f.body.indexOf(0);
      params.set(f.body.toString('utf8', 0, z), f.body.toString('utf8', z + 1, f.body.length - 1));
    }
    expect(params.get('server_version')).toMatch(/^15\.0/);
    expect(params.get('server_encoding')).toBe('UTF8');
    expect(params.get('client_encoding')).toBe('UTF8');
    expect(params.get('DateStyle')).toBe('ISO, MDY');
    expect(params.get('IntervalStyle')).toBe('postgres');
    expect(params.get('TimeZone')).toBe('UTC');
    expect(params.get('integer_datetimes')).toBe('on');
    expect(params.get('standard_conforming_strings')).toBe('on');
    expect(params.get('application_name')).toBe('raw');
    expect(params.get('is_superuser')).toBe('off');
    expect(params.get('session_authorization')).toBe('demo');
    expect(frames.some((f) => f.code === 'K')).toBe(true);
    expect(frames.at(-1)!.body.toString()).toBe('I');
    c.send(serialize.end());
    await c.readToClose();
  });

  it('answers GSSENCRequest with N and SSLRequest with N when TLS is off', async () => {
    const c = await RawClient.open(s.fe.port);
    c.send(Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x30]));
    await until(() => (c as unknown as { buf: Buffer }).buf.length >= 1);
    expect((c as unknown as { buf: Buffer }).buf.toString()).toBe('N');
    (c as unknown as { buf: Buffer }).buf = Buffer.alloc(0);
    c.send(serialize.requestSsl());
    await until(() => (c as unknown as { buf: Buffer }).buf.length >= 1);
    expect((c as unknown as { buf: Buffer }).buf.toString()).toBe('N');
    (c as unknown as { buf: Buffer }).buf = Buffer.alloc(0);
    c.send(serialize.startup({ user: 'demo' }));
    await c.readUntil('Z');
    c.close();
  });

  it('empty simple query → EmptyQueryResponse', async () => {
    const c = await RawClient.session(s.fe.port);
    c.send(serialize.query(''));
    expect(codes(await c.readUntil('Z'))).toBe('IZ');
    c.close();
  });

  it('transaction status bytes follow BEGIN / error / ROLLBACK, also inside one simple query', async () => {
    const c = await RawClient.session(s.fe.port);
    const status = async (sql: string): Promise<string> => {
      c.send(serialize.query(sql));
      const fs = await c.readUntil('Z');
      return fs.at(-1)!.body.toString();
    };
    expect(await status('begin')).toBe('T');
    expect(await status('select * from nope')).toBe('E');
    expect(await status('select 1 as one')).toBe('E');
    expect(await status('rollback')).toBe('I');
    expect(await status('begin; select 1 as one; commit')).toBe('I');
    expect(await status('start transaction; select 1 as one')).toBe('T');
    expect(await status('end')).toBe('I');
    expect(await status('begin; savepoint a; select * from nope')).toBe('E');
    expect(await status('rollback to savepoint a')).toBe('T');
    expect(await status('abort')).toBe('I');
    c.close();
  });

  it('binary result formats: all, per column, and RowDescription formats', async () => {
    const c = await RawClient.session(s.fe.port);
    c.send(
      serialize.parse({ name: 'st', text: 'select types' }),
      serialize.bind({ statement: 'st', binary: true }),
      serialize.describe({ type: 'P' }),
      serialize.execute(),
      serialize.sync(),
    );
    const fs = await c.readUntil('Z');
    expect(codes(fs)).toBe('12TDCZ');
    const row = dataRowFields(fs[3]!);
    expect(row[0]!.toString('hex')).toBe('01');
    expect(row[1]!.readInt16BE(0)).toBe(-2);
    expect(row[2]!.readInt32BE(0)).toBe(42);
    expect(row[3]!.readBigInt64BE(0)).toBe(9007199254740993n);
    expect(row[4]!.readDoubleBE(0)).toBe(0.5);
    expect(row[6]!.toString()).toBe("it's ✓");
    expect(row[7]!.readInt32BE(0)).toBe(8825);
    expect(row[10]!.toString('hex')).toBe('a0eebc999c0b4ef8bb6d6bb9bd380a11');
    expect(row[13]!.toString('hex')).toBe('00ff');
    // Per-column formats: text, binary, text.
    const bind = Buffer.concat([Buffer.from('\0st\0'), Buffer.from([0, 0, 0, 0, 0, 16]), ...Array.from({ length: 16 }, (_, i) => Buffer.from([0, i === 2 ? 1 : 0]))]);
    const bindMsg = Buffer.concat([Buffer.from('B'), Buffer.from([0, 0, 0, 4 + bind.length].map((x, i) => (i === 3 ? x & 0xff : i === 2 ? (4 + bind.length) >> 8 : 0))), bind]);
    c.send(bindMsg, serialize.describe({ type: 'P' }), serialize.execute(), serialize.sync());
    const fs2 = await c.readUntil('Z');
    expect(codes(fs2)).toBe('2TDCZ');
    const r2 = dataRowFields(fs2[2]!);
    expect(r2[1]!.toString()).toBe('-2');
    expect(r2[2]!.readInt32BE(0)).toBe(42);
    // Format codes in RowDescription: field 2 binary, others text.
    const td = fs2[1]!.body;
    let p = 2;
    const formats: number[] = [];
    for (let i = 0; i < 16; i++) {
      p = td.indexOf(0, p) + 1 + 4 + 2 + 4 + 2 + 4;
      formats.push(td.readInt16BE(p));
      p += 2;
    }
    expect(formats).toEqual(formats.map((_, i) => (i === 2 ? 1 : 0)));
    c.close();
  });

  it('Describe S returns ParameterDescription with declared and described types', async () => {
    const c = await RawClient.session(s.fe.port);
    c.send(serialize.parse({ name: 'd1', text: 'select echo($1, $2)', types: [23] }), serialize.describe({ type: 'S', name: 'd1' }), serialize.sync());
    const fs = await c.readUntil('Z');
    expect(codes(fs)).toBe('1tTZ');
    const t = fs[1]!.body;
    expect([t.readInt16BE(0), t.readUInt32BE(2), t.readUInt32BE(6)]).toEqual([2, 23, 25]);
    expect(s.gw.described.at(-1)!.paramTypes).toEqual([{ kind: 'int4' }]);
    c.send(serialize.parse({ name: 'd2', text: 'begin' }), serialize.describe({ type: 'S', name: 'd2' }), serialize.sync());
    expect(codes(await c.readUntil('Z'))).toBe('1tnZ');
    c.close();
  });

  it('binary parameters of declared types are decoded', async () => {
    const c = await RawClient.session(s.fe.port);
    const i4 = Buffer.alloc(4);
    i4.writeInt32BE(-7);
    const f8 = Buffer.alloc(8);
    f8.writeDoubleBE(2.5);
    const ts = Buffer.from('00000000000f4240', 'hex');
    c.send(
      serialize.parse({ text: 'select echo($1, $2, $3, $4, $5)', types: [23, 701, 1114, 16, 0] }),
      serialize.bind({ values: [i4, f8, ts, Buffer.from([1]), Buffer.from([9])] }),
      serialize.execute(),
      serialize.sync(),
    );
    const fs = await c.readUntil('Z');
    expect(codes(fs)).toBe('12DCZ');
    expect(dataRowFields(fs[2]!).map((b) => b!.toString())).toEqual(['number:-7', 'number:2.5', 'string:2000-01-01 00:00:01', 'boolean:true', 'bytes:09']);
    c.close();
  });

  it('bad parameter values are 22P02/22P03 errors, the connection survives', async () => {
    const c = await RawClient.session(s.fe.port);
    c.send(serialize.parse({ text: 'select echo($1)', types: [23] }), serialize.bind({ values: ['abc'] }), serialize.execute(), serialize.sync());
    const fs = await c.readUntil('Z');
    expect(codes(fs)).toBe('1EZ');
    expect(errorCode(fs[1]!)).toBe('22P02');
    c.send(serialize.query('select 1 as one'));
    expect(codes(await c.readUntil('Z'))).toBe('TDCZ');
    c.close();
  });

  it('Execute with a row limit suspends and resumes; exhausted portals complete with 0 rows', async () => {
    const c = await RawClient.session(s.fe.port);
    c.send(serialize.parse({ text: 'select ints(5)' }), serialize.bind({ portal: 'p' }), serialize.execute({ portal: 'p', rows: 2 }), serialize.flush());
    expect(codes(await c.readUntil('s'))).toBe('12DDs');
    c.send(serialize.execute({ portal: 'p', rows: 2 }), serialize.flush());
    expect(codes(await c.readUntil('s'))).toBe('DDs');
    c.send(serialize.execute({ portal: 'p', rows: 2 }), serialize.sync());
    const last = await c.readUntil('Z');
    expect(codes(last)).toBe('DCZ');
    expect(last[1]!.body.toString('utf8', 0, last[1]!.body.length - 1)).toBe('SELECT 1');
    c.close();
  });

  it('Close releases portals and statements; Sync releases unnamed portals', async () => {
    const closedBefore = s.gw.closedStreams;
    const c = await RawClient.session(s.fe.port);
    c.send(
      serialize.parse({ name: 'c1', text: 'select ints(50)' }),
      serialize.bind({ statement: 'c1', portal: 'open' }),
      serialize.execute({ portal: 'open', rows: 1 }),
      serialize.close({ type: 'P', name: 'open' }),
      serialize.close({ type: 'S', name: 'c1' }),
      serialize.bind({ statement: 'c1' }),
      serialize.sync(),
    );
    const fs = await c.readUntil('Z');
    expect(codes(fs)).toBe('12Ds33EZ');
    expect(errorCode(fs[6]!)).toBe('26000');
    await until(() => s.gw.closedStreams > closedBefore);
    c.close();
  });

  it('DEALLOCATE frees statements prepared with Parse; ALL keeps the unnamed one; an unknown name goes to the engine', async () => {
    const c = await RawClient.session(s.fe.port);
    c.send(serialize.parse({ name: 'd_a', text: 'select 1 as a' }), serialize.parse({ name: 'd_b', text: 'select 2 as b' }), serialize.parse({ text: 'select 3 as c' }), serialize.sync());
    expect(codes(await c.readUntil('Z'))).toBe('111Z');
    const executedBefore = s.gw.executed.length;
    c.send(serialize.query('DEALLOCATE d_a'));
    const one = await c.readUntil('Z');
    expect(codes(one)).toBe('CZ');
    expect(one[0]!.body.toString('utf8', 0, one[0]!.body.length - 1)).toBe('DEALLOCATE');
    c.send(serialize.query('deallocate all'));
    const all = await c.readUntil('Z');
    expect(all[0]!.body.toString('utf8', 0, all[0]!.body.length - 1)).toBe('DEALLOCATE ALL');
    expect(s.gw.executed.length).toBe(executedBefore);
    // Both names are free again.
    c.send(serialize.parse({ name: 'd_a', text: 'select 1 as a' }), serialize.parse({ name: 'd_b', text: 'select 2 as b' }), serialize.sync());
    expect(codes(await c.readUntil('Z'))).toBe('11Z');
    // Through the extended protocol, DEALLOCATE ALL keeps the unnamed statement.
    c.send(serialize.parse({ text: 'select 3 as c' }), serialize.parse({ name: 'd_all', text: 'DEALLOCATE ALL' }), serialize.bind({ statement: 'd_all', portal: 'p' }), serialize.execute({ portal: 'p' }));
    c.send(serialize.bind({}), serialize.bind({ statement: 'd_a', portal: 'q' }), serialize.sync());
    const ext = await c.readUntil('Z');
    expect(codes(ext)).toBe('112C2EZ');
    expect(errorCode(ext[5]!)).toBe('26000');
    c.send(serialize.query('DEALLOCATE sql_level_name'));
    await c.readUntil('Z');
    expect(s.gw.last().req.sql).toBe('DEALLOCATE sql_level_name');
    c.close();
  });

  it('an error is sent at once, before Sync, for clients that pipeline with Flush (asyncpg)', async () => {
    const c = await RawClient.session(s.fe.port);
    c.send(serialize.parse({ name: 'bad', text: 'selec 1' }), serialize.describe({ type: 'S', name: 'bad' }), serialize.flush());
    const fs = await c.readUntil('E');
    expect(codes(fs)).toBe('1E');
    expect(errorCode(fs[1]!)).toBe('42601');
    c.send(serialize.sync());
    expect(codes(await c.readUntil('Z'))).toBe('Z');
    c.close();
  });

  it('startup options and client_tags become settings and client tags', async () => {
    const c = await RawClient.session(s.fe.port, { application_name: 'etl', options: '-c client_tags=nightly,batch --search_path=analytics -c DateStyle=ISO,\\ DMY' });
    c.send(serialize.query('select 1 as one'));
    await c.readUntil('Z');
    const req = s.gw.last().req;
    expect(req.clientTags).toEqual(['etl', 'nightly', 'batch']);
    expect(req.source).toBe('etl');
    expect(req.session.settings.get('search_path')).toBe('analytics');
    expect(req.session.settings.get('datestyle')).toBe('ISO, DMY');
    c.close();
  });

  it('Describe S of a local SHOW and in a failed transaction', async () => {
    const c = await RawClient.session(s.fe.port);
    c.send(serialize.parse({ name: 'sh', text: 'SHOW TimeZone' }), serialize.describe({ type: 'S', name: 'sh' }), serialize.sync());
    expect(codes(await c.readUntil('Z'))).toBe('1tTZ');
    c.send(serialize.query('begin; select * from nope'));
    await c.readUntil('Z');
    c.send(serialize.parse({ name: 'q', text: 'select ints(2)' }), serialize.describe({ type: 'S', name: 'q' }), serialize.sync());
    const fs = await c.readUntil('Z');
    expect(errorCode(fs.find((f) => f.code === 'E')!)).toBe('25P02');
    c.close();
  });

  it('Parse rejects several statements; duplicate names are errors', async () => {
    const c = await RawClient.session(s.fe.port);
    c.send(serialize.parse({ text: 'select 1 as a; select 2 as b' }), serialize.sync());
    let fs = await c.readUntil('Z');
    expect(errorCode(fs[0]!)).toBe('42601');
    c.send(serialize.parse({ name: 'dup', text: 'select 1 as a' }), serialize.parse({ name: 'dup', text: 'select 1 as a' }), serialize.sync());
    fs = await c.readUntil('Z');
    expect(codes(fs)).toBe('1EZ');
    expect(errorCode(fs[1]!)).toBe('42P05');
    c.close();
  });

  it('extended-protocol error inside a transaction: E until Sync, then 25P02, ROLLBACK recovers', async () => {
    const c = await RawClient.session(s.fe.port);
    c.send(serialize.query('begin'));
    await c.readUntil('Z');
    c.send(serialize.parse({ text: 'select * from nope' }), serialize.bind(), serialize.execute(), serialize.parse({ text: 'select 1 as one' }), serialize.bind(), serialize.execute(), serialize.sync());
    const fs = await c.readUntil('Z');
    expect(codes(fs)).toBe('12EZ');
    expect(fs.at(-1)!.body.toString()).toBe('E');
    c.send(serialize.parse({ text: 'select 1 as one' }), serialize.bind(), serialize.execute(), serialize.sync());
    const fs2 = await c.readUntil('Z');
    expect(errorCode(fs2.find((f) => f.code === 'E')!)).toBe('25P02');
    c.send(serialize.query('rollback'));
    expect((await c.readUntil('Z')).at(-1)!.body.toString()).toBe('I');
    c.close();
  });

  it('COPY to the client and the function call protocol are rejected clearly', async () => {
    const c = await RawClient.session(s.fe.port);
    c.send(serialize.query('copy t from stdin'));
    const fs = await c.readUntil('Z');
    expect(errorCode(fs[0]!)).toBe('0A000');
    c.send(serialize.copyData(Buffer.from('x')), serialize.copyDone());
    const fs2 = await c.readUntil('Z');
    expect(codes(fs2)).toBe('EZ');
    c.send(serialize.query('select 1 as one'));
    expect(codes(await c.readUntil('Z'))).toBe('TDCZ');
    c.close();
  });

  it('rows stream with backpressure: a client that stops reading stops the batches', async () => {
    const c = await RawClient.session(s.fe.port);
    c.socket.pause();
    c.send(serialize.query('select big(100000)'));
    await new Promise((r) => setTimeout(r, 500));
    const produced = s.gw.produced;
    // 100 000 rows are 1000 batches (~100 MB); a paused client must hold the server at a few.
    expect(produced).toBeGreaterThan(0);
    expect(produced).toBeLessThan(200);
    c.socket.resume();
    let rows = 0;
    for (;;) {
      const f = await c.next(20_000);
      if (f === undefined || f.code === 'Z') break;
      if (f.code === 'D') rows++;
    }
    expect(rows).toBe(100_000);
    expect(s.gw.produced).toBe(1000);
    c.close();
  });

  it('rows arrive as batches are produced, before the statement completes', async () => {
    const c = await RawClient.session(s.fe.port);
    c.send(serialize.query('select slow(5)'));
    const first = await c.readUntil('D');
    expect(codes(first)).toBe('TD');
    c.close();
  });

  it('CancelRequest needs the right secret key', async () => {
    const c = await RawClient.open(s.fe.port);
    c.send(serialize.startup({ user: 'demo' }));
    const key = (await c.readUntil('Z')).find((f) => f.code === 'K')!.body;
    const [pid, secret] = [key.readInt32BE(0), key.readInt32BE(4)];
    c.send(serialize.query('select sleep'));
    await until(() => s.gw.last().req.sql === 'select sleep');
    const { signal } = s.gw.last();
    const cancel = async (p: number, k: number): Promise<void> => {
      const x = await RawClient.open(s.fe.port);
      x.send(serialize.cancel(p, k));
      // The server says nothing and closes the cancel connection.
      expect(await x.readToClose()).toEqual([]);
    };
    await cancel(pid, secret ^ 1);
    await cancel(pid + 1, secret);
    await new Promise((r) => setTimeout(r, 100));
    expect(signal?.aborted).toBe(false);
    await cancel(pid, secret);
    const fs = await c.readUntil('Z');
    expect(errorCode(fs[0]!)).toBe('57014');
    expect(signal?.aborted).toBe(true);
    c.close();
  });

  it('client disconnect mid-query aborts it and ends the session', async () => {
    const c = await RawClient.session(s.fe.port);
    const endedBefore = s.gw.ended.length;
    c.send(serialize.query('select sleep'));
    await until(() => s.gw.last().req.sql === 'select sleep');
    const { signal } = s.gw.last();
    c.close();
    await until(() => signal?.aborted === true);
    await until(() => s.gw.ended.length > endedBefore);
  });

  it('Terminate closes cleanly and ends the session', async () => {
    const endedBefore = s.gw.ended.length;
    const c = await RawClient.session(s.fe.port);
    c.send(serialize.end());
    expect(await c.readToClose()).toEqual([]);
    await until(() => s.gw.ended.length > endedBefore);
  });
});

describe('pg frontend: malformed input', () => {
  let s: Server;
  let healthy: pg.Client;
  beforeAll(async () => {
    s = await startServer('scram-sha-256');
    healthy = client(s);
    await healthy.connect();
  });
  afterAll(async () => {
    await healthy.end();
    await s.fe.close();
  });
  afterEach(async () => {
    // Another connection keeps working whatever the bad one sent.
    expect((await healthy.query('select 9 as nine')).rows).toEqual([{ nine: 9 }]);
  });

  it('random bytes instead of a startup packet: closed, nothing else affected', async () => {
    let seed = 7;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 256);
    for (let k = 0; k < 20; k++) {
      const c = await RawClient.open(s.fe.port);
      c.send(Buffer.from(Array.from({ length: 200 }, rnd)));
      const fs = await c.readToClose();
      // 0A000 when the garbage happens to read as an unsupported protocol version.
      for (const f of fs) if (f.code === 'E') expect(['08P01', '0A000']).toContain(errorCode(f));
    }
  });

  it('well-framed messages with random bodies never take the server down', async () => {
    const trust = await startServer('trust');
    let seed = 99;
    const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    try {
      for (let k = 0; k < 30; k++) {
        const c = await RawClient.session(trust.fe.port);
        const frames: Buffer[] = [];
        for (let i = 0; i < 40; i++) {
          const body = Buffer.from(Array.from({ length: rnd(40) }, () => (rnd(4) === 0 ? 0 : rnd(256))));
          const code = 'QPBDECSHpFdcf'[rnd(13)]!;
          const f = Buffer.alloc(5 + body.length);
          f[0] = code.charCodeAt(0);
          f.writeInt32BE(4 + body.length, 1);
          body.copy(f, 5);
          frames.push(f);
        }
        c.send(...frames, serialize.sync());
        await new Promise((r) => setTimeout(r, 20));
        c.close();
      }
      expect((await withClient(trust, (c) => c.query('select 1 as one'))).rows).toEqual([{ one: 1 }]);
      await until(() => trust.fe.connections() === 0);
    } finally {
      await trust.fe.close();
    }
  });

  it('random bytes after startup: 08P01 ErrorResponse then close', async () => {
    const trust = await startServer('trust');
    try {
      const c = await RawClient.session(trust.fe.port);
      c.send(Buffer.from('!garbage that is no message at all'));
      const fs = await c.readToClose();
      expect(codes(fs)).toBe('E');
      expect(errorCode(fs[0]!)).toBe('08P01');
      await until(() => trust.fe.connections() === 0);
    } finally {
      await trust.fe.close();
    }
  });

  it('absurd length field: 08P01 then close', async () => {
    const trust = await startServer('trust');
    try {
      const c = await RawClient.session(trust.fe.port);
      c.send(Buffer.from([0x51, 0x7f, 0xff, 0xff, 0xff]));
      const fs = await c.readToClose();
      expect(errorCode(fs[0]!)).toBe('08P01');
      const c2 = await RawClient.open(trust.fe.port);
      c2.send(Buffer.from([0x7f, 0xff, 0xff, 0xff, 0, 3, 0, 0]));
      expect(errorCode((await c2.readToClose())[0]!)).toBe('08P01');
    } finally {
      await trust.fe.close();
    }
  });

  it('truncated message then disconnect: no crash, connection released', async () => {
    const before = s.fe.connections();
    const c = await RawClient.open(s.fe.port);
    const startup = serialize.startup({ user: 'demo' });
    c.send(startup.subarray(0, startup.length - 3));
    await new Promise((r) => setTimeout(r, 50));
    c.close();
    await until(() => s.fe.connections() === before);
  });

  it('a message where a password is expected fails that connection only', async () => {
    const c = await RawClient.open(s.fe.port);
    c.send(serialize.startup({ user: 'demo' }));
    await c.readUntil('R');
    c.send(serialize.query('select 1'));
    const fs = await c.readToClose();
    expect(errorCode(fs[0]!)).toBe('08P01');
  });

  it('a malformed SCRAM exchange fails that connection only', async () => {
    const c = await RawClient.open(s.fe.port);
    c.send(serialize.startup({ user: 'demo' }));
    await c.readUntil('R');
    c.send(serialize.sendSASLInitialResponseMessage('SCRAM-SHA-256', 'garbage'));
    const fs = await c.readToClose();
    expect(errorCode(fs[0]!)).toBe('08P01');
  });
});

describe('pg frontend: limits, shutdown, TLS', () => {
  it('maxConnections refuses extra sessions with 53300', async () => {
    const s = await startServer('trust', { maxConnections: 1 });
    try {
      await withClient(s, async () => {
        const e = await errorOf(client(s).connect());
        expect(e.code).toBe('53300');
        expect(e.message).toBe('too many connections (limit 1)');
      });
      // The slot is released on disconnect.
      await until(() => s.fe.connections() === 0);
      expect((await withClient(s, (c) => c.query('select 1 as one'))).rows).toEqual([{ one: 1 }]);
    } finally {
      await s.fe.close();
    }
  });

  it('close() ends every connection', async () => {
    const s = await startServer('trust');
    const c = client(s);
    await c.connect();
    const ended = new Promise<void>((resolve) => c.on('error', () => resolve()).on('end', () => resolve()));
    expect(s.fe.connections()).toBe(1);
    await s.fe.close();
    await ended;
    expect(s.fe.connections()).toBe(0);
  });

  describe('TLS', () => {
    let cert: Buffer;
    let key: Buffer;
    beforeAll(() => {
      const dir = mkdtempSync(join(tmpdir(), 'qf-pg-tls-'));
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
      cert = readFileSync(join(dir, 'cert.pem'));
      key = readFileSync(join(dir, 'key.pem'));
    });

    it('SSLRequest upgrades to TLS; SCRAM and queries work over it', async () => {
      const s = await startServer('scram-sha-256', { tls: { cert, key, required: false } });
      try {
        const r = await withClient(s, (c) => c.query('select ints(3)'), { ssl: { rejectUnauthorized: false } });
        expect(r.rows.length).toBe(3);
        // The session over TLS is released when the client leaves.
        await until(() => s.fe.connections() === 0 && s.gw.ended.length === 1);
        // Without TLS is still allowed when not required.
        expect((await withClient(s, (c) => c.query('select 1 as one'))).rows).toEqual([{ one: 1 }]);
      } finally {
        await s.fe.close();
      }
    });

    it('required TLS refuses plaintext clients with 28000', async () => {
      const s = await startServer('scram-sha-256', { tls: { cert, key, required: true } });
      try {
        const e = await errorOf(client(s).connect());
        expect(e.code).toBe('28000');
        expect((await withClient(s, (c) => c.query('select 1 as one'), { ssl: { rejectUnauthorized: false } })).rows).toEqual([{ one: 1 }]);
      } finally {
        await s.fe.close();
      }
    });
  });
});
