/**
 * PostgreSQL protocol reader: every frontend message, serialised by the real client-side
 * serializer (pg-protocol), decodes to what was sent — whole, split at every byte offset, and
 * coalesced with others in one chunk. Length fields are checked, never trusted.
 */
import { serialize } from 'pg-protocol';
import { describe, expect, it } from 'vitest';
import { QueryFluxError } from '../../src/core/errors.js';
import type { FrontendMessage, StartupPacket } from '../../src/frontends/postgres/protocol/messages.js';
import { PgReader } from '../../src/frontends/postgres/protocol/reader.js';

type Out = StartupPacket | FrontendMessage;

function typedMessage(code: string, body: Buffer): Buffer {
  const b = Buffer.alloc(5 + body.length);
  b[0] = code.charCodeAt(0);
  b.writeInt32BE(4 + body.length, 1);
  body.copy(b, 5);
  return b;
}

/** Feed `chunks` to a reader in startup or typed mode; returns all packets/messages. */
function read(chunks: readonly Buffer[], typed: boolean, opts: { maxMessageSize?: number } = {}): Out[] {
  const r = new PgReader(opts);
  if (typed) r.expectTyped();
  const out: Out[] = [];
  for (const c of chunks) {
    r.feed(
      c,
      (p) => {
        if (p.type === 'Startup') r.expectTyped();
        out.push(p);
      },
      (m) => out.push(m),
    );
  }
  return out;
}

/** Normalise Buffers for deep equality. */
function plain(x: Out[]): unknown {
  return JSON.parse(JSON.stringify(x, (_k, v: unknown) => (v instanceof Map ? Object.fromEntries(v) : v)));
}

const TYPED_CASES: readonly [string, Buffer, FrontendMessage][] = [
  ['Query', serialize.query('select 1; select \'ü\''), { type: 'Query', sql: "select 1; select 'ü'" }],
  ['Parse named with types', serialize.parse({ name: 's1', text: 'select $1, $2', types: [23, 25] }), { type: 'Parse', name: 's1', sql: 'select $1, $2', paramTypes: [23, 25] }],
  ['Parse unnamed', serialize.parse({ text: 'select 1' }), { type: 'Parse', name: '', sql: 'select 1', paramTypes: [] }],
  [
    'Bind text, binary and null params, binary results',
    serialize.bind({ portal: 'p1', statement: 's1', values: ['abc', Buffer.from([0, 0, 0, 7]), null], binary: true }),
    { type: 'Bind', portal: 'p1', statement: 's1', paramFormats: [0, 1, 0], params: [Buffer.from('abc'), Buffer.from([0, 0, 0, 7]), null], resultFormats: [1] },
  ],
  ['Bind empty', serialize.bind(), { type: 'Bind', portal: '', statement: '', paramFormats: [], params: [], resultFormats: [0] }],
  ['Describe S', serialize.describe({ type: 'S', name: 's1' }), { type: 'Describe', target: 'S', name: 's1' }],
  ['Describe P', serialize.describe({ type: 'P', name: '' }), { type: 'Describe', target: 'P', name: '' }],
  ['Execute with limit', serialize.execute({ portal: 'p1', rows: 10 }), { type: 'Execute', portal: 'p1', maxRows: 10 }],
  ['Execute all', serialize.execute(), { type: 'Execute', portal: '', maxRows: 0 }],
  ['Close S', serialize.close({ type: 'S', name: 's1' }), { type: 'Close', target: 'S', name: 's1' }],
  ['Close P', serialize.close({ type: 'P', name: 'p1' }), { type: 'Close', target: 'P', name: 'p1' }],
  ['Sync', serialize.sync(), { type: 'Sync' }],
  ['Flush', serialize.flush(), { type: 'Flush' }],
  ['Terminate', serialize.end(), { type: 'Terminate' }],
  ['Password', serialize.password('s3cret'), { type: 'Password', data: Buffer.from('s3cret\0') }],
  [
    'SASLInitialResponse',
    serialize.sendSASLInitialResponseMessage('SCRAM-SHA-256', 'n,,n=*,r=abc'),
    { type: 'Password', data: Buffer.concat([Buffer.from('SCRAM-SHA-256\0'), Buffer.from([0, 0, 0, 12]), Buffer.from('n,,n=*,r=abc')]) },
  ],
  ['SASLResponse', serialize.sendSCRAMClientFinalMessage('c=biws,r=abc,p=xyz'), { type: 'Password', data: Buffer.from('c=biws,r=abc,p=xyz') }],
  ['CopyData', serialize.copyData(Buffer.from('1\t2\n')), { type: 'CopyData' }],
  ['CopyDone', serialize.copyDone(), { type: 'CopyDone' }],
  ['CopyFail', serialize.copyFail('nope'), { type: 'CopyFail', message: 'nope' }],
  ['FunctionCall', typedMessage('F', Buffer.from([0, 0, 0, 1, 0, 0, 0, 0, 0, 0])), { type: 'FunctionCall' }],
];

const STARTUP_CASES: readonly [string, Buffer, StartupPacket][] = [
  ['SSLRequest', serialize.requestSsl(), { type: 'SSLRequest' }],
  ['GSSENCRequest', Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x30]), { type: 'GSSENCRequest' }],
  ['CancelRequest', serialize.cancel(1234, -99), { type: 'CancelRequest', processId: 1234, secretKey: -99 }],
  [
    'StartupMessage v3',
    serialize.startup({ user: 'alice', database: 'db', application_name: 'psql ✓', options: '-c search_path=x' }),
    { type: 'Startup', majorVersion: 3, minorVersion: 0, params: new Map([['user', 'alice'], ['database', 'db'], ['application_name', 'psql ✓'], ['options', '-c search_path=x'], ['client_encoding', 'UTF8']]) },
  ],
];

describe('pg reader: typed messages', () => {
  for (const [name, bytes, expected] of TYPED_CASES) {
    it(`${name}: whole`, () => {
      expect(plain(read([bytes], true))).toEqual(plain([expected]));
    });
    it(`${name}: split at every byte offset`, () => {
      for (let i = 1; i < bytes.length; i++) {
        expect(plain(read([bytes.subarray(0, i), bytes.subarray(i)], true)), `split at ${i}`).toEqual(plain([expected]));
      }
    });
    it(`${name}: one byte at a time`, () => {
      const chunks = [...bytes].map((b) => Buffer.from([b]));
      expect(plain(read(chunks, true))).toEqual(plain([expected]));
    });
  }

  it('decodes every message coalesced in one chunk, in order', () => {
    const all = Buffer.concat(TYPED_CASES.map((c) => c[1]));
    expect(plain(read([all], true))).toEqual(plain(TYPED_CASES.map((c) => c[2])));
  });

  it('decodes the coalesced stream split at every byte offset (three pieces)', () => {
    const all = Buffer.concat(TYPED_CASES.slice(0, 12).map((c) => c[1]));
    const expected = plain(TYPED_CASES.slice(0, 12).map((c) => c[2]));
    for (let i = 1; i < all.length; i += 1) {
      const j = Math.min(all.length, i + 7);
      expect(plain(read([all.subarray(0, i), all.subarray(i, j), all.subarray(j)], true)), `split at ${i},${j}`).toEqual(expected);
    }
  });

  it('keeps Bind parameter views intact while later chunks arrive', () => {
    const bind = serialize.bind({ values: [Buffer.from('first-param-value')] });
    const r = new PgReader();
    r.expectTyped();
    const out: FrontendMessage[] = [];
    // Bind plus half of a Query, then the rest: the reader must not overwrite the Bind's bytes.
    const q = serialize.query('x'.repeat(10_000));
    r.feed(Buffer.concat([bind, q.subarray(0, 10)]), () => undefined, (m) => out.push(m));
    for (let i = 10; i < q.length; i += 100) r.feed(q.subarray(i, i + 100), () => undefined, (m) => out.push(m));
    expect(out.length).toBe(2);
    const b = out[0] as FrontendMessage & { type: 'Bind' };
    expect(b.params[0]!.toString()).toBe('first-param-value');
    expect((out[1] as { sql: string }).sql.length).toBe(10_000);
  });

  it('reads a large message arriving in many chunks with linear copying', () => {
    const big = serialize.query('y'.repeat(4 * 1024 * 1024));
    const r = new PgReader();
    r.expectTyped();
    let got = '';
    const t0 = performance.now();
    for (let i = 0; i < big.length; i += 1024) r.feed(big.subarray(i, i + 1024), () => undefined, (m) => (got = (m as { sql: string }).sql));
    expect(got.length).toBe(4 * 1024 * 1024);
    // 4096 chunks: quadratic copying would move ~8 GiB; linear is milliseconds. Generous bound for noisy machines.
    expect(performance.now() - t0).toBeLessThan(5000);
  });
});

describe('pg reader: startup packets', () => {
  for (const [name, bytes, expected] of STARTUP_CASES) {
    it(`${name}: whole and split at every byte offset`, () => {
      expect(plain(read([bytes], false))).toEqual(plain([expected]));
      for (let i = 1; i < bytes.length; i++) {
        expect(plain(read([bytes.subarray(0, i), bytes.subarray(i)], false)), `split at ${i}`).toEqual(plain([expected]));
      }
    });
  }

  it('switches to typed messages after StartupMessage within one chunk', () => {
    const out = read([Buffer.concat([serialize.startup({ user: 'u' }), serialize.query('select 1'), serialize.sync()])], false);
    expect(out.map((m) => m.type)).toEqual(['Startup', 'Query', 'Sync']);
  });

  it('reads SSLRequest then StartupMessage', () => {
    const out = read([Buffer.concat([serialize.requestSsl(), serialize.startup({ user: 'u' })])], false);
    expect(out.map((m) => m.type)).toEqual(['SSLRequest', 'Startup']);
  });

  it('reports protocol versions other than 3.0', () => {
    const b = Buffer.from([0, 0, 0, 8, 0, 2, 0, 0]);
    expect(read([b], false)).toEqual([{ type: 'Startup', majorVersion: 2, minorVersion: 0, params: new Map() }]);
  });
});

function violation(fn: () => unknown): QueryFluxError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(QueryFluxError);
    expect((e as QueryFluxError).code).toBe('QF_PROTOCOL_VIOLATION');
    expect((e as QueryFluxError).sqlstate).toBe('08P01');
    return e as QueryFluxError;
  }
  throw new Error('expected a protocol violation');
}

describe('pg reader: length fields are checked, never trusted', () => {
  it('rejects a length below 4', () => {
    violation(() => read([Buffer.from([0x51, 0, 0, 0, 3])], true));
  });
  it('rejects a negative length', () => {
    violation(() => read([Buffer.from([0x51, 0xff, 0xff, 0xff, 0xf0])], true));
  });
  it('rejects a length above 1 GiB before any body arrives', () => {
    violation(() => read([Buffer.from([0x51, 0x40, 0, 0, 1])], true));
  });
  it('rejects a length above the configured maximum', () => {
    const q = serialize.query('x'.repeat(2000));
    violation(() => read([q.subarray(0, 5)], true, { maxMessageSize: 1024 }));
    expect(read([q], true, { maxMessageSize: 4096 }).length).toBe(1);
  });
  it('rejects an absurd startup packet length', () => {
    violation(() => read([Buffer.from([0x7f, 0xff, 0xff, 0xff, 0, 3, 0, 0])], false));
    violation(() => read([Buffer.from([0, 0, 0, 2])], false));
  });
  it('waits for a truncated message and emits nothing', () => {
    const q = serialize.query('select 1');
    const r = new PgReader();
    r.expectTyped();
    const out: unknown[] = [];
    r.feed(q.subarray(0, q.length - 1), () => undefined, (m) => out.push(m));
    expect(out).toEqual([]);
    expect(r.pending).toBe(q.length - 1);
  });
  it('rejects a message whose strings run past its length', () => {
    // Query with no terminator inside its declared length.
    violation(() => read([Buffer.from([0x51, 0, 0, 0, 6, 0x61, 0x62])], true));
  });
  it('rejects a Bind whose parameter length runs past the message', () => {
    const b = Buffer.concat([Buffer.from('\0\0'), Buffer.from([0, 0, 0, 1, 0x7f, 0xff, 0xff, 0xff]), Buffer.from([0, 0])]);
    violation(() => read([typedMessage('B', b)], true));
  });
  it('rejects a Bind with an invalid format code', () => {
    const b = Buffer.concat([Buffer.from('\0\0'), Buffer.from([0, 1, 0, 7, 0, 0, 0, 0])]);
    violation(() => read([typedMessage('B', b)], true));
  });
  it('rejects unknown message types', () => {
    violation(() => read([typedMessage('!', Buffer.alloc(0))], true));
  });
  it('rejects trailing bytes in fixed-shape messages', () => {
    violation(() => read([typedMessage('S', Buffer.from([1]))], true));
    violation(() => read([typedMessage('E', Buffer.from([0, 0, 0, 0, 1, 2]))], true));
  });
  it('rejects a Describe with an invalid target', () => {
    violation(() => read([typedMessage('D', Buffer.from('Xname\0'))], true));
  });
  it('rejects an unterminated startup parameter list', () => {
    const b = Buffer.alloc(8 + 6);
    b.writeInt32BE(14, 0);
    b.writeInt32BE(196608, 4);
    b.write('user\0u', 8);
    violation(() => read([b], false));
  });
  it('survives random garbage by raising violations, never hanging or crashing otherwise', () => {
    let seed = 42;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let k = 0; k < 300; k++) {
      const bytes = Buffer.from(Array.from({ length: 1 + Math.floor(rnd() * 64) }, () => Math.floor(rnd() * 256)));
      try {
        read([bytes], rnd() < 0.5);
      } catch (e) {
        expect((e as QueryFluxError).code).toBe('QF_PROTOCOL_VIOLATION');
      }
    }
  });
});
