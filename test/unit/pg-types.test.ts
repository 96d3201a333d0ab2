/**
 * SqlType ↔ PostgreSQL wire values. Expected text is what PostgreSQL 15 prints; expected binary
 * bytes were taken from PostgreSQL 15 itself (COPY ... TO STDOUT WITH (FORMAT binary)).
 */
import { describe, expect, it } from 'vitest';
import type { SqlType } from '../../src/core/types.js';
import { PgWriter } from '../../src/frontends/postgres/protocol/writer.js';
import { decodeParam, encodeBinary, encodeText, fieldEncoder, paramOid, pgColumnType, sqlTypeFromOid } from '../../src/frontends/postgres/types.js';
import { formatFloat } from '../../src/frontends/postgres/values/float-text.js';
import { parseArrayText } from '../../src/frontends/postgres/values/array-text.js';

const t = <K extends SqlType['kind']>(kind: K): SqlType => ({ kind }) as SqlType;
const list = (element: SqlType): SqlType => ({ kind: 'list', element });

function bin(v: unknown, type: SqlType): string {
  const w = new PgWriter(4);
  encodeBinary(w, v, type);
  return w.take().toString('hex');
}

/** [label, type, native value, PostgreSQL text, PostgreSQL binary hex, OID]. */
const CASES: readonly (readonly [string, SqlType, unknown, string, string, number])[] = [
  ['bool true', t('bool'), true, 't', '01', 16],
  ['bool false', t('bool'), false, 'f', '00', 16],
  ['int2', t('int2'), -32768, '-32768', '8000', 21],
  ['int4', t('int4'), 2147483647, '2147483647', '7fffffff', 23],
  ['int8 bigint', t('int8'), 9223372036854775807n, '9223372036854775807', '7fffffffffffffff', 20],
  ['int8 number', t('int8'), -5, '-5', 'fffffffffffffffb', 20],
  ['int128', t('int128'), 170141183460469231731687303715884105727n, '170141183460469231731687303715884105727', '000a0009000000000'+'0aa0583209a01d5090d0c601c871bf620da165f', 1700],
  ['float4', t('float4'), 1.5, '1.5', '3fc00000', 700],
  ['float8', t('float8'), 1e100, '1e+100', '54b249ad2594c37d', 701],
  ['numeric big', { kind: 'decimal', precision: 38, scale: 9 }, '12345678901234567890.123456789', '12345678901234567890.123456789', '000800040000000904d2162e23340d801ed204d2162e2328', 1700],
  ['numeric small negative', { kind: 'decimal' }, '-0.000123', '-0.000123', '0002ffff40000006000108fc', 1700],
  ['numeric zero scale 2', { kind: 'decimal', precision: 10, scale: 2 }, '0.00', '0.00', '0000000000000002', 1700],
  ['numeric 0.1', { kind: 'decimal' }, '0.1', '0.1', '0001ffff0000000103e8', 1700],
  ['numeric 1000000', { kind: 'decimal' }, '1000000', '1000000', '00010001000000000064', 1700],
  ['text', t('text'), 'héllo ✓', 'héllo ✓', Buffer.from('héllo ✓').toString('hex'), 25],
  ['bytea', t('bytea'), new Uint8Array([1, 2, 255]), '\\x0102ff', '0102ff', 17],
  ['date', t('date'), '1999-12-31', '1999-12-31', 'ffffffff', 1082],
  ['date BC', t('date'), '0044-03-15 BC', '0044-03-15 BC', 'fff49d7b', 1082],
  ['time', t('time'), '24:00:00', '24:00:00', '000000141dd76000', 1083],
  ['timetz', t('timetz'), '12:34:56.5+05:30', '12:34:56.5+05:30', '0000000a8be1bd20ffffb2a8', 1266],
  ['timestamp', t('timestamp'), '2000-01-01 00:00:01', '2000-01-01 00:00:01', '00000000000f4240', 1114],
  ['timestamp BC', t('timestamp'), '1900-01-01 00:00:00 BC', '1900-01-01 00:00:00 BC', 'fe4adf4e65420000', 1114],
  ['timestamp infinity', t('timestamp'), 'infinity', 'infinity', '7fffffffffffffff', 1114],
  ['timestamptz', t('timestamptz'), '2024-02-29 11:14:15.123456+00', '2024-02-29 11:14:15.123456+00', '0002b58220dc9200', 1184],
  ['interval', t('interval'), '1 year 2 mons -3 days +04:05:06.789', '1 year 2 mons -3 days +04:05:06.789', '000000036c97ca88fffffffd0000000e', 1186],
  ['uuid', t('uuid'), 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'a0eebc999c0b4ef8bb6d6bb9bd380a11', 2950],
  ['json', t('json'), '{"a": 1}', '{"a": 1}', Buffer.from('{"a": 1}').toString('hex'), 114],
  ['int4[] with null', list(t('int4')), [1, null, 3], '{1,NULL,3}', '00000001000000010000001700000003000000010000000400000001ffffffff0000000400000003', 1007],
  ['text[][]', list(list(t('text'))), [['a', 'b'], ['c', 'd']], '{{a,b},{c,d}}', '000000020000000000000019000000020000000100000002000000010000000161000000016200000001630000000164', 1009],
  ['empty int4[]', list(t('int4')), [], '{}', '000000000000000000000017', 1007],
];

describe('pg types: results, text and binary, against PostgreSQL 15 output', () => {
  for (const [label, type, value, text, hex, oid] of CASES) {
    it(label, () => {
      expect(encodeText(value, type)).toBe(text);
      expect(bin(value, type)).toBe(hex);
      // A scalar may also arrive as canonical text: binary must parse it to the same bytes.
      if (type.kind !== 'list' && type.kind !== 'bytea') expect(bin(text, type)).toBe(hex);
      expect(pgColumnType(type).oid).toBe(oid);
    });
  }

  it('int128 binary survives a text → numeric round trip', () => {
    const hex = bin(170141183460469231731687303715884105727n, t('int128'));
    expect(decodeParam(Buffer.from(hex, 'hex'), 1, 1700)).toBe('170141183460469231731687303715884105727');
  });

  it('numeric specials and exponents', () => {
    expect(bin('NaN', { kind: 'decimal' })).toBe('00000000c0000000');
    expect(bin('-Infinity', { kind: 'decimal' })).toBe('00000000f0000000');
    expect(decodeParam(Buffer.from('00000000f0000020', 'hex'), 1, 1700)).toBe('-Infinity');
    expect(decodeParam(Buffer.from(bin('1.5e3', { kind: 'decimal' }), 'hex'), 1, 1700)).toBe('1500');
    expect(decodeParam(Buffer.from(bin('-0.00', { kind: 'decimal' }), 'hex'), 1, 1700)).toBe('0.00');
  });

  it('floats print like PostgreSQL', () => {
    expect([1e15, 1e14, 123456789012345.6, 1e-5, 0.0001, 1e21, 1.5e300, 1e-7, -0, NaN, Infinity, -Infinity, 0.1 + 0.2].map((v) => formatFloat(v))).toEqual([
      '1e+15', '100000000000000', '123456789012345.6', '1e-05', '0.0001', '1e+21', '1.5e+300', '1e-07', '-0', 'NaN', 'Infinity', '-Infinity', '0.30000000000000004',
    ]);
    expect([1e6, 123456, 1234567, 0.1, 3.4028234663852886e38].map((v) => formatFloat(v, true))).toEqual(['1e+06', '123456', '1.234567e+06', '0.1', '3.4028235e+38']);
    expect(encodeText(Math.fround(0.1), t('float4'))).toBe('0.1');
  });

  it('array text quoting', () => {
    expect(encodeText(['a b', null, 'NULL', '', 'x"y', 'a\\b', 'plain'], list(t('text')))).toBe('{"a b",NULL,"NULL","","x\\"y","a\\\\b",plain}');
    expect(encodeText([true, false], list(t('bool')))).toBe('{t,f}');
    expect(encodeText([new Uint8Array([1])], list(t('bytea')))).toBe('{"\\\\x01"}');
    expect(parseArrayText('{"a b",NULL,"NULL","","x\\"y","a\\\\b",plain}')).toEqual(['a b', null, 'NULL', '', 'x"y', 'a\\b', 'plain']);
    expect(parseArrayText('[1:2]={{1,2},{3,4}}')).toEqual([['1', '2'], ['3', '4']]);
  });

  it('struct and map become JSON text, typed json', () => {
    const st: SqlType = { kind: 'struct', fields: [{ name: 'a', type: t('int8') }, { name: 'b', type: t('text') }, { name: 'c', type: list(t('float8')) }, { name: 'd', type: t('decimal') }] };
    expect(encodeText({ a: 12345678901234567890n, b: 'x"y', c: [1.5, null], d: '1.10' }, st)).toBe('{"a":12345678901234567890,"b":"x\\"y","c":[1.5,null],"d":1.10}');
    expect(encodeText(['1', 'q', [], null], st)).toBe('{"a":1,"b":"q","c":[],"d":null}');
    expect(pgColumnType(st).oid).toBe(114);
    const mp: SqlType = { kind: 'map', key: t('int4'), value: t('text') };
    expect(encodeText([[1, 'one'], [2, null]], mp)).toBe('{"1":"one","2":null}');
    expect(encodeText(new Map([['k', 'v']]), { kind: 'map', key: t('text'), value: t('text') })).toBe('{"k":"v"}');
    expect(pgColumnType(list(st)).oid).toBe(199);
    expect(encodeText([{ a: 1n, b: 'x', c: null, d: null }], list(st))).toBe('{"{\\"a\\":1,\\"b\\":\\"x\\",\\"c\\":null,\\"d\\":null}"}');
    expect(bin({ a: 1, b: 'x', c: [], d: '2' }, st)).toBe(Buffer.from('{"a":1,"b":"x","c":[],"d":2}').toString('hex'));
  });

  it('unknown types travel as text', () => {
    expect(encodeText('192.168.0.1/32', { kind: 'unknown', name: 'inet' })).toBe('192.168.0.1/32');
    expect(pgColumnType({ kind: 'unknown', name: 'inet' }).oid).toBe(25);
  });

  it('oid, xid and reg* named pg:<oid> keep their PostgreSQL OIDs (asyncpg introspects with oid[])', () => {
    const oid: SqlType = { kind: 'unknown', name: 'pg:26' };
    const regtype: SqlType = { kind: 'unknown', name: 'pg:2206' };
    expect(pgColumnType(oid)).toEqual({ oid: 26, typlen: 4, typmod: -1 });
    expect(pgColumnType(list(oid)).oid).toBe(1028);
    expect(paramOid(list(oid))).toBe(1028);
    expect(pgColumnType(regtype).oid).toBe(2206);
    expect(pgColumnType(list({ kind: 'unknown', name: 'pg:869' })).oid).toBe(1009); // inet: no passthrough, text
    expect(encodeText('4294967295', oid)).toBe('4294967295');
    expect(bin('4294967295', oid)).toBe('ffffffff');
    // oid[] binary as PostgreSQL 15 sends '{26,1028}'::oid[]: element OID 26.
    expect(bin(['26', '1028'], list(oid))).toBe('00000001' + '00000000' + '0000001a' + '00000002' + '00000001' + '00000004' + '0000001a' + '00000004' + '00000404');
    expect(() => bin('integer', regtype)).toThrow(/binary output of regtype/);
    expect(decodeParam(Buffer.from('0000001a', 'hex'), 1, 0, oid)).toBe('26');
    expect(decodeParam(Buffer.from('26'), 0, 0, oid)).toBe('26');
  });

  it('lenient native forms: Date objects, numbers for decimals', () => {
    const d = new Date(Date.UTC(2024, 1, 29, 13, 14, 15, 500));
    expect(encodeText(d, t('timestamptz'))).toBe('2024-02-29 13:14:15.5+00');
    expect(encodeText(d, t('timestamp'))).toBe('2024-02-29 13:14:15.5');
    expect(encodeText(d, t('date'))).toBe('2024-02-29');
    expect(encodeText(1.25, { kind: 'decimal' })).toBe('1.25');
    expect(encodeText(7n, t('int4'))).toBe('7');
  });

  it('typmod for numeric(p,s)', () => {
    expect(pgColumnType({ kind: 'decimal', precision: 10, scale: 2 }).typmod).toBe(655366);
    expect(pgColumnType(t('int4')).typlen).toBe(4);
  });

  it('field encoders write length-prefixed values', () => {
    const w = new PgWriter(4);
    fieldEncoder(t('int4'), 0)(w, 42);
    fieldEncoder(t('int4'), 1)(w, 42);
    expect(w.take().toString('hex')).toBe('00000002' + '3432' + '00000004' + '0000002a');
  });
});

describe('pg types: parameters, text and binary', () => {
  for (const [label, type, value, text, hex, oid] of CASES) {
    if (type.kind === 'list' && type.element.kind === 'list') continue;
    it(label, () => {
      const fromText = decodeParam(Buffer.from(text), 0, oid);
      const fromBinary = decodeParam(Buffer.from(hex, 'hex'), 1, oid);
      const expected = type.kind === 'decimal' || type.kind === 'int128' ? text : type.kind === 'int8' ? BigInt(value as bigint) : value;
      expect(fromText).toEqual(expected);
      expect(fromBinary).toEqual(expected);
    });
  }

  it('jsonb binary drops the version byte', () => {
    expect(decodeParam(Buffer.from('017b7d', 'hex'), 1, 3802)).toBe('{}');
  });

  it('varchar, bpchar, name and unknown OIDs are text; OID 0 keeps the raw form', () => {
    for (const oid of [1043, 1042, 19, 705]) expect(decodeParam(Buffer.from('abc'), 0, oid)).toBe('abc');
    expect(decodeParam(Buffer.from('42'), 0, 0)).toBe('42');
    expect(decodeParam(Buffer.from([1, 2]), 1, 0)).toEqual(new Uint8Array([1, 2]));
    expect(decodeParam(Buffer.from('42'), 0, 0, t('int4'))).toBe(42);
  });

  it('text arrays of every element kind', () => {
    expect(decodeParam(Buffer.from('{1,2,NULL}'), 0, 1016)).toEqual([1n, 2n, null]);
    expect(decodeParam(Buffer.from('{t,f}'), 0, 1000)).toEqual([true, false]);
    expect(decodeParam(Buffer.from('{"a,b",c}'), 0, 1009)).toEqual(['a,b', 'c']);
    expect(decodeParam(Buffer.from('{2024-01-01}'), 0, 1182)).toEqual(['2024-01-01']);
    expect(decodeParam(Buffer.from('{1.5,NaN}'), 0, 1022)).toEqual([1.5, NaN]);
  });

  it('bool, bytea escape format, timestamptz offsets, intervals in other spellings', () => {
    expect(['yes', 'off', '1', 'TRUE'].map((s) => decodeParam(Buffer.from(s), 0, 16))).toEqual([true, false, true, true]);
    expect(decodeParam(Buffer.from('a\\\\b\\001'), 0, 17)).toEqual(new Uint8Array([97, 92, 98, 1]));
    expect(decodeParam(Buffer.from('2024-02-29T13:14:15.123456+02:00'), 0, 1184)).toBe('2024-02-29 11:14:15.123456+00');
    expect(decodeParam(Buffer.from('1 day 02:00:00'), 0, 1186)).toBe('1 day 02:00:00');
    expect(decodeParam(Buffer.from('3 hours 2 minutes'), 0, 1186)).toBe('03:02:00');
    expect(decodeParam(Buffer.from('-1 days +02:00:00'), 0, 1186)).toBe('-1 days +02:00:00');
    expect(decodeParam(Buffer.from('1 year 13 months'), 0, 1186)).toBe('2 years 1 mon');
  });

  it('rejects malformed values with SQLSTATEs', () => {
    const code = (fn: () => unknown): string | undefined => {
      try {
        fn();
      } catch (e) {
        return (e as { sqlstate?: string }).sqlstate;
      }
      return undefined;
    };
    expect(code(() => decodeParam(Buffer.from('x1'), 0, 23))).toBe('22P02');
    expect(code(() => decodeParam(Buffer.from('99999'), 0, 21))).toBe('22003');
    expect(code(() => decodeParam(Buffer.from([1, 2, 3]), 1, 23))).toBe('22P03');
    expect(code(() => decodeParam(Buffer.from('maybe'), 0, 16))).toBe('22P02');
    expect(code(() => decodeParam(Buffer.from('2024-13-01'), 0, 1082))).toBe('22007');
    expect(code(() => decodeParam(Buffer.from('{1,2'), 0, 1007))).toBe('22P02');
    expect(code(() => decodeParam(Buffer.from('not-a-uuid'), 0, 2950))).toBe('22P02');
    expect(code(() => decodeParam(Buffer.from('00000001', 'hex'), 1, 1007))).toBe('22P03');
  });

  it('maps OIDs to SqlTypes and back', () => {
    expect(sqlTypeFromOid(23)).toEqual({ kind: 'int4' });
    expect(sqlTypeFromOid(1007)).toEqual({ kind: 'list', element: { kind: 'int4' } });
    expect(sqlTypeFromOid(0)).toBeUndefined();
    expect(paramOid({ kind: 'timestamptz' })).toBe(1184);
    expect(paramOid(undefined)).toBe(0);
  });
});
