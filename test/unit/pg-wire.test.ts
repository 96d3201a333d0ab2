/**
 * The backend query cycle (src/engines/postgres/wire.ts): backend messages framed correctly
 * whatever the chunking, DataRows handed on as received runs, errors parsed, a malformed
 * message fails the connection instead of the process. Real servers: test/integration.
 */
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { BackendWire, decodeDataRows, type BackendError, type WireField, type WireHandler } from '../../src/engines/postgres/wire.js';

class FakeSocket extends EventEmitter {
  written: Buffer[] = [];
  destroyed = false;
  write(b: Buffer): boolean {
    this.written.push(b);
    return true;
  }
  pause(): void {}
  resume(): void {}
  destroy(): void {
    this.destroyed = true;
  }
}

function msg(code: string, body: Buffer): Buffer {
  const h = Buffer.alloc(5);
  h[0] = code.charCodeAt(0);
  h.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([h, body]);
}
const cstr = (s: string) => Buffer.concat([Buffer.from(s), Buffer.from([0])]);
function rowDescription(names: string[]): Buffer {
  const parts = [Buffer.from([0, names.length])];
  for (const n of names) {
    const f = Buffer.alloc(18);
    f.writeUInt32BE(23, 6); // int4
    f.writeInt16BE(4, 10);
    f.writeInt32BE(-1, 12);
    parts.push(cstr(n), f);
  }
  return msg('T', Buffer.concat(parts));
}
function dataRow(values: (string | null)[]): Buffer {
  const parts = [Buffer.from([0, values.length])];
  for (const v of values) {
    const len = Buffer.alloc(4);
    if (v === null) len.writeInt32BE(-1);
    else len.writeInt32BE(Buffer.byteLength(v));
    parts.push(len);
    if (v !== null) parts.push(Buffer.from(v));
  }
  return msg('D', Buffer.concat(parts));
}

class Recorder implements WireHandler {
  events: string[] = [];
  rows: (string | null)[][] = [];
  raw: Buffer[] = [];
  fields: WireField[] = [];
  err: BackendError | undefined;
  rowDescription(f: WireField[]): void {
    this.fields = f;
    this.events.push('T');
  }
  dataRows(chunk: Buffer, start: number, end: number, count: number): void {
    const before = this.rows.length;
    decodeDataRows(chunk, start, end, this.rows);
    expect(this.rows.length - before).toBe(count);
    this.raw.push(Buffer.from(chunk.subarray(start, end)));
  }
  commandComplete(tag: string): void {
    this.events.push(`C:${tag}`);
  }
  emptyQuery(): void {
    this.events.push('I');
  }
  error(e: BackendError): void {
    this.err = e;
    this.events.push(`E:${e.code}`);
  }
  readyForQuery(status: number): void {
    this.events.push(`Z:${String.fromCharCode(status)}`);
  }
  failed(e: Error): void {
    this.events.push(`failed:${e.message}`);
  }
}

const ROWS = [['1', 'a'], ['2', null], ['3', 'ünïcode'], ['', 'x'.repeat(300)]];
const STREAM = Buffer.concat([
  msg('1', Buffer.alloc(0)), // ParseComplete: ignored
  rowDescription(['n', 's']),
  ...ROWS.map(dataRow),
  msg('N', Buffer.concat([cstr('Mnotice'), Buffer.from([0])])), // a notice between rows
  dataRow(['5', 'e']),
  msg('C', cstr('SELECT 5')),
  msg('Z', Buffer.from('I')),
]);

describe('backend wire', () => {
  it('frames a result split at every byte offset and in one chunk alike, rows unchanged', () => {
    for (let cut = 0; cut <= STREAM.length; cut++) {
      const sock = new FakeSocket();
      sock.on('data', () => {
        throw new Error('pg listener must be detached');
      });
      const wire = BackendWire.attach(sock as unknown as Socket);
      const r = new Recorder();
      wire.query('select n, s from t', r);
      if (cut > 0) sock.emit('data', STREAM.subarray(0, cut));
      if (cut < STREAM.length) sock.emit('data', STREAM.subarray(cut));
      expect(r.events).toEqual(['T', 'C:SELECT 5', 'Z:I']);
      expect(r.fields.map((f) => [f.name, f.dataTypeID, f.dataTypeModifier])).toEqual([['n', 23, -1], ['s', 23, -1]]);
      expect(r.rows).toEqual([...ROWS, ['5', 'e']]);
      // The raw runs are exactly the DataRow messages the backend sent.
      expect(Buffer.concat(r.raw)).toEqual(Buffer.concat([...ROWS.map(dataRow), dataRow(['5', 'e'])]));
      expect(wire.inFlight).toBe(0);
    }
  });

  it('frames a result fed one byte at a time, and a 3 MB row fed in 64 KiB chunks', () => {
    const sock = new FakeSocket();
    const wire = BackendWire.attach(sock as unknown as Socket);
    const r = new Recorder();
    wire.query('select n, s from t', r);
    for (let i = 0; i < STREAM.length; i++) sock.emit('data', STREAM.subarray(i, i + 1));
    expect(r.events).toEqual(['T', 'C:SELECT 5', 'Z:I']);
    expect(r.rows).toEqual([...ROWS, ['5', 'e']]);
    const big = 'y'.repeat(3_000_000);
    const bytes = Buffer.concat([rowDescription(['b']), dataRow([big]), msg('C', cstr('SELECT 1')), msg('Z', Buffer.from('I'))]);
    const r2 = new Recorder();
    wire.query('select b', r2);
    for (let o = 0; o < bytes.length; o += 65536) sock.emit('data', bytes.subarray(o, o + 65536));
    expect(r2.events).toEqual(['T', 'C:SELECT 1', 'Z:I']);
    expect(r2.rows[0]![0]!.length).toBe(3_000_000);
  });

  it('writes Query, and Parse/Bind/Describe/Execute/Sync with text and binary parameters', () => {
    const sock = new FakeSocket();
    const wire = BackendWire.attach(sock as unknown as Socket);
    wire.query('select 1', new Recorder());
    expect(sock.written[0]).toEqual(msg('Q', cstr('select 1')));
    wire.execute('select $1, $2, $3', ['x', Buffer.from([1, 2]), null], new Recorder());
    const b = sock.written[1]!;
    expect(String.fromCharCode(b[0]!)).toBe('P');
    const codes: string[] = [];
    for (let o = 0; o < b.length; o += 1 + b.readInt32BE(o + 1)) codes.push(String.fromCharCode(b[o]!));
    expect(codes).toEqual(['P', 'B', 'D', 'E', 'S']);
    expect(wire.inFlight).toBe(2);
  });

  it('parses ErrorResponse fields; pipelined statements each get their own answers', () => {
    const sock = new FakeSocket();
    const wire = BackendWire.attach(sock as unknown as Socket);
    const a = new Recorder();
    const b = new Recorder();
    wire.query('select nope', a);
    wire.query('select 1', b);
    const err = msg('E', Buffer.concat([cstr('SERROR'), cstr('C42703'), cstr('Mcolumn "nope" does not exist'), cstr('P8'), Buffer.from([0])]));
    sock.emit('data', Buffer.concat([err, msg('Z', Buffer.from('I')), rowDescription(['x']), dataRow(['1']), msg('C', cstr('SELECT 1')), msg('Z', Buffer.from('I'))]));
    expect(a.events).toEqual(['E:42703', 'Z:I']);
    expect(a.err).toMatchObject({ message: 'column "nope" does not exist', code: '42703', position: '8', severity: 'ERROR' });
    expect(b.events).toEqual(['T', 'C:SELECT 1', 'Z:I']);
  });

  it('a malformed message or a closed socket fails the statement and the wire, not the process', () => {
    const sock = new FakeSocket();
    const wire = BackendWire.attach(sock as unknown as Socket);
    const r = new Recorder();
    wire.query('select 1', r);
    sock.emit('data', Buffer.from([0x54, 0, 0, 0, 2]));
    expect(r.events[0]).toMatch(/^failed:backend protocol error/);
    expect(wire.broken).toBe(true);
    expect(sock.destroyed).toBe(true);
    const late = new Recorder();
    wire.query('select 2', late);
    return Promise.resolve().then(() => expect(late.events[0]).toMatch(/^failed:/));
  });

  it('a connection that closes mid-result fails the running statement', () => {
    const sock = new FakeSocket();
    const wire = BackendWire.attach(sock as unknown as Socket);
    const r = new Recorder();
    wire.query('select 1', r);
    sock.emit('data', Buffer.concat([rowDescription(['x']), dataRow(['1'])]));
    sock.emit('close');
    expect(r.events).toEqual(['T', 'failed:backend connection closed']);
  });
});
