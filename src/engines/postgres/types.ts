/** PostgreSQL type OIDs → SqlType, and DataRow text → the value convention. */
import { parse as parseArray } from 'postgres-array';
import type { SqlType } from '../../core/types.js';

/** Converts one non-null text field to the convention (most scalars stay canonical text). */
export type FieldConverter = ((text: string) => unknown) | undefined;

const SCALARS: Readonly<Record<number, SqlType>> = {
  16: { kind: 'bool' },
  17: { kind: 'bytea' },
  18: { kind: 'text' },
  19: { kind: 'text' },
  20: { kind: 'int8' },
  21: { kind: 'int2' },
  23: { kind: 'int4' },
  25: { kind: 'text' },
  114: { kind: 'json' },
  3802: { kind: 'json' },
  700: { kind: 'float4' },
  701: { kind: 'float8' },
  1042: { kind: 'text' },
  1043: { kind: 'text' },
  1082: { kind: 'date' },
  1083: { kind: 'time' },
  1266: { kind: 'timetz' },
  1114: { kind: 'timestamp' },
  1184: { kind: 'timestamptz' },
  1186: { kind: 'interval' },
  1700: { kind: 'decimal' },
  2950: { kind: 'uuid' },
};

/** Array OID → element OID. */
const ARRAYS: Readonly<Record<number, number>> = {
  1000: 16, 1001: 17, 1002: 18, 1003: 19, 1005: 21, 1007: 23, 1016: 20, 1009: 25, 1015: 1043, 1014: 1042, 1021: 700, 1022: 701,
  1231: 1700, 1182: 1082, 1183: 1083, 1115: 1114, 1185: 1184, 1187: 1186, 2951: 2950, 199: 114, 3807: 3802, 1028: 26,
  1011: 28, 1012: 29, 1008: 24, 2207: 2202, 2208: 2203, 2209: 2204, 2210: 2205, 2211: 2206, 4090: 4089, 4097: 4096, 3735: 3734, 3770: 3769, 4192: 4191,
};

/** bytea hex text ('\x0a0b') → bytes. */
export function byteaFromText(text: string): Uint8Array {
  if (text.startsWith('\\x')) return new Uint8Array(Buffer.from(text.slice(2), 'hex'));
  // escape format (bytea_output = escape): octal escapes and doubled backslashes
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 92 && text[i + 1] === '\\') {
      out.push(92);
      i++;
    } else if (c === 92) {
      out.push(parseInt(text.slice(i + 1, i + 4), 8));
      i += 3;
    } else out.push(c);
  }
  return new Uint8Array(out);
}

/**
 * A type without a SqlType kind (oid, xid, reg*, inet, ...) travels as its text, named `pg:<oid>`
 * so a PostgreSQL frontend can describe it with the backend's own OID.
 */
function scalarType(oid: number, typmod: number): SqlType {
  const t = SCALARS[oid];
  if (t === undefined) return { kind: 'unknown', name: `pg:${oid}` };
  if (t.kind === 'decimal' && typmod >= 4) return { kind: 'decimal', precision: ((typmod - 4) >> 16) & 0xffff, scale: (typmod - 4) & 0xffff };
  return t;
}

/** SqlType and field converter for a result column. */
export function mapPgType(oid: number, typmod: number): { type: SqlType; convert: FieldConverter } {
  const el = ARRAYS[oid];
  if (el !== undefined) {
    const elType = scalarType(el, -1);
    const elConvert: (s: string) => unknown = elType.kind === 'bytea' ? byteaFromText : (s) => s;
    return { type: { kind: 'list', element: elType }, convert: (text) => parseArray(text, elConvert) };
  }
  const type = scalarType(oid, typmod);
  return { type, convert: type.kind === 'bytea' ? byteaFromText : undefined };
}

/** SqlType for a parameter OID (Describe). */
export function pgParamType(oid: number): SqlType {
  return mapPgType(oid, -1).type;
}
