/**
 * Bytes → frontend messages. Handles messages split at any byte offset and several coalesced in
 * one chunk. Length fields are checked, never trusted. Received data is never written over once
 * a message may hold a view into it (Bind parameters are subarrays), so growth always copies
 * into a fresh buffer; growth doubles or jumps straight to the announced message size, so a
 * large message arriving in many chunks costs linear, not quadratic, copying.
 */
import { qfError } from '../../../core/errors.js';
import {
  CANCEL_REQUEST_CODE,
  GSSENC_REQUEST_CODE,
  SSL_REQUEST_CODE,
  type FormatCode,
  type FrontendMessage,
  type StartupPacket,
} from './messages.js';

/** Hard ceiling on any length field, whatever the configured limit. */
const ABSOLUTE_MAX = 1 << 30;
/** Startup packets are small; PostgreSQL itself caps them at 10 000 bytes. */
const MAX_STARTUP_LENGTH = 10_000;
export const DEFAULT_MAX_MESSAGE_SIZE = 64 * 1024 * 1024;

export interface ReaderOptions {
  /** Largest accepted message, length field included (default 64 MiB, never above 1 GiB). */
  readonly maxMessageSize?: number;
}

function violation(detail: string): Error {
  return qfError('QF_PROTOCOL_VIOLATION', { detail });
}

/** Bounds-checked cursor over one message body. */
class Cursor {
  constructor(
    private readonly buf: Buffer,
    public pos: number,
    private readonly end: number,
    private readonly what: string,
  ) {}

  private need(n: number): void {
    if (this.pos + n > this.end) throw violation(`${this.what} message is truncated`);
  }

  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  byte(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  cstring(): string {
    const z = this.buf.indexOf(0, this.pos);
    if (z < 0 || z >= this.end) throw violation(`${this.what} message has an unterminated string`);
    const s = this.buf.toString('utf8', this.pos, z);
    this.pos = z + 1;
    return s;
  }

  bytes(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  rest(): Buffer {
    const b = this.buf.subarray(this.pos, this.end);
    this.pos = this.end;
    return b;
  }

  count(label: string, max: number): number {
    const n = this.int16();
    // int16 on the wire is unsigned in spirit; negative means garbage.
    if (n < 0 || n > max) throw violation(`${this.what} message has an invalid ${label} count ${n}`);
    return n;
  }

  formats(label: string): FormatCode[] {
    const n = this.count(label, this.end - this.pos);
    const out: FormatCode[] = new Array<FormatCode>(n);
    for (let i = 0; i < n; i++) {
      const f = this.int16();
      if (f !== 0 && f !== 1) throw violation(`${this.what} message has an invalid format code ${f}`);
      out[i] = f;
    }
    return out;
  }

  done(): void {
    if (this.pos !== this.end) throw violation(`${this.what} message has ${this.end - this.pos} unexpected trailing bytes`);
  }
}

function target(c: number, what: string): 'S' | 'P' {
  if (c === 0x53) return 'S';
  if (c === 0x50) return 'P';
  throw violation(`${what} message has an invalid target '${String.fromCharCode(c)}'`);
}

/** Decode one typed message body (type byte known, body in buf[start, end)). */
function decodeTyped(code: number, buf: Buffer, start: number, end: number): FrontendMessage {
  switch (code) {
    case 0x51 /* Q */: {
      const c = new Cursor(buf, start, end, 'Query');
      const sql = c.cstring();
      c.done();
      return { type: 'Query', sql };
    }
    case 0x50 /* P */: {
      const c = new Cursor(buf, start, end, 'Parse');
      const name = c.cstring();
      const sql = c.cstring();
      const n = c.count('parameter type', (end - c.pos) >> 2);
      const paramTypes = new Array<number>(n);
      for (let i = 0; i < n; i++) paramTypes[i] = c.int32() >>> 0;
      c.done();
      return { type: 'Parse', name, sql, paramTypes };
    }
    case 0x42 /* B */: {
      const c = new Cursor(buf, start, end, 'Bind');
      const portal = c.cstring();
      const statement = c.cstring();
      const paramFormats = c.formats('parameter format');
      const n = c.count('parameter', (end - c.pos) >> 2);
      const params = new Array<Buffer | null>(n);
      for (let i = 0; i < n; i++) {
        const len = c.int32();
        if (len === -1) params[i] = null;
        else if (len < 0) throw violation(`Bind message has an invalid parameter length ${len}`);
        else params[i] = c.bytes(len);
      }
      const resultFormats = c.formats('result format');
      c.done();
      if (paramFormats.length > 1 && paramFormats.length !== n) {
        throw violation(`bind message has ${paramFormats.length} parameter formats but ${n} parameters`);
      }
      return { type: 'Bind', portal, statement, paramFormats, params, resultFormats };
    }
    case 0x44 /* D */:
    case 0x43 /* C */: {
      const what = code === 0x44 ? 'Describe' : 'Close';
      const c = new Cursor(buf, start, end, what);
      const t = target(c.byte(), what);
      const name = c.cstring();
      c.done();
      return code === 0x44 ? { type: 'Describe', target: t, name } : { type: 'Close', target: t, name };
    }
    case 0x45 /* E */: {
      const c = new Cursor(buf, start, end, 'Execute');
      const portal = c.cstring();
      const maxRows = c.int32();
      c.done();
      // PostgreSQL treats a non-positive limit as "all rows".
      return { type: 'Execute', portal, maxRows: maxRows > 0 ? maxRows : 0 };
    }
    case 0x53 /* S */:
      if (end !== start) throw violation('Sync message has a body');
      return SYNC;
    case 0x48 /* H */:
      if (end !== start) throw violation('Flush message has a body');
      return FLUSH;
    case 0x58 /* X */:
      return TERMINATE;
    case 0x70 /* p */:
      return { type: 'Password', data: buf.subarray(start, end) };
    case 0x46 /* F */:
      return FUNCTION_CALL;
    case 0x64 /* d */:
      return COPY_DATA;
    case 0x63 /* c */:
      return COPY_DONE;
    case 0x66 /* f */: {
      const c = new Cursor(buf, start, end, 'CopyFail');
      return { type: 'CopyFail', message: c.cstring() };
    }
    default:
      throw violation(`invalid frontend message type ${code} ('${code >= 32 && code < 127 ? String.fromCharCode(code) : '?'}')`);
  }
}

const SYNC: FrontendMessage = Object.freeze({ type: 'Sync' });
const FLUSH: FrontendMessage = Object.freeze({ type: 'Flush' });
const TERMINATE: FrontendMessage = Object.freeze({ type: 'Terminate' });
const FUNCTION_CALL: FrontendMessage = Object.freeze({ type: 'FunctionCall' });
const COPY_DATA: FrontendMessage = Object.freeze({ type: 'CopyData' });
const COPY_DONE: FrontendMessage = Object.freeze({ type: 'CopyDone' });

function decodeStartup(buf: Buffer, start: number, end: number): StartupPacket {
  const c = new Cursor(buf, start, end, 'startup');
  const code = c.int32();
  if (code === SSL_REQUEST_CODE || code === GSSENC_REQUEST_CODE) {
    c.done();
    return code === SSL_REQUEST_CODE ? { type: 'SSLRequest' } : { type: 'GSSENCRequest' };
  }
  if (code === CANCEL_REQUEST_CODE) {
    const processId = c.int32();
    const secretKey = c.int32();
    c.done();
    return { type: 'CancelRequest', processId, secretKey };
  }
  const majorVersion = code >>> 16;
  const minorVersion = code & 0xffff;
  const params = new Map<string, string>();
  if (majorVersion === 3) {
    for (;;) {
      if (c.pos >= end) throw violation('startup packet is not terminated');
      if (buf[c.pos] === 0) {
        c.pos++;
        break;
      }
      const key = c.cstring();
      const value = c.cstring();
      params.set(key, value);
    }
    c.done();
  }
  return { type: 'Startup', majorVersion, minorVersion, params };
}

/**
 * Incremental reader. Starts in startup mode (untyped first packet); call `expectTyped()` once
 * the startup packet is handled; `expectStartup()` goes back (after SSLRequest / GSSENCRequest).
 */
export class PgReader {
  private buf: Buffer = Buffer.alloc(0);
  private off = 0;
  private len = 0;
  /** True when `buf` is ours (spare capacity after off+len may be written). */
  private owned = false;
  private startup = true;
  private readonly maxMessageSize: number;

  constructor(opts: ReaderOptions = {}) {
    const max = opts.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
    this.maxMessageSize = Math.min(Math.max(max, 5), ABSOLUTE_MAX);
  }

  /** Next packets are typed messages. */
  expectTyped(): void {
    this.startup = false;
  }

  /** Next packet is an untyped startup packet. */
  expectStartup(): void {
    this.startup = true;
  }

  /** Bytes received but not yet consumed as a whole message. */
  get pending(): number {
    return this.len;
  }

  /** Take any unconsumed bytes (used before a TLS upgrade, where there must be none). */
  takePending(): Buffer {
    const b = this.buf.subarray(this.off, this.off + this.len);
    this.len = 0;
    this.off = 0;
    this.buf = Buffer.alloc(0);
    this.owned = false;
    return b;
  }

  private append(chunk: Buffer, wanted: number): void {
    if (this.len === 0) {
      // Fast path: parse straight out of the socket's chunk, no copy.
      this.buf = chunk;
      this.off = 0;
      this.len = chunk.length;
      this.owned = false;
      return;
    }
    const need = this.len + chunk.length;
    if (this.owned && this.off + need <= this.buf.length) {
      chunk.copy(this.buf, this.off + this.len);
      this.len = need;
      return;
    }
    const cap = Math.max(need, wanted, this.len * 2, 4096);
    const nb = Buffer.allocUnsafe(cap);
    this.buf.copy(nb, 0, this.off, this.off + this.len);
    chunk.copy(nb, this.len);
    this.buf = nb;
    this.off = 0;
    this.len = need;
    this.owned = true;
  }

  /** Size of the message at the head of the buffer when its header is complete, else 0. */
  private headSize(): number {
    const hdr = this.startup ? 4 : 5;
    if (this.len < hdr) return 0;
    const lenField = this.buf.readInt32BE(this.off + hdr - 4);
    return lenField + hdr - 4;
  }

  /**
   * Feed received bytes; `onStartup` / `onMessage` are called for each complete packet, in order.
   * Throws a QF_PROTOCOL_VIOLATION error on malformed input (the connection must then close).
   * Mode switches made by a callback (expectTyped) apply to the following packets.
   */
  feed(chunk: Buffer, onStartup: (p: StartupPacket) => void, onMessage: (m: FrontendMessage) => void): void {
    if (chunk.length === 0) return;
    const known = this.headSize();
    this.append(chunk, known);
    for (;;) {
      if (this.startup) {
        if (this.len < 4) return;
        const size = this.buf.readInt32BE(this.off);
        if (size < 8 || size > MAX_STARTUP_LENGTH) throw violation(`invalid startup packet length ${size}`);
        if (this.len < size) return;
        const buf = this.buf;
        const start = this.off;
        this.consume(size);
        onStartup(decodeStartup(buf, start + 4, start + size));
      } else {
        if (this.len < 5) return;
        const code = this.buf[this.off]!;
        const lenField = this.buf.readInt32BE(this.off + 1);
        if (lenField < 4 || lenField > this.maxMessageSize || lenField > ABSOLUTE_MAX) {
          throw violation(`invalid message length ${lenField} for message type ${code}`);
        }
        const size = lenField + 1;
        if (this.len < size) return;
        const buf = this.buf;
        const start = this.off;
        this.consume(size);
        onMessage(decodeTyped(code, buf, start + 5, start + size));
      }
    }
  }

  private consume(n: number): void {
    this.off += n;
    this.len -= n;
    if (this.len === 0) {
      // Drop the reference so a consumed chunk can be collected (messages keep their own views).
      this.buf = EMPTY;
      this.off = 0;
      this.owned = false;
    }
  }
}

const EMPTY = Buffer.alloc(0);
