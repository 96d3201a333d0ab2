/**
 * Table statistics for the cost model: declared in config (`costModel.tables`) or fetched from the
 * engines' catalogs (DuckDB duckdb_tables(), PostgreSQL pg_class) at start and on a schedule,
 * always off the query path. Declared numbers win over fetched ones.
 */
import type { Engine } from '../engines/engine.js';

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

export class TableStatsStore {
  private readonly declared = new Map<string, TableStats>();
  private readonly perGroup = new Map<string, Map<string, TableStats>>();
  private fetched = new Map<string, TableStats>();

  constructor(declared: Readonly<Record<string, TableStats>> = {}, groups: Readonly<Record<string, { tables: Readonly<Record<string, TableStats>> }>> = {}) {
    for (const [name, s] of Object.entries(declared)) this.declared.set(name.toLowerCase(), normalize(s));
    for (const [g, { tables }] of Object.entries(groups)) this.perGroup.set(g, new Map(Object.entries(tables).map(([n, s]) => [n.toLowerCase(), normalize(s)])));
  }

  /** Stats of a table as a query names it (for one group, when it has its own): exact, then by its last name part. */
  lookup(table: string, group?: string): TableStats | undefined {
    const g = group === undefined ? undefined : this.perGroup.get(group);
    const find = (name: string) => g?.get(name) ?? this.declared.get(name) ?? this.fetched.get(name);
    const d = find(table);
    if (d !== undefined) return d;
    const dot = table.lastIndexOf('.');
    return dot < 0 ? undefined : find(table.slice(dot + 1));
  }

  /** Replace the fetched statistics (keys: `table` and `schema.table`). */
  setFetched(stats: Map<string, TableStats>): void {
    this.fetched = stats;
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
export async function fetchTableStats(engine: Engine): Promise<Map<string, TableStats>> {
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
  return out;
}
