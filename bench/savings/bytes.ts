/**
 * Bytes a query reads from the Parquet files, for the scan-priced engine's bill.
 *
 * DuckDB's profiler has a `total_bytes_read` metric, but over local Parquet files it reports a few
 * kilobytes for scans that read tens of megabytes (1.5.x), so it cannot be billed. Instead, for
 * each Parquet scan in the query's physical plan (EXPLAIN (FORMAT JSON), as DuckDB will run it):
 *   - the columns read are the scan's projections plus the columns of its pushed-down filters;
 *   - the row groups read are those the pushed-down filters cannot exclude with the row group's
 *     min/max statistics (simple comparisons `col op literal`; anything else excludes nothing);
 *   - bytes = Σ total_compressed_size of those column chunks, from parquet_metadata() —
 *     the compressed bytes a scan-priced engine (Athena) bills for Parquet.
 * Footers and page indexes are not counted; joins' dynamic filters are not applied (a scan is
 * billed as if it read every row group its static filters keep).
 */
import type { DuckDBConnection } from '@duckdb/node-api';

interface Chunk {
  readonly rowGroup: number;
  readonly column: string;
  readonly bytes: number;
  readonly min: string | null;
  readonly max: string | null;
}

export interface TableFile {
  readonly table: string;
  readonly file: string;
  /** Column-name prefix that identifies the table in a plan (`e_` for events). */
  readonly prefix: string;
}

export interface ScanRead {
  readonly table: string;
  readonly columns: string[];
  readonly rowGroups: number;
  readonly rowGroupsTotal: number;
  readonly bytes: number;
  /** Bytes of the same columns in every row group (what a per-column size model predicts without pruning). */
  readonly columnBytes: number;
}

interface PlanNode {
  name?: string;
  children?: PlanNode[];
  extra_info?: Record<string, unknown>;
}

const asList = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);
const sqlString = (s: string): string => `'${s.replaceAll("'", "''")}'`;

export class BytesMeter {
  private readonly chunks = new Map<string, Chunk[]>();
  private readonly cache = new Map<string, ScanRead[]>();

  private constructor(
    private readonly conn: DuckDBConnection,
    private readonly tables: readonly TableFile[],
  ) {}

  /** `conn` must have the tables as views over the files (the lake engine's set-up). */
  static async open(conn: DuckDBConnection, tables: readonly TableFile[]): Promise<BytesMeter> {
    const m = new BytesMeter(conn, tables);
    for (const t of tables) {
      const r = await conn.runAndReadAll(
        `select row_group_id, path_in_schema, total_compressed_size, stats_min_value, stats_max_value from parquet_metadata(${sqlString(t.file)})`,
      );
      m.chunks.set(
        t.table,
        r.getRows().map((x) => ({ rowGroup: Number(x[0]), column: String(x[1]), bytes: Number(x[2]), min: x[3] === null ? null : String(x[3]), max: x[4] === null ? null : String(x[4]) })),
      );
    }
    return m;
  }

  /** Bytes of every column chunk of a table (what a full scan of all columns reads). */
  tableBytes(table: string): number {
    return (this.chunks.get(table) ?? []).reduce((s, c) => s + c.bytes, 0);
  }

  /** Per scan: the table, columns and row groups read and their compressed bytes. */
  async reads(sql: string): Promise<ScanRead[]> {
    const hit = this.cache.get(sql);
    if (hit !== undefined) return hit;
    const r = await this.conn.runAndReadAll(`explain (format json) ${sql}`);
    const plan = JSON.parse(String(r.getRows()[0]![1])) as PlanNode[];
    const scans: PlanNode[] = [];
    const walk = (n: PlanNode): void => {
      if (n.name === 'READ_PARQUET' || n.extra_info?.Function === 'READ_PARQUET') scans.push(n);
      for (const c of n.children ?? []) walk(c);
    };
    for (const n of plan) walk(n);
    const out: ScanRead[] = [];
    for (const s of scans) out.push(await this.scanRead(s));
    this.cache.set(sql, out);
    return out;
  }

  async bytes(sql: string): Promise<number> {
    return (await this.reads(sql)).reduce((s, x) => s + x.bytes, 0);
  }

  private async scanRead(scan: PlanNode): Promise<ScanRead> {
    const info = scan.extra_info ?? {};
    const filters = asList(info.Filters);
    const projected = asList(info.Projections);
    const names = new Set<string>();
    for (const p of projected) for (const id of p.match(/[a-z_][a-z0-9_]*/gi) ?? []) names.add(id.toLowerCase());
    for (const f of filters) for (const id of f.replace(/'[^']*'/g, '').match(/[a-z_][a-z0-9_]*/gi) ?? []) names.add(id.toLowerCase());
    const table = this.tables.find((t) => [...names].some((n) => n.startsWith(t.prefix)));
    if (table === undefined) return { table: '?', columns: [], rowGroups: 0, rowGroupsTotal: 0, bytes: 0, columnBytes: 0 };
    const chunks = this.chunks.get(table.table)!;
    const columns = [...new Set(chunks.map((c) => c.column))].filter((c) => names.has(c));
    const groups = [...new Set(chunks.map((c) => c.rowGroup))];
    let keep = new Set(groups);
    for (const f of filters) {
      if (f.startsWith('optional:')) continue; // DuckDB may or may not use it to skip
      for (const part of f.split(/\s+AND\s+/i)) {
        const m = /^\(?\s*([a-z_][a-z0-9_]*)\s*(>=|<=|=|>|<)\s*(.+?)\s*\)?$/i.exec(part.trim());
        if (!m) continue;
        const [, col, op, lit] = m as unknown as [string, string, string, string];
        keep = await this.prune(chunks, keep, col.toLowerCase(), op, lit);
      }
    }
    const bytes = chunks.filter((c) => keep.has(c.rowGroup) && columns.includes(c.column)).reduce((s, c) => s + c.bytes, 0);
    const columnBytes = chunks.filter((c) => columns.includes(c.column)).reduce((s, c) => s + c.bytes, 0);
    return { table: table.table, columns, rowGroups: keep.size, rowGroupsTotal: groups.length, bytes, columnBytes };
  }

  /** Row groups in `keep` whose min/max of `col` do not rule out `col op lit` (compared by DuckDB, in the literal's type). */
  private async prune(chunks: readonly Chunk[], keep: Set<number>, col: string, op: string, lit: string): Promise<Set<number>> {
    const cast = /::([A-Z ]+)$/i.exec(lit)?.[1];
    const type = cast ?? (/^'/.test(lit) ? 'VARCHAR' : 'DOUBLE');
    const stats = chunks.filter((c) => c.column === col && keep.has(c.rowGroup) && c.min !== null && c.max !== null);
    if (stats.length === 0) return keep;
    const values = stats.map((c) => `(${c.rowGroup}, ${sqlString(c.min!)}, ${sqlString(c.max!)})`).join(', ');
    const v = `(${lit})::${type}`;
    const mn = `mn::${type}`;
    const mx = `mx::${type}`;
    const excluded = { '=': `${mx} < ${v} or ${mn} > ${v}`, '>=': `${mx} < ${v}`, '>': `${mx} <= ${v}`, '<=': `${mn} > ${v}`, '<': `${mn} >= ${v}` }[op]!;
    try {
      const r = await this.conn.runAndReadAll(`select rg from (values ${values}) t(rg, mn, mx) where ${excluded}`);
      const out = new Set(keep);
      for (const row of r.getRows()) out.delete(Number(row[0]));
      return out;
    } catch {
      return keep; // a literal we cannot compare: exclude nothing
    }
  }
}
