/**
 * Table statistics for the cost model: declared in config (`costModel.tables`) or fetched from the
 * engines' catalogs (DuckDB duckdb_tables(), PostgreSQL pg_class) at start and on a schedule,
 * always off the query path. Declared numbers win over fetched ones.
 */
import type { Engine } from '../engines/engine.js';
import { toNumber } from './model.js';

export interface TableStats {
  readonly rows: number;
  readonly bytes: number;
  readonly columns?: number;
  /** Bytes per column (lower-case names), as a columnar scan reads them. */
  readonly columnBytes?: Readonly<Record<string, number>>;
  /** Columns the data is ordered/partitioned by (ranges on them prune the scan). */
  readonly sortedBy?: readonly string[];
  readonly columnRanges?: Readonly<Record<string, { readonly min: number | string; readonly max: number | string }>>;
  /** Most common values per column and the share of rows holding each (values as text). */
  readonly columnValues?: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

const CATALOG_SQL: Readonly<Record<string, string>> = {
  duckdb: `SELECT schema_name, table_name, estimated_size, column_count, estimated_size * column_count * 8 FROM duckdb_tables() WHERE NOT internal AND schema_name NOT IN ('qfpg')`,
  postgres: `SELECT n.nspname, c.relname, greatest(c.reltuples, 0)::bigint, c.relnatts, pg_table_size(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'm', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'`,
};

/**
 * Per-column statistics where the engine keeps them (PostgreSQL's ANALYZE, in pg_stats): the most
 * common values with their shares, and the histogram's first and last bound as the column's range.
 */
const COLUMN_SQL: Readonly<Record<string, string>> = {
  postgres: `SELECT schemaname, tablename, attname, array_to_json(most_common_vals::text::text[])::text, array_to_json(most_common_freqs)::text, (histogram_bounds::text::text[])[1], (histogram_bounds::text::text[])[cardinality(histogram_bounds::text::text[])] FROM pg_stats WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`,
};

export class TableStatsStore {
  private readonly declared = new Map<string, TableStats>();
  private readonly perGroup = new Map<string, Map<string, TableStats>>();
  private fetched = new Map<string, TableStats>();

  /** Names of the columns that have value statistics in some table (a cheap "no" for the rest). */
  private valueColumns = new Set<string>();

  constructor(declared: Readonly<Record<string, TableStats>> = {}, groups: Readonly<Record<string, { tables: Readonly<Record<string, TableStats>> }>> = {}) {
    for (const [name, s] of Object.entries(declared)) this.declared.set(name.toLowerCase(), normalize(s));
    for (const [g, { tables }] of Object.entries(groups)) this.perGroup.set(g, new Map(Object.entries(tables).map(([n, s]) => [n.toLowerCase(), normalize(s)])));
    this.indexValueColumns();
  }

  /** Stats of a table as a query names it (for one group, when it has its own): exact, then by its last name part. */
  lookup(table: string, group?: string): TableStats | undefined {
    const g = group === undefined ? undefined : this.perGroup.get(group);
    const d = this.find(table, g);
    if (d !== undefined) return d;
    const dot = table.lastIndexOf('.');
    return dot < 0 ? undefined : this.find(table.slice(dot + 1), g);
  }

  private find(name: string, group: Map<string, TableStats> | undefined): TableStats | undefined {
    return group?.get(name) ?? this.declared.get(name) ?? this.fetched.get(name);
  }

  /** True when some table has value statistics (`columnValues`) for a column of this name. */
  hasValueColumn(column: string): boolean {
    return this.valueColumns.has(column);
  }

  /** Replace the fetched statistics (keys: `table` and `schema.table`). */
  setFetched(stats: Map<string, TableStats>): void {
    this.fetched = stats;
    this.indexValueColumns();
  }

  private indexValueColumns(): void {
    const names = new Set<string>();
    const add = (s: TableStats): void => {
      for (const c of Object.keys(s.columnValues ?? {})) names.add(c);
    };
    for (const s of this.declared.values()) add(s);
    for (const m of this.perGroup.values()) for (const s of m.values()) add(s);
    for (const s of this.fetched.values()) add(s);
    this.valueColumns = names;
  }

  get fetchedSize(): number {
    return this.fetched.size;
  }

  /** The fetched statistics as a plain object (saved with the calibration state). */
  fetchedSnapshot(): Record<string, TableStats> {
    return Object.fromEntries(this.fetched);
  }

  get size(): number {
    return this.declared.size + this.fetched.size;
  }
}

/** Column names lower-cased, as the analysis reports them. */
function normalize(s: TableStats): TableStats {
  const lower = <T>(r: Readonly<Record<string, T>> | undefined) => (r === undefined ? undefined : Object.fromEntries(Object.entries(r).map(([k, v]) => [k.toLowerCase(), v])));
  return { ...s, columnBytes: lower(s.columnBytes), columnRanges: lower(s.columnRanges), columnValues: lower(s.columnValues), sortedBy: s.sortedBy?.map((c) => c.toLowerCase()) };
}

/** Read table statistics from one engine's catalog (DuckDB and PostgreSQL; others: none). */
export async function fetchTableStats(engine: Engine, warn?: (message: string) => void): Promise<Map<string, TableStats>> {
  const out = new Map<string, TableStats>();
  const sql = CATALOG_SQL[engine.kind];
  if (sql === undefined) return out;
  const stream = await engine.execute({ sql });
  try {
    for await (const batch of stream.batches()) {
      for (const row of batch) {
        const [schema, table] = [String(row[0]).toLowerCase(), String(row[1]).toLowerCase()];
        const rows = Number(row[2]);
        const columns = Number(row[3]);
        const bytes = Number(row[4]);
        const s: TableStats = { rows: Number.isFinite(rows) ? rows : 0, bytes: Number.isFinite(bytes) ? bytes : 0, columns: columns > 0 ? columns : undefined };
        out.set(`${schema}.${table}`, s);
        if (!out.has(table) || schema === 'main' || schema === 'public') out.set(table, s);
      }
    }
  } finally {
    await stream.close();
  }
  const columnSql = COLUMN_SQL[engine.kind];
  if (columnSql !== undefined && out.size > 0) {
    // Per-column statistics refine what the tables say; a failure to read them (permissions on
    // pg_stats, an exotic column type) must not lose the tables' rows and bytes.
    try {
      await addColumnStats(engine, columnSql, out);
    } catch (err) {
      warn?.(`cannot read column statistics (tables only): ${(err as Error).message}`);
    }
  }
  return out;
}

type MutableStats = { -readonly [K in keyof TableStats]: TableStats[K] };

/** Merge per-column statistics (common values, ranges) into tables already read. */
async function addColumnStats(engine: Engine, sql: string, out: Map<string, TableStats>): Promise<void> {
  const cols = new Map<string, { values: Record<string, Record<string, number>>; ranges: Record<string, { min: number | string; max: number | string }> }>();
  const stream = await engine.execute({ sql });
  try {
    for await (const batch of stream.batches()) {
      for (const row of batch) {
        const key = `${String(row[0]).toLowerCase()}.${String(row[1]).toLowerCase()}`;
        const column = String(row[2]).toLowerCase();
        const c = cols.get(key) ?? { values: {}, ranges: {} };
        cols.set(key, c);
        const vals = parseJsonArray(row[3]);
        const freqs = parseJsonArray(row[4]);
        if (vals !== undefined && freqs !== undefined && vals.length === freqs.length && vals.length > 0) {
          const m: Record<string, number> = {};
          for (let i = 0; i < vals.length; i++) if (typeof freqs[i] === 'number') m[String(vals[i])] = freqs[i] as number;
          c.values[column] = m;
        }
        const [lo, hi] = [row[5], row[6]];
        // Only bounds that read as numbers, dates or timestamps give a range selectivity.
        if (lo !== null && hi !== null && lo !== undefined && hi !== undefined && Number.isFinite(toNumber(String(lo))) && Number.isFinite(toNumber(String(hi)))) {
          c.ranges[column] = { min: String(lo), max: String(hi) };
        }
      }
    }
  } finally {
    await stream.close();
  }
  for (const [key, c] of cols) {
    const base = out.get(key);
    if (base === undefined) continue;
    const merged: MutableStats = { ...base };
    if (Object.keys(c.values).length > 0) merged.columnValues = c.values;
    if (Object.keys(c.ranges).length > 0) merged.columnRanges = c.ranges;
    out.set(key, merged);
    const table = key.slice(key.indexOf('.') + 1);
    if (out.get(table) === base) out.set(table, merged);
  }
}

function parseJsonArray(v: unknown): unknown[] | undefined {
  if (v === null || v === undefined) return undefined;
  try {
    const x: unknown = JSON.parse(String(v));
    return Array.isArray(x) ? x : undefined;
  } catch {
    return undefined;
  }
}
