/**
 * The one SqlType ↔ PostgreSQL wire type table: OID, typlen, text and binary encoders for
 * results, and text and binary decoders for parameters. Values follow the convention in
 * src/core/types.ts: a scalar may arrive as canonical text (written as-is in text format,
 * parsed for binary), else in its native JS form.
 */
import { qfError } from '../../core/errors.js';
import type { SqlType, SqlTypeKind } from '../../core/types.js';
import type { FormatCode } from './protocol/messages.js';
import type { PgWriter } from './protocol/writer.js';
import { formatArrayText, parseArrayText } from './values/array-text.js';
import {
  dateObjectToText,
  dateTextToDays,
  daysToDateText,
  intervalPartsToText,
  intervalTextToParts,
  microsToTimeText,
  microsToTimestampText,
  timeTextToMicros,
  timestampTextToMicros,
  timetzPartsToText,
  timetzTextToParts,
} from './values/datetime.js';
import { formatFloat } from './values/float-text.js';
import { toJsonText } from './values/json-text.js';
import { readNumericBinary, writeNumericBinary } from './values/numeric.js';

/** Encoders and decoders for one SqlType kind. */
interface KindCodec {
  readonly oid: number;
  readonly arrayOid: number;
  readonly typlen: number;
  /** Non-null value → PostgreSQL text output. */
  text(v: unknown, t: SqlType): string;
  /** Non-null value → binary body appended to `w` (the caller writes the length). */
  binary(w: PgWriter, v: unknown, t: SqlType): void;
  /** Parameter text → value convention. */
  fromText(s: string, t: SqlType): unknown;
  /** Parameter binary body → value convention. */
  fromBinary(b: Buffer, t: SqlType): unknown;
}

function badBinary(type: string, detail = 'wrong length'): Error {
  return qfError('QF_INVALID_PARAMETER', { detail: `invalid binary value for type ${type}: ${detail}` }, { sqlstate: '22P03' });
}

function badText(type: string, s: string): Error {
  return qfError('QF_INVALID_PARAMETER', { detail: `invalid input syntax for type ${type}: "${s}"` }, { sqlstate: '22P02' });
}

function fixed(b: Buffer, n: number, type: string): Buffer {
  if (b.length !== n) throw badBinary(type, `expected ${n} bytes, got ${b.length}`);
  return b;
}

const INT_RE = /^\s*[+-]?\d+\s*$/;

function parseIntText(s: string, type: string, min: number, max: number): number {
  if (!INT_RE.test(s)) throw badText(type, s);
  const n = Number(s);
  if (n < min || n > max) throw qfError('QF_INVALID_PARAMETER', { detail: `value "${s}" is out of range for type ${type}` }, { sqlstate: '22003' });
  return n;
}

function parseInt8Text(s: string): bigint {
  if (!INT_RE.test(s)) throw badText('bigint', s);
  const n = BigInt(s.trim());
  if (n > 0x7fffffffffffffffn || n < -0x8000000000000000n) throw qfError('QF_INVALID_PARAMETER', { detail: `value "${s}" is out of range for type bigint` }, { sqlstate: '22003' });
  return n;
}

function parseFloatText(s: string, type: string): number {
  const t = s.trim().toLowerCase();
  if (t === 'nan') return NaN;
  if (t === 'infinity' || t === '+infinity' || t === 'inf' || t === '+inf') return Infinity;
  if (t === '-infinity' || t === '-inf') return -Infinity;
  const n = Number(t);
  if (t === '' || Number.isNaN(n)) throw badText(type, s);
  return n;
}

function toNumber(v: unknown, type: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string') return parseFloatText(v, type);
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw badText(type, String(v));
}

function toBigInt(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(Math.trunc(v));
  return parseInt8Text(String(v));
}

function boolFromText(s: string): boolean {
  switch (s.trim().toLowerCase()) {
    case 't': case 'true': case 'y': case 'yes': case 'on': case '1':
      return true;
    case 'f': case 'false': case 'n': case 'no': case 'off': case '0':
      return false;
    default:
      throw badText('boolean', s);
  }
}

function toBool(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return v !== 0 && v !== 0n;
  return boolFromText(String(v));
}

const HEX_RE = /^[0-9a-fA-F]*$/;

/** bytea text input: hex ('\x…') or escape format. */
function byteaFromText(s: string): Uint8Array {
  if (s.startsWith('\\x')) {
    const hex = s.slice(2).replace(/\s+/g, '');
    if (hex.length % 2 !== 0 || !HEX_RE.test(hex)) throw badText('bytea', s);
    return new Uint8Array(Buffer.from(hex, 'hex'));
  }
  const out: number[] = [];
  for (let i = 0; i < s.length; ) {
    if (s[i] === '\\') {
      if (s[i + 1] === '\\') {
        out.push(92);
        i += 2;
      } else if (/^[0-3][0-7]{2}$/.test(s.slice(i + 1, i + 4))) {
        out.push(parseInt(s.slice(i + 1, i + 4), 8));
        i += 4;
      } else throw badText('bytea', s);
    } else {
      const b = Buffer.from(s[i]!, 'utf8');
      for (const x of b) out.push(x);
      i++;
    }
  }
  return Uint8Array.from(out);
}

function toBytes(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (typeof v === 'string') return byteaFromText(v);
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  return Buffer.from(String(v), 'utf8');
}

function bytesHex(b: Uint8Array): string {
  return `\\x${Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')}`;
}

function textOf(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Uint8Array) return bytesHex(v);
  if (v instanceof Date) return v.toISOString();
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
}

function dateish(v: unknown, kind: 'date' | 'timestamp' | 'timestamptz'): string {
  return v instanceof Date ? dateObjectToText(v, kind) : String(v);
}

function uuidBytes(s: string): Buffer {
  const hex = s.trim().replace(/^\{|\}$/g, '').replace(/-/g, '');
  if (hex.length !== 32 || !HEX_RE.test(hex)) throw badText('uuid', s);
  return Buffer.from(hex, 'hex');
}

function uuidText(b: Buffer): string {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const utf8Binary = (w: PgWriter, v: unknown): void => w.utf8(textOf(v));
const utf8FromBinary = (b: Buffer): string => b.toString('utf8');
const identity = (s: string): string => s;

/** Scalar text encoder used by lists, structs and maps for their elements. */
export function encodeText(v: unknown, t: SqlType): string {
  return CODECS[t.kind].text(v, t);
}

const jsonText = (v: unknown, t: SqlType): string => toJsonText(v, t, encodeText);

/** The innermost non-list element type of a (possibly nested) list. */
function leafType(t: SqlType): SqlType {
  let x = t;
  while (x.kind === 'list') x = x.element;
  return x;
}

/** Array binary format: ndim, hasnull, elemoid, (size, lbound) per dim, then elements. */
function writeArrayBinary(w: PgWriter, v: unknown, t: SqlType & { kind: 'list' }): void {
  if (!Array.isArray(v)) {
    if (typeof v === 'string') return writeArrayBinary(w, decodeArrayText(v, t), t);
    throw badBinary('array', 'not an array');
  }
  const leaf = leafType(t);
  const dims: number[] = [];
  let probe: unknown = v;
  let depth = t as SqlType;
  while (depth.kind === 'list' && Array.isArray(probe)) {
    dims.push(probe.length);
    if (probe.length === 0) break;
    probe = probe[0];
    depth = depth.element;
  }
  let hasNull = 0;
  const flat: unknown[] = [];
  const walk = (a: unknown[], level: number): void => {
    if (a.length !== dims[level]) throw badBinary('array', 'nested lists of different lengths cannot be sent as a PostgreSQL array');
    for (const x of a) {
      if (level + 1 < dims.length) {
        if (!Array.isArray(x)) throw badBinary('array', 'nested lists of different lengths cannot be sent as a PostgreSQL array');
        walk(x, level + 1);
      } else {
        if (x === null || x === undefined) hasNull = 1;
        flat.push(x);
      }
    }
  };
  if (dims[0] === 0) dims.length = 0;
  else walk(v, 0);
  const leafCodec = CODECS[leaf.kind];
  w.int32(dims.length);
  w.int32(hasNull);
  w.uint32(scalarOid(leaf));
  for (const d of dims) {
    w.int32(d);
    w.int32(1);
  }
  for (const x of flat) {
    if (x === null || x === undefined) w.int32(-1);
    else {
      const at = w.beginLength();
      leafCodec.binary(w, x, leaf);
      w.endLength(at);
    }
  }
}

function decodeArrayText(s: string, t: SqlType & { kind: 'list' }): unknown[] {
  const leaf = leafType(t);
  const codec = CODECS[leaf.kind];
  const map = (a: unknown[]): unknown[] => a.map((x) => (x === null ? null : Array.isArray(x) ? map(x) : codec.fromText(x as string, leaf)));
  return map(parseArrayText(s));
}

function decodeArrayBinary(b: Buffer, t: SqlType & { kind: 'list' }): unknown[] {
  if (b.length < 12) throw badBinary('array', 'truncated header');
  const ndim = b.readInt32BE(0);
  const elemOid = b.readUInt32BE(8);
  if (ndim < 0 || ndim > 6 || b.length < 12 + ndim * 8) throw badBinary('array', 'invalid dimensions');
  const dims: number[] = [];
  for (let i = 0; i < ndim; i++) {
    const d = b.readInt32BE(12 + i * 8);
    if (d < 0) throw badBinary('array', 'invalid dimension size');
    dims.push(d);
  }
  let pos = 12 + ndim * 8;
  const leaf = leafType(t);
  const decodeElem = elementDecoder(elemOid, leaf);
  const build = (level: number): unknown[] => {
    const out: unknown[] = [];
    for (let i = 0; i < dims[level]!; i++) {
      if (level + 1 < ndim) out.push(build(level + 1));
      else {
        if (pos + 4 > b.length) throw badBinary('array', 'truncated element');
        const len = b.readInt32BE(pos);
        pos += 4;
        if (len === -1) out.push(null);
        else {
          if (len < 0 || pos + len > b.length) throw badBinary('array', 'invalid element length');
          out.push(decodeElem(b.subarray(pos, pos + len)));
          pos += len;
        }
      }
    }
    return out;
  };
  const r = ndim === 0 ? [] : build(0);
  if (pos !== b.length) throw badBinary('array', 'trailing bytes');
  return r;
}

function elementDecoder(oid: number, fallback: SqlType): (b: Buffer) => unknown {
  const p = OID_PARAM[oid];
  if (p !== undefined && p.type.kind !== 'list') {
    const codec = CODECS[p.type.kind];
    const t = p.type;
    return p.binary ? (b) => p.binary!(b) : (b) => codec.fromBinary(b, t);
  }
  return (b) => CODECS[fallback.kind].fromBinary(b, fallback);
}

/**
 * PostgreSQL types with no SqlType kind of their own (oid, xid, reg*) that an engine reports as
 * `{ kind: 'unknown', name: 'pg:<oid>' }` (the PostgreSQL engine for any type it does not map, the
 * DuckDB engine for UINTEGER): described with their real OID, so clients pick their own codecs for
 * them (asyncpg's type introspection binds an oid[] parameter and must see 1028, not int8[]).
 * Values stay the engine's text. The reg* types are text-only here: their binary form is an OID
 * the gateway cannot look up from a name.
 */
interface Passthrough {
  readonly oid: number;
  readonly arrayOid: number;
  readonly typlen: number;
  binary(w: PgWriter, v: unknown): void;
  fromBinary(b: Buffer): string;
}

function uint32Text(v: unknown, type: string): number {
  const s = textOf(v);
  if (!/^\s*\d+\s*$/.test(s) || Number(s) > 0xffffffff) {
    throw qfError('QF_FEATURE_NOT_SUPPORTED', { detail: `binary output of ${type} value "${s}" (request text format for this column)` });
  }
  return Number(s);
}

function passthroughOf(oid: number, name: string, arrayOid: number): Passthrough {
  return {
    oid,
    arrayOid,
    typlen: 4,
    binary: (w, v) => w.uint32(uint32Text(v, name)),
    fromBinary: (b) => String(fixed(b, 4, name).readUInt32BE(0)),
  };
}

const PASSTHROUGH: ReadonlyMap<string, Passthrough> = new Map(
  (
    [
      [26, 'oid', 1028], [28, 'xid', 1011], [29, 'cid', 1012], [24, 'regproc', 1008], [2202, 'regprocedure', 2207],
      [2203, 'regoper', 2208], [2204, 'regoperator', 2209], [2205, 'regclass', 2210], [2206, 'regtype', 2211],
      [4089, 'regnamespace', 4090], [4096, 'regrole', 4097], [3734, 'regconfig', 3735], [3769, 'regdictionary', 3770], [4191, 'regcollation', 4192],
    ] as const
  ).map(([oid, name, arr]) => [`pg:${oid}`, passthroughOf(oid, name, arr)]),
);

/** The passthrough PostgreSQL type an `unknown` SqlType names, if any. */
function passthrough(t: SqlType): Passthrough | undefined {
  return t.kind === 'unknown' ? PASSTHROUGH.get(t.name) : undefined;
}

/** OID of a scalar (non-list) type on the wire. */
function scalarOid(t: SqlType): number {
  return passthrough(t)?.oid ?? CODECS[t.kind].oid;
}

const CODECS: { readonly [K in SqlTypeKind]: KindCodec } = {
  bool: {
    oid: 16, arrayOid: 1000, typlen: 1,
    text: (v) => (typeof v === 'boolean' ? (v ? 't' : 'f') : toBool(v) ? 't' : 'f'),
    binary: (w, v) => w.int8(toBool(v) ? 1 : 0),
    fromText: boolFromText,
    fromBinary: (b) => fixed(b, 1, 'boolean')[0] !== 0,
  },
  int2: {
    oid: 21, arrayOid: 1005, typlen: 2,
    text: textOf,
    binary: (w, v) => w.int16(toNumber(v, 'smallint')),
    fromText: (s) => parseIntText(s, 'smallint', -32768, 32767),
    fromBinary: (b) => fixed(b, 2, 'smallint').readInt16BE(0),
  },
  int4: {
    oid: 23, arrayOid: 1007, typlen: 4,
    text: textOf,
    binary: (w, v) => w.int32(toNumber(v, 'integer')),
    fromText: (s) => parseIntText(s, 'integer', -2147483648, 2147483647),
    fromBinary: (b) => fixed(b, 4, 'integer').readInt32BE(0),
  },
  int8: {
    oid: 20, arrayOid: 1016, typlen: 8,
    text: textOf,
    binary: (w, v) => w.int64(toBigInt(v)),
    fromText: parseInt8Text,
    fromBinary: (b) => fixed(b, 8, 'bigint').readBigInt64BE(0),
  },
  int128: {
    oid: 1700, arrayOid: 1231, typlen: -1,
    text: textOf,
    binary: (w, v) => writeNumericBinary(w, textOf(v)),
    fromText: (s) => {
      if (!INT_RE.test(s)) throw badText('numeric', s);
      return BigInt(s.trim());
    },
    fromBinary: (b) => {
      const s = readNumericBinary(b);
      if (!/^-?\d+$/.test(s)) throw badBinary('numeric', 'not an integer');
      return BigInt(s);
    },
  },
  float4: {
    oid: 700, arrayOid: 1021, typlen: 4,
    text: (v) => (typeof v === 'number' ? formatFloat(v, true) : textOf(v)),
    binary: (w, v) => w.float32(toNumber(v, 'real')),
    fromText: (s) => parseFloatText(s, 'real'),
    fromBinary: (b) => fixed(b, 4, 'real').readFloatBE(0),
  },
  float8: {
    oid: 701, arrayOid: 1022, typlen: 8,
    text: (v) => (typeof v === 'number' ? formatFloat(v) : textOf(v)),
    binary: (w, v) => w.float64(toNumber(v, 'double precision')),
    fromText: (s) => parseFloatText(s, 'double precision'),
    fromBinary: (b) => fixed(b, 8, 'double precision').readDoubleBE(0),
  },
  decimal: {
    oid: 1700, arrayOid: 1231, typlen: -1,
    text: (v) => (typeof v === 'number' ? (Number.isFinite(v) ? String(v) : formatFloat(v)) : textOf(v)),
    binary: (w, v) => writeNumericBinary(w, typeof v === 'number' ? (Number.isFinite(v) ? String(v) : formatFloat(v)) : textOf(v)),
    fromText: (s) => {
      const t = s.trim();
      if (!/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(t) && !/^[+-]?(?:nan|infinity|inf)$/i.test(t)) throw badText('numeric', s);
      return t;
    },
    fromBinary: readNumericBinary,
  },
  text: {
    oid: 25, arrayOid: 1009, typlen: -1,
    text: textOf,
    binary: utf8Binary,
    fromText: identity,
    fromBinary: utf8FromBinary,
  },
  bytea: {
    oid: 17, arrayOid: 1001, typlen: -1,
    text: (v) => (v instanceof Uint8Array ? bytesHex(v) : textOf(v)),
    binary: (w, v) => w.bytes(toBytes(v)),
    fromText: byteaFromText,
    fromBinary: (b) => new Uint8Array(b),
  },
  date: {
    oid: 1082, arrayOid: 1182, typlen: 4,
    text: (v) => dateish(v, 'date'),
    binary: (w, v) => w.int32(dateTextToDays(dateish(v, 'date'))),
    fromText: (s) => daysToDateText(dateTextToDays(s)),
    fromBinary: (b) => daysToDateText(fixed(b, 4, 'date').readInt32BE(0)),
  },
  time: {
    oid: 1083, arrayOid: 1183, typlen: 8,
    text: textOf,
    binary: (w, v) => w.int64(timeTextToMicros(String(v))),
    fromText: (s) => microsToTimeText(timeTextToMicros(s)),
    fromBinary: (b) => microsToTimeText(fixed(b, 8, 'time').readBigInt64BE(0)),
  },
  timetz: {
    oid: 1266, arrayOid: 1270, typlen: 12,
    text: textOf,
    binary: (w, v) => {
      const p = timetzTextToParts(String(v));
      w.int64(p.micros);
      // The wire zone is seconds west of UTC.
      w.int32(-p.offsetSeconds);
    },
    fromText: (s) => {
      const p = timetzTextToParts(s);
      return timetzPartsToText(p.micros, p.offsetSeconds);
    },
    fromBinary: (b) => timetzPartsToText(fixed(b, 12, 'time with time zone').readBigInt64BE(0), -b.readInt32BE(8)),
  },
  timestamp: {
    oid: 1114, arrayOid: 1115, typlen: 8,
    text: (v) => dateish(v, 'timestamp'),
    binary: (w, v) => w.int64(timestampTextToMicros(dateish(v, 'timestamp'), false)),
    fromText: (s) => microsToTimestampText(timestampTextToMicros(s, false), false),
    fromBinary: (b) => microsToTimestampText(fixed(b, 8, 'timestamp').readBigInt64BE(0), false),
  },
  timestamptz: {
    oid: 1184, arrayOid: 1185, typlen: 8,
    text: (v) => dateish(v, 'timestamptz'),
    binary: (w, v) => w.int64(timestampTextToMicros(dateish(v, 'timestamptz'), true)),
    fromText: (s) => microsToTimestampText(timestampTextToMicros(s, true), true),
    fromBinary: (b) => microsToTimestampText(fixed(b, 8, 'timestamp with time zone').readBigInt64BE(0), true),
  },
  interval: {
    oid: 1186, arrayOid: 1187, typlen: 16,
    text: textOf,
    binary: (w, v) => {
      const p = intervalTextToParts(String(v));
      w.int64(p.micros);
      w.int32(p.days);
      w.int32(p.months);
    },
    fromText: (s) => intervalPartsToText(intervalTextToParts(s)),
    fromBinary: (b) => intervalPartsToText({ micros: fixed(b, 16, 'interval').readBigInt64BE(0), days: b.readInt32BE(8), months: b.readInt32BE(12) }),
  },
  uuid: {
    oid: 2950, arrayOid: 2951, typlen: 16,
    text: textOf,
    binary: (w, v) => w.bytes(v instanceof Uint8Array ? v : uuidBytes(String(v))),
    fromText: (s) => uuidText(uuidBytes(s)),
    fromBinary: (b) => uuidText(fixed(b, 16, 'uuid')),
  },
  json: {
    oid: 114, arrayOid: 199, typlen: -1,
    text: textOf,
    binary: utf8Binary,
    fromText: identity,
    fromBinary: utf8FromBinary,
  },
  list: {
    oid: 0, arrayOid: 0, typlen: -1,
    text: (v, t) => {
      if (!Array.isArray(v)) return textOf(v);
      const lt = t as SqlType & { kind: 'list' };
      const leaf = leafType(lt);
      const codec = CODECS[leaf.kind];
      return formatArrayText(v, (x) => codec.text(x, leaf), lt.element.kind === 'list');
    },
    binary: (w, v, t) => writeArrayBinary(w, v, t as SqlType & { kind: 'list' }),
    fromText: (s, t) => decodeArrayText(s, t as SqlType & { kind: 'list' }),
    fromBinary: (b, t) => decodeArrayBinary(b, t as SqlType & { kind: 'list' }),
  },
  struct: {
    oid: 114, arrayOid: 199, typlen: -1,
    text: jsonText,
    binary: (w, v, t) => w.utf8(jsonText(v, t)),
    fromText: (s) => JSON.parse(s) as unknown,
    fromBinary: (b) => JSON.parse(b.toString('utf8')) as unknown,
  },
  map: {
    oid: 114, arrayOid: 199, typlen: -1,
    text: jsonText,
    binary: (w, v, t) => w.utf8(jsonText(v, t)),
    fromText: (s) => Object.entries(JSON.parse(s) as Record<string, unknown>),
    fromBinary: (b) => Object.entries(JSON.parse(b.toString('utf8')) as Record<string, unknown>),
  },
  unknown: {
    oid: 25, arrayOid: 1009, typlen: -1,
    text: textOf,
    binary: (w, v, t) => {
      const p = passthrough(t);
      if (p !== undefined) p.binary(w, v);
      else utf8Binary(w, v);
    },
    fromText: identity,
    fromBinary: (b, t) => passthrough(t)?.fromBinary(b) ?? utf8FromBinary(b),
  },
};

/** How a result column of type `t` is described in a RowDescription. */
export interface PgColumnType {
  readonly oid: number;
  readonly typlen: number;
  readonly typmod: number;
}

/** PostgreSQL type of a result column. */
export function pgColumnType(t: SqlType): PgColumnType {
  if (t.kind === 'list') {
    const leaf = leafType(t);
    return { oid: passthrough(leaf)?.arrayOid ?? CODECS[leaf.kind].arrayOid, typlen: -1, typmod: -1 };
  }
  const p = passthrough(t);
  if (p !== undefined) return { oid: p.oid, typlen: p.typlen, typmod: -1 };
  const c = CODECS[t.kind];
  let typmod = -1;
  if (t.kind === 'decimal' && t.precision !== undefined) typmod = ((t.precision << 16) | (t.scale ?? 0)) + 4;
  return { oid: c.oid, typlen: c.typlen, typmod };
}

/** Writes one non-null field (length + bytes) of a DataRow. */
export type FieldEncoder = (w: PgWriter, v: unknown) => void;

/** Field encoder for a column, chosen once per portal so rows do no type dispatch. */
export function fieldEncoder(t: SqlType, format: FormatCode): FieldEncoder {
  const c = CODECS[t.kind];
  if (format === 0) {
    if (t.kind === 'text' || t.kind === 'unknown' || t.kind === 'json') {
      return (w, v) => w.lengthPrefixedUtf8(typeof v === 'string' ? v : c.text(v, t));
    }
    return (w, v) => w.lengthPrefixedUtf8(c.text(v, t));
  }
  return (w, v) => {
    const at = w.beginLength();
    c.binary(w, v, t);
    w.endLength(at);
  };
}

/** Parameter type for an OID: the SqlType, plus a binary decoder when the wire form differs (jsonb). */
interface OidParam {
  readonly type: SqlType;
  readonly binary?: (b: Buffer) => unknown;
}

const T = (kind: Exclude<SqlTypeKind, 'list' | 'struct' | 'map' | 'decimal' | 'unknown'>): SqlType => ({ kind }) as SqlType;
const TEXT: SqlType = { kind: 'text' };
const JSONB_BINARY = (b: Buffer): string => {
  if (b.length === 0 || b[0] !== 1) throw badBinary('jsonb', 'unsupported jsonb version');
  return b.toString('utf8', 1);
};

const SCALAR_OIDS: Readonly<Record<number, OidParam>> = {
  16: { type: T('bool') },
  17: { type: T('bytea') },
  18: { type: TEXT },
  19: { type: TEXT },
  20: { type: T('int8') },
  21: { type: T('int2') },
  23: { type: T('int4') },
  25: { type: TEXT },
  26: { type: T('int8'), binary: (b) => BigInt(fixed(b, 4, 'oid').readUInt32BE(0)) },
  114: { type: T('json') },
  142: { type: TEXT },
  700: { type: T('float4') },
  701: { type: T('float8') },
  705: { type: TEXT },
  1042: { type: TEXT },
  1043: { type: TEXT },
  1082: { type: T('date') },
  1083: { type: T('time') },
  1114: { type: T('timestamp') },
  1184: { type: T('timestamptz') },
  1186: { type: T('interval') },
  1266: { type: T('timetz') },
  1700: { type: { kind: 'decimal' } },
  2950: { type: T('uuid') },
  3802: { type: T('json'), binary: JSONB_BINARY },
};

const ARRAY_OIDS: Readonly<Record<number, number>> = {
  1000: 16, 1001: 17, 1002: 18, 1003: 19, 1016: 20, 1005: 21, 1007: 23, 1009: 25, 1028: 26, 199: 114, 143: 142,
  1021: 700, 1022: 701, 1014: 1042, 1015: 1043, 1182: 1082, 1183: 1083, 1115: 1114, 1185: 1184, 1187: 1186,
  1270: 1266, 1231: 1700, 2951: 2950, 3807: 3802,
};

const OID_PARAM: Readonly<Record<number, OidParam>> = (() => {
  const out: Record<number, OidParam> = { ...SCALAR_OIDS };
  for (const [arr, elem] of Object.entries(ARRAY_OIDS)) out[Number(arr)] = { type: { kind: 'list', element: SCALAR_OIDS[elem]!.type } };
  return out;
})();

/** SqlType for a parameter OID from Parse, or undefined for 0 / unknown OIDs. */
export function sqlTypeFromOid(oid: number): SqlType | undefined {
  return OID_PARAM[oid]?.type;
}

/** OID to advertise in a ParameterDescription for a parameter of type `t`. */
export function paramOid(t: SqlType | undefined): number {
  if (t === undefined) return 0;
  return pgColumnType(t).oid;
}

/**
 * Decode one Bind parameter into the SqlType value convention. `oid` is the declared type (Parse)
 * or 0; `described` is the type the engine reported when the client left it unspecified.
 * Text parameters of unknown type stay strings (canonical text is valid for any scalar), and so
 * does an unspecified one whose text the gateway cannot parse as `described` (the engine coerces
 * it, as PostgreSQL would); binary ones of unknown type stay bytes.
 */
export function decodeParam(raw: Buffer, format: FormatCode, oid: number, described?: SqlType): unknown {
  const known = OID_PARAM[oid];
  if (known !== undefined) {
    const t = known.type;
    if (format === 0) return CODECS[t.kind].fromText(raw.toString('utf8'), t);
    return known.binary !== undefined ? known.binary(raw) : CODECS[t.kind].fromBinary(raw, t);
  }
  if (described !== undefined && (described.kind !== 'unknown' || passthrough(described) !== undefined)) {
    if (format !== 0) return CODECS[described.kind].fromBinary(raw, described);
    const text = raw.toString('utf8');
    try {
      return CODECS[described.kind].fromText(text, described);
    } catch {
      // The client left the type to the server: PostgreSQL accepts more spellings than the
      // gateway parses (pgJDBC's setDate sends '2024-02-29 +00'), so the engine coerces the text.
      return text;
    }
  }
  return format === 0 ? raw.toString('utf8') : new Uint8Array(raw);
}

/** Binary body of a value of type `t` (tests and one-off encodings; rows use fieldEncoder). */
export function encodeBinary(w: PgWriter, v: unknown, t: SqlType): void {
  CODECS[t.kind].binary(w, v, t);
}
