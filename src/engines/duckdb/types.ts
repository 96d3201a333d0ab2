/** DuckDB types → SqlType, and DuckDB values → the SqlType value convention (src/core/types.ts). */
import { DuckDBTypeId, type DuckDBType } from '@duckdb/node-api';
import type { SqlType } from '../../core/types.js';

/** Converts one DuckDB value (never null) to the convention. */
export type ValueConverter = (v: unknown) => unknown;

const identity: ValueConverter = (v) => v;
const text: ValueConverter = (v) => String(v);
const toBigint: ValueConverter = (v) => (typeof v === 'bigint' ? v : BigInt(v as number));

/** PostgreSQL spells 'months' as 'mons' in interval output. */
const intervalText: ValueConverter = (v) => String(v).replace(/\b(\d+) months?\b/g, (_m, n: string) => `${n} ${n === '1' || n === '-1' ? 'mon' : 'mons'}`);

/** Dates and timestamps: DuckDB prints BC years without the suffix PostgreSQL uses. */
function temporal(kind: 'date' | 'timestamp' | 'timestamptz'): ValueConverter {
  return (v) => {
    const value = v as { isFinite?: boolean; days?: number; micros?: bigint };
    if (value.isFinite === false || (kind === 'date' && value.days !== undefined && Math.abs(value.days) >= 2147483647)) {
      return (value.days ?? Number(value.micros ?? 0n)) > 0 ? 'infinity' : '-infinity';
    }
    const s = String(v);
    if (s.startsWith('-')) return `${s.slice(1)} BC`; // ISO year -0043 is 44 BC; DuckDB already prints the BC year
    return s;
  };
}

/** PostgreSQL's oid type, passed through by name (see pgColumnType in the PostgreSQL frontend). */
const OID: SqlType = { kind: 'unknown', name: 'pg:26' };

interface Mapping {
  readonly type: SqlType;
  readonly convert: ValueConverter;
}

/** SqlType and converter for one DuckDB column type (computed once per result column). */
export function mapDuckDbType(t: DuckDBType): Mapping {
  switch (t.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return { type: { kind: 'bool' }, convert: identity };
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.UTINYINT:
      return { type: { kind: 'int2' }, convert: identity };
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.INTEGER:
      return { type: { kind: 'int4' }, convert: identity };
    case DuckDBTypeId.UINTEGER:
      // PostgreSQL's oid is an unsigned 32-bit integer: the catalog emulation types its OID columns
      // (and ::oid casts) UINTEGER, so clients see oid / oid[] there, as from PostgreSQL itself.
      return { type: OID, convert: text };
    case DuckDBTypeId.BIGINT:
      return { type: { kind: 'int8' }, convert: toBigint };
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
    case DuckDBTypeId.BIGNUM:
      return { type: { kind: 'int128' }, convert: toBigint };
    case DuckDBTypeId.FLOAT:
      return { type: { kind: 'float4' }, convert: identity };
    case DuckDBTypeId.DOUBLE:
      return { type: { kind: 'float8' }, convert: identity };
    case DuckDBTypeId.DECIMAL: {
      const d = t as unknown as { width: number; scale: number };
      return { type: { kind: 'decimal', precision: d.width, scale: d.scale }, convert: text };
    }
    case DuckDBTypeId.VARCHAR:
      return t.alias === 'JSON' ? { type: { kind: 'json' }, convert: identity } : { type: { kind: 'text' }, convert: identity };
    case DuckDBTypeId.ENUM:
      return { type: { kind: 'text' }, convert: text };
    case DuckDBTypeId.BLOB:
      return { type: { kind: 'bytea' }, convert: (v) => (v as { bytes: Uint8Array }).bytes };
    case DuckDBTypeId.DATE:
      return { type: { kind: 'date' }, convert: temporal('date') };
    case DuckDBTypeId.TIME:
    case DuckDBTypeId.TIME_NS:
      return { type: { kind: 'time' }, convert: text };
    case DuckDBTypeId.TIME_TZ:
      return { type: { kind: 'timetz' }, convert: text };
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
      return { type: { kind: 'timestamp' }, convert: temporal('timestamp') };
    case DuckDBTypeId.TIMESTAMP_TZ:
      return { type: { kind: 'timestamptz' }, convert: temporal('timestamptz') };
    case DuckDBTypeId.INTERVAL:
      return { type: { kind: 'interval' }, convert: intervalText };
    case DuckDBTypeId.UUID:
      return { type: { kind: 'uuid' }, convert: text };
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY: {
      const el = mapDuckDbType((t as unknown as { valueType: DuckDBType }).valueType);
      return { type: { kind: 'list', element: el.type }, convert: (v) => (v as { items: unknown[] }).items.map((x) => (x === null ? null : el.convert(x))) };
    }
    case DuckDBTypeId.STRUCT: {
      const s = t as unknown as { entryNames: string[]; entryTypes: DuckDBType[] };
      const fields = s.entryNames.map((name, i) => ({ name, ...mapDuckDbType(s.entryTypes[i]!) }));
      return {
        type: { kind: 'struct', fields: fields.map((f) => ({ name: f.name, type: f.type })) },
        convert: (v) => {
          const out: Record<string, unknown> = {};
          const entries = (v as { entries: Record<string, unknown> }).entries;
          for (const f of fields) {
            const x = entries[f.name];
            out[f.name] = x === null || x === undefined ? null : f.convert(x);
          }
          return out;
        },
      };
    }
    case DuckDBTypeId.MAP: {
      const m = t as unknown as { keyType: DuckDBType; valueType: DuckDBType };
      const k = mapDuckDbType(m.keyType);
      const val = mapDuckDbType(m.valueType);
      return {
        type: { kind: 'map', key: k.type, value: val.type },
        convert: (v) => (v as { entries: { key: unknown; value: unknown }[] }).entries.map((e) => [k.convert(e.key), e.value === null ? null : val.convert(e.value)]),
      };
    }
    default:
      return { type: { kind: 'unknown', name: t.toString() }, convert: text };
  }
}
