/**
 * Backend messages → bytes, appended to one growing buffer per connection. `take()` hands the
 * accumulated bytes out as one copy per flush (not per message), so the encoding buffer is
 * reused safely even while the socket still holds earlier writes. Constant packets are
 * pre-encoded once at module load.
 */
import type { ErrorFields, FieldDescription, TxStatusByte } from './messages.js';

const INITIAL_SIZE = 16 * 1024;
/** Strings up to this length are tried as ASCII first in lengthPrefixedUtf8. */
const SHORT_ASCII = 64;
const SHRINK_ABOVE = 4 * 1024 * 1024;
/** Shared runs of bytes from this size on are written as they are, not copied into the buffer. */
const ZERO_COPY_MIN = 4 * 1024;

function constant(code: string, body: Buffer = Buffer.alloc(0)): Buffer {
  const b = Buffer.alloc(5 + body.length);
  b[0] = code.charCodeAt(0);
  b.writeInt32BE(4 + body.length, 1);
  body.copy(b, 5);
  return b;
}

function int32Body(...values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeInt32BE(v, i * 4));
  return b;
}

/** Pre-encoded constant packets. */
export const PACKETS = Object.freeze({
  parseComplete: constant('1'),
  bindComplete: constant('2'),
  closeComplete: constant('3'),
  noData: constant('n'),
  portalSuspended: constant('s'),
  emptyQueryResponse: constant('I'),
  authenticationOk: constant('R', int32Body(0)),
  authenticationCleartextPassword: constant('R', int32Body(3)),
  readyForQueryIdle: constant('Z', Buffer.from('I')),
  readyForQueryInTx: constant('Z', Buffer.from('T')),
  readyForQueryFailed: constant('Z', Buffer.from('E')),
  /** Single-byte answers to SSLRequest / GSSENCRequest. */
  sslAccept: Buffer.from('S'),
  sslReject: Buffer.from('N'),
});

const READY: Readonly<Record<TxStatusByte, Buffer>> = {
  I: PACKETS.readyForQueryIdle,
  T: PACKETS.readyForQueryInTx,
  E: PACKETS.readyForQueryFailed,
};

/** Growing output buffer with typed appenders; one per connection. */
export class PgWriter {
  private buf: Buffer;
  private pos = 0;
  private msgStart = -1;
  /** Output before what `buf` holds now, in order: copies of earlier `buf` contents and shared runs. */
  private parts: Buffer[] = [];
  private partsBytes = 0;

  constructor(initialSize = INITIAL_SIZE) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  /** Bytes waiting to be taken. */
  get length(): number {
    return this.pos + this.partsBytes;
  }

  /** Make room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const nb = Buffer.allocUnsafe(cap);
    this.buf.copy(nb, 0, 0, this.pos);
    this.buf = nb;
  }

  /** Everything appended so far as one buffer, and reset (the buffer itself is kept for reuse). */
  take(): Buffer {
    if (this.parts.length === 0) return this.copyOut();
    const all = this.takeParts();
    return all.length === 1 ? all[0]! : Buffer.concat(all);
  }

  /**
   * Everything appended so far, in order, as buffers to write back to back (one writev when the
   * socket is corked), and reset. Shared runs come back as they were given, without a copy.
   */
  takeParts(): Buffer[] {
    const out = this.parts;
    if (this.pos > 0) out.push(this.copyOut());
    this.parts = [];
    this.partsBytes = 0;
    return out;
  }

  /** Copy out what `buf` holds and reset it. */
  private copyOut(): Buffer {
    const out = Buffer.allocUnsafe(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    this.pos = 0;
    // One huge row must not pin a huge buffer for the rest of the connection.
    if (this.buf.length > SHRINK_ABOVE) this.buf = Buffer.allocUnsafe(INITIAL_SIZE);
    return out;
  }

  /**
   * Append bytes that nobody changes before they are written (DataRows as received from a
   * backend): a large run is kept by reference and written as it is — no copy in, no copy out.
   */
  shared(b: Buffer): void {
    if (b.length < ZERO_COPY_MIN || this.msgStart >= 0) return this.bytes(b);
    if (this.pos > 0) {
      const head = this.copyOut();
      this.parts.push(head);
      this.partsBytes += head.length;
    }
    this.parts.push(b);
    this.partsBytes += b.length;
  }

  // ---- primitives (used by message appenders and binary value encoders) ----

  int8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
  }

  int16(v: number): void {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.pos);
    this.pos += 2;
  }

  uint16(v: number): void {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
  }

  int32(v: number): void {
    this.ensure(4);
    this.buf.writeInt32BE(v | 0, this.pos);
    this.pos += 4;
  }

  uint32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
  }

  int64(v: bigint): void {
    this.ensure(8);
    this.buf.writeBigInt64BE(v, this.pos);
    this.pos += 8;
  }

  float32(v: number): void {
    this.ensure(4);
    this.buf.writeFloatBE(v, this.pos);
    this.pos += 4;
  }

  float64(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** UTF-8 text without terminator or length. */
  utf8(s: string): void {
    // Worst case 3 bytes per UTF-16 unit; avoids a Buffer.byteLength pass.
    this.ensure(s.length * 3);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  cstring(s: string): void {
    // An embedded NUL would end the string early and shift every following field.
    this.utf8(s.includes('\0') ? s.replaceAll('\0', '') : s);
    this.int8(0);
  }

  /** Int32 length followed by the UTF-8 bytes of `s` (a DataRow text value). */
  lengthPrefixedUtf8(s: string): void {
    const len = s.length;
    this.ensure(4 + len * 3);
    const buf = this.buf;
    const at = this.pos;
    // Most values are short ASCII (numbers, dates, codes): copying the characters here is ~3×
    // cheaper than a call into Buffer.write, which pays a native call per field.
    if (len <= SHORT_ASCII) {
      let p = at + 4;
      let i = 0;
      for (; i < len; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[p++] = c;
      }
      if (i === len) {
        buf[at] = 0;
        buf[at + 1] = 0;
        buf[at + 2] = len >> 8;
        buf[at + 3] = len & 0xff;
        this.pos = p;
        return;
      }
    }
    const n = buf.write(s, at + 4, 'utf8');
    buf.writeInt32BE(n, at);
    this.pos = at + 4 + n;
  }

  /** Reserve an int32 length slot; returns its offset for `endLength`. */
  beginLength(): number {
    this.ensure(4);
    const at = this.pos;
    this.pos += 4;
    return at;
  }

  /** Fill a slot from `beginLength` with the number of bytes written after it. */
  endLength(at: number): void {
    this.buf.writeInt32BE(this.pos - at - 4, at);
  }

  /** Append pre-encoded bytes (constant packets, cached RowDescriptions). */
  raw(b: Buffer): void {
    this.bytes(b);
  }

  /** Begin a typed message; the length is filled in by `end()`. */
  begin(code: number): void {
    this.ensure(5);
    this.buf[this.pos] = code;
    this.msgStart = this.pos + 1;
    this.pos += 5;
  }

  end(): void {
    this.buf.writeInt32BE(this.pos - this.msgStart, this.msgStart);
    this.msgStart = -1;
  }

  // ---- backend messages ----

  authenticationOk(): void {
    this.raw(PACKETS.authenticationOk);
  }

  authenticationCleartextPassword(): void {
    this.raw(PACKETS.authenticationCleartextPassword);
  }

  authenticationMd5Password(salt: Uint8Array): void {
    this.begin(0x52);
    this.int32(5);
    this.bytes(salt);
    this.end();
  }

  authenticationSasl(mechanisms: readonly string[]): void {
    this.begin(0x52);
    this.int32(10);
    for (const m of mechanisms) this.cstring(m);
    this.int8(0);
    this.end();
  }

  authenticationSaslContinue(data: string): void {
    this.begin(0x52);
    this.int32(11);
    this.utf8(data);
    this.end();
  }

  authenticationSaslFinal(data: string): void {
    this.begin(0x52);
    this.int32(12);
    this.utf8(data);
    this.end();
  }

  parameterStatus(name: string, value: string): void {
    this.begin(0x53);
    this.cstring(name);
    this.cstring(value);
    this.end();
  }

  backendKeyData(processId: number, secretKey: number): void {
    this.begin(0x4b);
    this.int32(processId);
    this.int32(secretKey);
    this.end();
  }

  negotiateProtocolVersion(newestMinor: number, unsupported: readonly string[]): void {
    this.begin(0x76);
    this.int32(newestMinor);
    this.int32(unsupported.length);
    for (const o of unsupported) this.cstring(o);
    this.end();
  }

  readyForQuery(status: TxStatusByte): void {
    this.raw(READY[status]);
  }

  rowDescription(fields: readonly FieldDescription[]): void {
    this.begin(0x54);
    this.int16(fields.length);
    for (const f of fields) {
      this.cstring(f.name);
      this.int32(f.tableOid);
      this.int16(f.columnAttr);
      this.uint32(f.typeOid);
      this.int16(f.typeLen);
      this.int32(f.typeMod);
      this.int16(f.format);
    }
    this.end();
  }

  parameterDescription(oids: readonly number[]): void {
    this.begin(0x74);
    this.int16(oids.length);
    for (const o of oids) this.uint32(o);
    this.end();
  }

  /** DataRow from values already encoded as text (null for SQL NULL); rows with typed encoders use begin/end directly. */
  dataRowText(values: readonly (string | null)[]): void {
    this.begin(0x44);
    this.int16(values.length);
    for (const v of values) {
      if (v === null) this.int32(-1);
      else this.lengthPrefixedUtf8(v);
    }
    this.end();
  }

  commandComplete(tag: string): void {
    this.begin(0x43);
    this.cstring(tag);
    this.end();
  }

  errorResponse(f: ErrorFields): void {
    this.fields(0x45, f);
  }

  noticeResponse(f: ErrorFields): void {
    this.fields(0x4e, f);
  }

  private fields(code: number, f: ErrorFields): void {
    this.begin(code);
    this.field(0x53, f.severity);
    this.field(0x56, f.severity);
    this.field(0x43, f.code);
    this.field(0x4d, f.message);
    if (f.detail !== undefined) this.field(0x44, f.detail);
    if (f.hint !== undefined) this.field(0x48, f.hint);
    if (f.position !== undefined) this.field(0x50, String(f.position));
    this.int8(0);
    this.end();
  }

  private field(code: number, value: string): void {
    this.int8(code);
    this.cstring(value);
  }

  parseComplete(): void {
    this.raw(PACKETS.parseComplete);
  }

  bindComplete(): void {
    this.raw(PACKETS.bindComplete);
  }

  closeComplete(): void {
    this.raw(PACKETS.closeComplete);
  }

  noData(): void {
    this.raw(PACKETS.noData);
  }

  portalSuspended(): void {
    this.raw(PACKETS.portalSuspended);
  }

  emptyQueryResponse(): void {
    this.raw(PACKETS.emptyQueryResponse);
  }
}

/** Encode a RowDescription once (cached per portal / statement and appended with `raw`). */
export function encodeRowDescription(fields: readonly FieldDescription[]): Buffer {
  const w = new PgWriter(64 + fields.length * 32);
  w.rowDescription(fields);
  return w.take();
}
