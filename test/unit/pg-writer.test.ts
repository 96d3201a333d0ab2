/**
 * PostgreSQL protocol writer: every backend message we produce is parsed by the real client-side
 * parser (pg-protocol, the parser inside npm `pg`) to the fields we meant — whole, split at every
 * byte offset, and coalesced.
 */
import { Parser } from 'pg-protocol/dist/parser.js';
import type { BackendMessage } from 'pg-protocol/dist/messages.js';
import { describe, expect, it } from 'vitest';
import { encodeRowDescription, PACKETS, PgWriter } from '../../src/frontends/postgres/protocol/writer.js';

type Case = readonly [string, (w: PgWriter) => void, Record<string, unknown>];

const CASES: readonly Case[] = [
  ['AuthenticationOk', (w) => w.authenticationOk(), { name: 'authenticationOk' }],
  ['AuthenticationCleartextPassword', (w) => w.authenticationCleartextPassword(), { name: 'authenticationCleartextPassword' }],
  ['AuthenticationMD5Password', (w) => w.authenticationMd5Password(Buffer.from([1, 2, 3, 4])), { name: 'authenticationMD5Password', salt: Buffer.from([1, 2, 3, 4]) }],
  ['AuthenticationSASL', (w) => w.authenticationSasl(['SCRAM-SHA-256']), { name: 'authenticationSASL', mechanisms: ['SCRAM-SHA-256'] }],
  ['AuthenticationSASLContinue', (w) => w.authenticationSaslContinue('r=abc,s=c2FsdA==,i=4096'), { name: 'authenticationSASLContinue', data: 'r=abc,s=c2FsdA==,i=4096' }],
  ['AuthenticationSASLFinal', (w) => w.authenticationSaslFinal('v=xyz'), { name: 'authenticationSASLFinal', data: 'v=xyz' }],
  ['ParameterStatus', (w) => w.parameterStatus('server_version', '15.0 (QueryFlux)'), { name: 'parameterStatus', parameterName: 'server_version', parameterValue: '15.0 (QueryFlux)' }],
  ['BackendKeyData', (w) => w.backendKeyData(4242, -7), { name: 'backendKeyData', processID: 4242, secretKey: -7 }],
  ['ReadyForQuery I', (w) => w.readyForQuery('I'), { name: 'readyForQuery', status: 'I' }],
  ['ReadyForQuery T', (w) => w.readyForQuery('T'), { name: 'readyForQuery', status: 'T' }],
  ['ReadyForQuery E', (w) => w.readyForQuery('E'), { name: 'readyForQuery', status: 'E' }],
  [
    'RowDescription',
    (w) =>
      w.rowDescription([
        { name: 'id', tableOid: 0, columnAttr: 0, typeOid: 23, typeLen: 4, typeMod: -1, format: 0 },
        { name: 'naïve', tableOid: 16384, columnAttr: 2, typeOid: 1700, typeLen: -1, typeMod: 655366, format: 1 },
      ]),
    {
      name: 'rowDescription',
      fieldCount: 2,
      fields: [
        { name: 'id', tableID: 0, columnID: 0, dataTypeID: 23, dataTypeSize: 4, dataTypeModifier: -1, format: 'text' },
        { name: 'naïve', tableID: 16384, columnID: 2, dataTypeID: 1700, dataTypeSize: -1, dataTypeModifier: 655366, format: 'binary' },
      ],
    },
  ],
  ['DataRow', (w) => w.dataRowText(['1', null, 'héllo', '']), { name: 'dataRow', fieldCount: 4, fields: ['1', null, 'héllo', ''] }],
  ['CommandComplete', (w) => w.commandComplete('SELECT 3'), { name: 'commandComplete', text: 'SELECT 3' }],
  [
    'ErrorResponse',
    (w) => w.errorResponse({ severity: 'ERROR', code: '42601', message: 'syntax error', detail: 'd', hint: 'h', position: 7 }),
    { name: 'error', severity: 'ERROR', code: '42601', message: 'syntax error', detail: 'd', hint: 'h', position: '7' },
  ],
  ['NoticeResponse', (w) => w.noticeResponse({ severity: 'WARNING', code: '25P01', message: 'no tx' }), { name: 'notice', severity: 'WARNING', code: '25P01', message: 'no tx' }],
  ['ParseComplete', (w) => w.parseComplete(), { name: 'parseComplete' }],
  ['BindComplete', (w) => w.bindComplete(), { name: 'bindComplete' }],
  ['CloseComplete', (w) => w.closeComplete(), { name: 'closeComplete' }],
  ['NoData', (w) => w.noData(), { name: 'noData' }],
  ['ParameterDescription', (w) => w.parameterDescription([23, 25, 0, 3802]), { name: 'parameterDescription', parameterCount: 4, dataTypeIDs: [23, 25, 0, 3802] }],
  ['PortalSuspended', (w) => w.portalSuspended(), { name: 'portalSuspended' }],
  ['EmptyQueryResponse', (w) => w.emptyQueryResponse(), { name: 'emptyQuery' }],
];

function encode(fn: (w: PgWriter) => void): Buffer {
  const w = new PgWriter(8);
  fn(w);
  return w.take();
}

function parseAll(chunks: readonly Buffer[]): BackendMessage[] {
  const p = new Parser();
  const out: BackendMessage[] = [];
  for (const c of chunks) p.parse(c, (m) => out.push(m));
  return out;
}

describe('pg writer: messages parsed by pg-protocol', () => {
  for (const [name, fn, expected] of CASES) {
    it(`${name}: whole and split at every byte offset`, () => {
      const bytes = encode(fn);
      const [msg] = parseAll([bytes]);
      expect(msg).toMatchObject(expected);
      expect(msg!.length).toBe(bytes.length - 1);
      for (let i = 1; i < bytes.length; i++) {
        const again = parseAll([bytes.subarray(0, i), bytes.subarray(i)]);
        expect(again.length, `split at ${i}`).toBe(1);
        expect(again[0]).toMatchObject(expected);
      }
    });
  }

  it('coalesces every message into one buffer, parsed in order', () => {
    const w = new PgWriter(16);
    for (const [, fn] of CASES) fn(w);
    const msgs = parseAll([w.take()]);
    expect(msgs.map((m) => m.name)).toEqual(CASES.map((c) => c[2].name));
  });

  it('reuses its buffer: take() returns independent copies and resets', () => {
    const w = new PgWriter(8);
    w.commandComplete('A');
    const a = w.take();
    w.commandComplete('BB');
    const b = w.take();
    expect(w.length).toBe(0);
    expect(parseAll([a])[0]).toMatchObject({ text: 'A' });
    expect(parseAll([b])[0]).toMatchObject({ text: 'BB' });
  });

  it('grows for large rows', () => {
    const big = 'z'.repeat(1_000_000);
    const [m] = parseAll([encode((w) => w.dataRowText([big, '✓'.repeat(100_000)]))]);
    expect(m).toMatchObject({ name: 'dataRow', fieldCount: 2 });
    expect((m as unknown as { fields: string[] }).fields[0]!.length).toBe(1_000_000);
    expect((m as unknown as { fields: string[] }).fields[1]).toBe('✓'.repeat(100_000));
  });

  it('writes binary field bodies with back-filled lengths', () => {
    const w = new PgWriter(4);
    w.begin(0x44);
    w.int16(2);
    const at = w.beginLength();
    w.int32(42);
    w.endLength(at);
    const at2 = w.beginLength();
    w.float64(1.5);
    w.endLength(at2);
    w.end();
    // pg-protocol has no binary mode: read the DataRow by hand.
    const b = w.take();
    expect(b[0]).toBe(0x44);
    expect(b.readInt32BE(1)).toBe(b.length - 1);
    expect(b.readInt16BE(5)).toBe(2);
    expect(b.readInt32BE(7)).toBe(4);
    expect(b.readInt32BE(11)).toBe(42);
    expect(b.readInt32BE(15)).toBe(8);
    expect(b.readDoubleBE(19)).toBe(1.5);
  });

  it('pre-encodes constant packets and RowDescriptions', () => {
    expect(parseAll([PACKETS.parseComplete, PACKETS.bindComplete, PACKETS.readyForQueryIdle]).map((m) => m.name)).toEqual(['parseComplete', 'bindComplete', 'readyForQuery']);
    const rd = encodeRowDescription([{ name: 'x', tableOid: 0, columnAttr: 0, typeOid: 25, typeLen: -1, typeMod: -1, format: 0 }]);
    expect(parseAll([rd])[0]).toMatchObject({ name: 'rowDescription', fieldCount: 1 });
  });

  it('strips NUL from C strings so fields stay aligned', () => {
    const [m] = parseAll([encode((w) => w.errorResponse({ severity: 'ERROR', code: 'XX000', message: 'bad\0value', hint: 'h' }))]);
    expect(m).toMatchObject({ name: 'error', message: 'badvalue', hint: 'h', code: 'XX000' });
  });

  it('writes NegotiateProtocolVersion', () => {
    const b = encode((w) => w.negotiateProtocolVersion(0, ['_pq_.foo']));
    expect(b[0]).toBe(0x76);
    expect(b.readInt32BE(1)).toBe(b.length - 1);
    expect(b.readInt32BE(5)).toBe(0);
    expect(b.readInt32BE(9)).toBe(1);
    expect(b.toString('utf8', 13, b.length - 1)).toBe('_pq_.foo');
  });
});

describe('pg writer: length-prefixed text values', () => {
  it('ASCII, non-ASCII, empty and long values all carry their UTF-8 byte length', () => {
    const values = ['', '42', '2024-02-29 13:14:15.5+00', 'héllo ☃', 'a'.repeat(63) + 'é', 'x'.repeat(64), 'y'.repeat(65), 'z'.repeat(70000), '日本', 'tab\t"q"'];
    const w = new PgWriter(8);
    for (const v of values) w.lengthPrefixedUtf8(v);
    const b = w.take();
    let p = 0;
    for (const v of values) {
      const n = b.readInt32BE(p);
      expect(n).toBe(Buffer.byteLength(v));
      expect(b.toString('utf8', p + 4, p + 4 + n)).toBe(v);
      p += 4 + n;
    }
    expect(p).toBe(b.length);
  });
});

describe('PgWriter.shared (received DataRows passed on without copies)', () => {
  const rows = (n: number, width: number): Buffer => {
    const w = new PgWriter(8);
    for (let i = 0; i < n; i++) w.dataRowText([String(i), 'x'.repeat(width)]);
    return w.take();
  };

  it('keeps large runs by reference, in order with the messages around them', () => {
    const big = rows(200, 40); // ≥ 4 KiB: referenced
    const small = rows(2, 3); // copied
    const w = new PgWriter(16);
    w.rowDescription([{ name: 'a', tableOid: 0, columnAttr: 0, typeOid: 23, typeLen: 4, typeMod: -1, format: 0 }, { name: 'b', tableOid: 0, columnAttr: 0, typeOid: 25, typeLen: -1, typeMod: -1, format: 0 }]);
    w.shared(small);
    w.shared(big);
    w.shared(big);
    w.commandComplete('SELECT 402');
    w.readyForQuery('I');
    expect(w.length).toBeGreaterThan(2 * big.length);
    const parts = w.takeParts();
    expect(w.length).toBe(0);
    expect(parts.filter((p) => p === big)).toHaveLength(2); // the very buffers, not copies
    const msgs = parseAll([Buffer.concat(parts)]);
    expect(msgs.map((m) => m.name)).toEqual(['rowDescription', ...Array(402).fill('dataRow'), 'commandComplete', 'readyForQuery']);
    expect((msgs[3] as unknown as { fields: string[] }).fields).toEqual(['0', 'x'.repeat(40)]);
  });

  it('take() gives the same bytes as one buffer; small runs are copied', () => {
    const big = rows(300, 20);
    const a = new PgWriter(8);
    a.commandComplete('X');
    a.shared(big);
    a.readyForQuery('I');
    const b = new PgWriter(8);
    b.commandComplete('X');
    b.raw(big);
    b.readyForQuery('I');
    expect(a.take().equals(b.take())).toBe(true);
    const small = rows(1, 1);
    const c = new PgWriter(8);
    c.shared(small);
    const parts = c.takeParts();
    expect(parts).toHaveLength(1);
    expect(parts[0]).not.toBe(small);
    expect(parts[0]!.equals(small)).toBe(true);
  });
});
