/**
 * The query cycle on a backend connection, spoken directly. `pg` opens the connection (TLS,
 * startup, every authentication method, BackendKeyData) and the pool manages it; from the first
 * statement on, this class owns the socket's incoming bytes: it writes Query or
 * Parse/Bind/Describe/Execute/Sync and frames the answers itself.
 *
 * Why: pg decodes every DataRow field into a JS string (and builds a message object per
 * backend message); the PostgreSQL frontend then encodes those strings back into the very same
 * bytes. Here consecutive DataRow messages of a text result are handed on as one slice of the
 * received chunk — the frontend writes them to its client unchanged — and only consumers that
 * need values (binary formats, other protocols, converted types) decode fields.
 *
 * Statements are pipelined in order: each handler receives its messages up to ReadyForQuery.
 */
import type { Socket } from 'node:net';

/** Backend → frontend message codes this layer acts on. */
const ROW_DESCRIPTION = 0x54; // T
const DATA_ROW = 0x44; // D
const COMMAND_COMPLETE = 0x43; // C
const EMPTY_QUERY = 0x49; // I
const ERROR_RESPONSE = 0x45; // E
const READY_FOR_QUERY = 0x5a; // Z
const PARAMETER_DESCRIPTION = 0x74; // t
const NO_DATA = 0x6e; // n
const PORTAL_SUSPENDED = 0x73; // s
const COPY_IN = 0x47; // G
const COPY_BOTH = 0x57; // W

/** A field of a RowDescription. */
export interface WireField {
  readonly name: string;
  readonly dataTypeID: number;
  readonly dataTypeModifier: number;
}

/** An ErrorResponse, shaped like pg's DatabaseError so the same mapping applies. */
export class BackendError extends Error {
  code?: string;
  severity?: string;
  detail?: string;
  hint?: string;
  position?: string;
}

/** What a statement's handler receives, in protocol order, ending with readyForQuery or failed. */
export interface WireHandler {
  rowDescription(fields: WireField[]): void;
  /** `count` complete DataRow messages (type byte and length included) in `chunk[start, end)`. */
  dataRows(chunk: Buffer, start: number, end: number, count: number): void;
  commandComplete(tag: string): void;
  emptyQuery(): void;
  parameterDescription?(oids: number[]): void;
  error(err: BackendError): void;
  readyForQuery(status: number): void;
  /** The connection failed before ReadyForQuery: the statement is over. */
  failed(err: Error): void;
}

/** Parameter values as pg's Connection.bind took them: text, bytes (sent in binary) or null. */
export type WireParam = string | Buffer | null;

export class BackendWire {
  /** Received bytes of an incomplete message, kept as chunks until the whole message is here. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes the pending message needs in all (its header's length + 1, or 5 while the header is incomplete). */
  private pendingNeeds = 0;
  private readonly queue: WireHandler[] = [];
  private dead: Error | undefined;
  private paused = false;

  private constructor(private readonly stream: Socket) {}

  /** Take over the incoming bytes of a connected, idle pg client's socket. */
  static attach(stream: Socket): BackendWire {
    const wire = new BackendWire(stream);
    // pg-protocol listens with one 'data' handler feeding its parser; the connection is idle
    // (ReadyForQuery seen), so its parser holds no partial message and nothing is lost.
    for (const l of stream.listeners('data')) stream.removeListener('data', l as (...args: unknown[]) => void);
    stream.on('data', wire.onData);
    const gone = (err?: Error) => wire.fail(err ?? new Error('backend connection closed'));
    stream.on('error', gone);
    stream.on('close', () => gone());
    stream.on('end', () => gone());
    return wire;
  }

  /** True once the connection failed or closed; such a wire is never reused. */
  get broken(): boolean {
    return this.dead !== undefined;
  }

  /** Statements written and not yet at ReadyForQuery. */
  get inFlight(): number {
    return this.queue.length;
  }

  /** Stop reading (backpressure); the kernel buffers fill and the backend waits. */
  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.stream.pause();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.stream.resume();
  }

  /** Simple query protocol: one Query message. */
  query(sql: string, handler: WireHandler): void {
    const len = Buffer.byteLength(sql);
    const b = Buffer.allocUnsafe(1 + 4 + len + 1);
    b[0] = 0x51; // Q
    b.writeInt32BE(4 + len + 1, 1);
    b.write(sql, 5, 'utf8');
    b[5 + len] = 0;
    this.send(b, handler);
  }

  /** Extended protocol on the unnamed statement and portal: Parse, Bind, Describe portal, Execute, Sync. */
  execute(sql: string, params: readonly WireParam[], handler: WireHandler): void {
    const parts = [parseMessage(sql), bindMessage(params), DESCRIBE_PORTAL, EXECUTE_ALL, SYNC];
    this.send(Buffer.concat(parts), handler);
  }

  /** Parse and Describe the unnamed statement (parameter types and columns), without executing. */
  describe(sql: string, handler: WireHandler): void {
    this.send(Buffer.concat([parseMessage(sql), DESCRIBE_STATEMENT, SYNC]), handler);
  }

  private send(bytes: Buffer, handler: WireHandler): void {
    if (this.dead !== undefined) {
      const err = this.dead;
      queueMicrotask(() => handler.failed(err));
      return;
    }
    this.queue.push(handler);
    this.stream.write(bytes);
  }

  private fail(err: Error): void {
    if (this.dead !== undefined) return;
    this.dead = err;
    for (const h of this.queue.splice(0)) h.failed(err);
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.pending.length === 0) return this.parse(chunk, 0);
    // A message began in an earlier chunk: copy only what completes it (a large value arrives in
    // many chunks and is joined once), then go on in this chunk where the message ended — the
    // chunk itself is never copied.
    let from = 0;
    if (this.pendingNeeds === 5) {
      const headerMissing = 5 - this.pendingBytes;
      if (chunk.length < headerMissing) return this.hold(chunk);
      const header = Buffer.concat([...this.pending, chunk.subarray(0, headerMissing)], 5);
      const len = header.readInt32BE(1);
      if (len < 4) return this.protocolError(`message length ${len} < 4`);
      this.pending = [header];
      this.pendingBytes = 5;
      this.pendingNeeds = 1 + len;
      from = headerMissing;
    }
    const missing = this.pendingNeeds - this.pendingBytes;
    if (chunk.length - from < missing) return this.hold(from === 0 ? chunk : chunk.subarray(from));
    this.pending.push(chunk.subarray(from, from + missing));
    const message = Buffer.concat(this.pending, this.pendingNeeds);
    this.pending = [];
    this.pendingBytes = 0;
    this.parse(message, 0);
    if (from + missing < chunk.length) this.parse(chunk, from + missing);
  };

  /** Keep part of an incomplete message. */
  private hold(part: Buffer): void {
    this.pending.push(part);
    this.pendingBytes += part.length;
  }

  /** Messages in buf from `off`: runs of DataRows handed over as slices, others dispatched; a partial one at the end is kept. */
  private parse(buf: Buffer, off: number): void {
    const n = buf.length;
    // A run of consecutive DataRows is handed over as one slice.
    let rowsStart = -1;
    let rows = 0;
    while (off + 5 <= n) {
      const code = buf[off]!;
      const len = buf.readInt32BE(off + 1);
      if (len < 4) return this.protocolError(`message length ${len} < 4`);
      const end = off + 1 + len;
      if (end > n) break;
      if (code === DATA_ROW) {
        if (rowsStart < 0) rowsStart = off;
        rows++;
        off = end;
        continue;
      }
      if (rowsStart >= 0) {
        this.queue[0]?.dataRows(buf, rowsStart, off, rows);
        rowsStart = -1;
        rows = 0;
      }
      try {
        this.dispatch(code, buf, off + 5, end);
      } catch (err) {
        // A malformed message from the backend: the connection cannot be trusted any more.
        return this.protocolError((err as Error).message);
      }
      off = end;
    }
    if (rowsStart >= 0) this.queue[0]?.dataRows(buf, rowsStart, off, rows);
    if (off < n) {
      const rest = buf.subarray(off);
      this.pending = [rest];
      this.pendingBytes = rest.length;
      this.pendingNeeds = rest.length >= 5 ? 1 + rest.readInt32BE(1) : 5;
    }
  }

  private protocolError(detail: string): void {
    const err = new Error(`backend protocol error: ${detail}`);
    this.fail(err);
    this.stream.destroy(err);
  }

  /** One non-DataRow message whose body is buf[start, end). */
  private dispatch(code: number, buf: Buffer, start: number, end: number): void {
    const h = this.queue[0];
    switch (code) {
      case ROW_DESCRIPTION:
        h?.rowDescription(readFields(buf, start, end));
        return;
      case COMMAND_COMPLETE:
        h?.commandComplete(buf.toString('utf8', start, Math.max(start, end - 1)));
        return;
      case EMPTY_QUERY:
        h?.emptyQuery();
        return;
      case ERROR_RESPONSE:
        h?.error(readError(buf, start, end));
        return;
      case PARAMETER_DESCRIPTION: {
        const count = buf.readInt16BE(start);
        const oids: number[] = [];
        for (let i = 0; i < count; i++) oids.push(buf.readUInt32BE(start + 2 + 4 * i));
        h?.parameterDescription?.(oids);
        return;
      }
      case READY_FOR_QUERY:
        this.queue.shift();
        h?.readyForQuery(buf[start] ?? 0x49);
        return;
      case COPY_IN:
      case COPY_BOTH:
        // COPY FROM STDIN cannot be fed through a gateway statement: refuse it; the backend answers with an error.
        this.stream.write(copyFail('COPY FROM STDIN is not supported through QueryFlux'));
        return;
      case NO_DATA:
      case PORTAL_SUSPENDED:
      default:
        // ParseComplete, BindComplete, CloseComplete, NoticeResponse, ParameterStatus,
        // NotificationResponse, CopyOutResponse/CopyData/CopyDone (COPY TO STDOUT rows are dropped).
        return;
    }
  }
}

function cstring(code: number, body: string): Buffer {
  const len = Buffer.byteLength(body);
  const b = Buffer.allocUnsafe(1 + 4 + len + 1);
  b[0] = code;
  b.writeInt32BE(4 + len + 1, 1);
  b.write(body, 5, 'utf8');
  b[5 + len] = 0;
  return b;
}

const SYNC = Buffer.from([0x53, 0, 0, 0, 4]);
const DESCRIBE_PORTAL = Buffer.from([0x44, 0, 0, 0, 6, 0x50, 0]);
const DESCRIBE_STATEMENT = Buffer.from([0x44, 0, 0, 0, 6, 0x53, 0]);
const EXECUTE_ALL = Buffer.from([0x45, 0, 0, 0, 9, 0, 0, 0, 0, 0]);

function copyFail(message: string): Buffer {
  return cstring(0x66, message);
}

/** Parse: unnamed statement, no declared parameter types (the backend infers them). */
function parseMessage(sql: string): Buffer {
  const len = Buffer.byteLength(sql);
  const b = Buffer.allocUnsafe(1 + 4 + 1 + len + 1 + 2);
  b[0] = 0x50; // P
  b.writeInt32BE(4 + 1 + len + 1 + 2, 1);
  b[5] = 0;
  b.write(sql, 6, 'utf8');
  b[6 + len] = 0;
  b.writeInt16BE(0, 7 + len);
  return b;
}

/** Bind: unnamed portal and statement; strings as text, Buffers as binary (like pg), all results text. */
function bindMessage(params: readonly WireParam[]): Buffer {
  const n = params.length;
  let size = 4 + 1 + 1 + 2 + 2 * n + 2 + 2;
  for (const p of params) size += 4 + (p === null ? 0 : typeof p === 'string' ? Buffer.byteLength(p) : p.length);
  const b = Buffer.allocUnsafe(1 + size);
  let o = 0;
  b[o++] = 0x42; // B
  b.writeInt32BE(size, o);
  o += 4;
  b[o++] = 0; // portal ""
  b[o++] = 0; // statement ""
  b.writeInt16BE(n, o);
  o += 2;
  for (const p of params) {
    b.writeInt16BE(Buffer.isBuffer(p) ? 1 : 0, o);
    o += 2;
  }
  b.writeInt16BE(n, o);
  o += 2;
  for (const p of params) {
    if (p === null) {
      b.writeInt32BE(-1, o);
      o += 4;
    } else if (typeof p === 'string') {
      const w = b.write(p, o + 4, 'utf8');
      b.writeInt32BE(w, o);
      o += 4 + w;
    } else {
      b.writeInt32BE(p.length, o);
      p.copy(b, o + 4);
      o += 4 + p.length;
    }
  }
  b.writeInt16BE(0, o); // result formats: all text
  return b;
}

function readFields(buf: Buffer, start: number, end: number): WireField[] {
  const count = buf.readInt16BE(start);
  const fields: WireField[] = new Array(count);
  let o = start + 2;
  for (let i = 0; i < count; i++) {
    const z = buf.indexOf(0, o);
    if (z < 0 || z >= end) throw new Error('backend protocol error: truncated RowDescription');
    const name = buf.toString('utf8', o, z);
    o = z + 1;
    // table oid (4), column attr (2), then type oid (4), typlen (2), typmod (4), format (2)
    const dataTypeID = buf.readUInt32BE(o + 6);
    const dataTypeModifier = buf.readInt32BE(o + 12);
    o += 18;
    fields[i] = { name, dataTypeID, dataTypeModifier };
  }
  return fields;
}

function readError(buf: Buffer, start: number, end: number): BackendError {
  const f: Record<string, string> = {};
  let o = start;
  while (o < end && buf[o] !== 0) {
    const key = String.fromCharCode(buf[o]!);
    const z = buf.indexOf(0, o + 1);
    if (z < 0 || z >= end) break;
    f[key] = buf.toString('utf8', o + 1, z);
    o = z + 1;
  }
  const err = new BackendError(f['M'] ?? 'backend error');
  err.code = f['C'];
  err.severity = f['V'] ?? f['S'];
  err.detail = f['D'];
  err.hint = f['H'];
  err.position = f['P'];
  return err;
}

/** Decode `count`-many DataRows in buf[start, end) to text fields (null for SQL NULL). */
export function decodeDataRows(buf: Buffer, start: number, end: number, out: (string | null)[][]): void {
  let o = start;
  while (o < end) {
    const len = buf.readInt32BE(o + 1);
    const ncols = buf.readInt16BE(o + 5);
    const row: (string | null)[] = new Array(ncols);
    let p = o + 7;
    for (let c = 0; c < ncols; c++) {
      const flen = buf.readInt32BE(p);
      p += 4;
      if (flen < 0) row[c] = null;
      else {
        row[c] = buf.toString('utf8', p, p + flen);
        p += flen;
      }
    }
    out.push(row);
    o += 1 + len;
  }
}
