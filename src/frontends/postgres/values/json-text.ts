/**
 * Struct and map values as JSON text. psql shows JSON readably, and drivers (pg, psycopg,
 * asyncpg, pgJDBC) hand json columns to applications as parsed objects or plain strings, which
 * beats PostgreSQL's anonymous record text, which no driver can parse back.
 */
import type { SqlType } from '../../../core/types.js';

const NUMERIC_TEXT = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function bytesToHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/** JSON text of one value of type `t`; `scalarText` formats scalars the PostgreSQL way. */
export function toJsonText(v: unknown, t: SqlType, scalarText: (v: unknown, t: SqlType) => string): string {
  if (v === null || v === undefined) return 'null';
  switch (t.kind) {
    case 'bool':
      if (typeof v === 'boolean') return v ? 'true' : 'false';
      return /^(t|true|1|y|yes|on)$/i.test(String(v)) ? 'true' : 'false';
    case 'int2':
    case 'int4':
    case 'int8':
    case 'int128':
    case 'float4':
    case 'float8':
    case 'decimal': {
      if (typeof v === 'bigint') return v.toString();
      if (typeof v === 'number') return Number.isFinite(v) ? String(v) : JSON.stringify(scalarText(v, t));
      const s = String(v);
      return NUMERIC_TEXT.test(s) ? s : JSON.stringify(s);
    }
    case 'json':
      return typeof v === 'string' ? v : JSON.stringify(v, jsonReplacer);
    case 'list': {
      if (!Array.isArray(v)) return JSON.stringify(scalarText(v, t));
      let out = '[';
      for (let i = 0; i < v.length; i++) out += (i > 0 ? ',' : '') + toJsonText(v[i], t.element, scalarText);
      return out + ']';
    }
    case 'struct': {
      if (typeof v !== 'object') return JSON.stringify(String(v));
      let out = '{';
      const byPosition = Array.isArray(v);
      t.fields.forEach((f, i) => {
        const fv = byPosition ? (v as unknown[])[i] : (v as Record<string, unknown>)[f.name];
        out += `${i > 0 ? ',' : ''}${JSON.stringify(f.name)}:${toJsonText(fv, f.type, scalarText)}`;
      });
      return out + '}';
    }
    case 'map': {
      const entries: Iterable<readonly [unknown, unknown]> =
        v instanceof Map ? v.entries() : Array.isArray(v) ? (v as [unknown, unknown][]) : Object.entries(v as Record<string, unknown>);
      let out = '{';
      let first = true;
      for (const [k, val] of entries) {
        const key = k === null || k === undefined ? 'null' : typeof k === 'string' ? k : scalarText(k, t.key);
        out += `${first ? '' : ','}${JSON.stringify(key)}:${toJsonText(val, t.value, scalarText)}`;
        first = false;
      }
      return out + '}';
    }
    default:
      return JSON.stringify(typeof v === 'string' ? v : scalarText(v, t));
  }
}

function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return `\\x${bytesToHex(value)}`;
  return value;
}
