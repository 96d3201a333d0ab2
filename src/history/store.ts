/** Reads and writes of the query_history table through Prisma (both providers, same calls). */
import type { QueryOutcome } from '../core/outcome.js';
import type { HistoryDb } from './db.js';
import type { Prisma } from './generated/sqlite/client.js';
import { INSERT_COLUMNS, fromRow, toRow, type HistoryEntry } from './record.js';
import type { HistoryTarget } from './writer.js';

/** Filters of the history listing (CLI `history`, GET /api/history). */
export interface HistoryFilter {
  readonly since?: Date;
  readonly until?: Date;
  readonly user?: string;
  readonly status?: string;
  readonly limit?: number;
}

/** Rows per INSERT statement: SQLite allows 32 766 bound values (29 a row), PostgreSQL 65 535. */
const SQLITE_ROWS_PER_INSERT = 250;
const PG_ROWS_PER_INSERT = 500;
/** Prisma error codes meaning "this row is wrong", not "the database is unavailable". */
const REFUSED_CODES = new Set(['P2000', 'P2002', 'P2003', 'P2004', 'P2005', 'P2006', 'P2007', 'P2011', 'P2012', 'P2019', 'P2020', 'P2023']);

export class HistoryStore implements HistoryTarget {
  constructor(
    readonly db: HistoryDb,
    private readonly redactSql = false,
  ) {}

  /**
   * One multi-row INSERT per chunk, all chunks in one transaction. Raw SQL through Prisma rather
   * than createMany: createMany measured 10–50× slower per row (its query plan is rebuilt for
   * every call), and this work runs on the gateway's event loop.
   */
  async insert(batch: readonly QueryOutcome[]): Promise<void> {
    const per = this.db.provider === 'sqlite' ? SQLITE_ROWS_PER_INSERT : PG_ROWS_PER_INSERT;
    const statements = [];
    for (let i = 0; i < batch.length; i += per) {
      const chunk = batch.slice(i, i + per);
      statements.push(this.db.prisma.$executeRawUnsafe(this.insertSql(chunk.length), ...insertArgs(chunk, this.redactSql, this.db.provider)));
    }
    if (statements.length === 1) await statements[0];
    else await this.db.prisma.$transaction(statements);
  }

  private readonly insertSqlCache = new Map<number, string>();
  private insertSql(rows: number): string {
    let sql = this.insertSqlCache.get(rows);
    if (sql === undefined) {
      let n = 0;
      const pg = this.db.provider === 'postgres';
      const tuple = () => `(${INSERT_COLUMNS.map(() => (pg ? `$${++n}` : '?')).join(', ')})`;
      sql = `INSERT INTO "query_history" (${INSERT_COLUMNS.map(([, c]) => `"${c}"`).join(', ')}) VALUES ${Array.from({ length: rows }, tuple).join(', ')}`;
      if (this.insertSqlCache.size < 64) this.insertSqlCache.set(rows, sql);
    }
    return sql;
  }

  async insertOne(o: QueryOutcome): Promise<void> {
    await this.db.prisma.queryHistory.create({ data: toRow(o, this.redactSql) });
  }

  /** Prisma's codes for data the database refused; anything else (connection, timeout, busy) is an outage. */
  refused(err: unknown): boolean {
    const code = (err as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && REFUSED_CODES.has(code)) return true;
    if ((err as Error | null)?.name === 'PrismaClientValidationError') return true;
    // Raw driver errors surface as P2010 with the SQLSTATE in the message: class 22 (data) and 23 (constraint).
    return /Code: `(?:22|23)[0-9A-Z]{3}`|SQLITE_CONSTRAINT|SQLITE_MISMATCH|SQLITE_TOOBIG/.test((err as Error | null)?.message ?? '');
  }

  /** Delete rows received before `cutoff`; resolves with the count. */
  async deleteBefore(cutoff: Date): Promise<number> {
    const r = await this.db.prisma.queryHistory.deleteMany({ where: { receivedAt: { lt: cutoff } } });
    return r.count;
  }

  /** Rows in the table (tests, benchmarks). */
  count(where: Prisma.QueryHistoryWhereInput = {}): Promise<number> {
    return this.db.prisma.queryHistory.count({ where });
  }

  /** Newest first, at most `limit` (default 50, max 10 000). */
  async list(f: HistoryFilter = {}): Promise<HistoryEntry[]> {
    const rows = await this.db.prisma.queryHistory.findMany({
      where: where(f),
      orderBy: [{ receivedAt: 'desc' }, { id: 'desc' }],
      take: Math.max(1, Math.min(10_000, Math.trunc(f.limit ?? 50) || 50)),
    });
    return rows.map(fromRow);
  }

  /** Every row in [since, until), oldest first, read in pages (keyset on receivedAt, id) so memory stays flat. */
  async *scan(f: Pick<HistoryFilter, 'since' | 'until'>, pageSize = 5000): AsyncGenerator<HistoryEntry> {
    let after: { at: Date; id: string } | undefined;
    for (;;) {
      const keyset: Prisma.QueryHistoryWhereInput | undefined = after && {
        OR: [{ receivedAt: { gt: after.at } }, { receivedAt: after.at, id: { gt: after.id } }],
      };
      const rows = await this.db.prisma.queryHistory.findMany({
        where: keyset ? { AND: [where(f), keyset] } : where(f),
        orderBy: [{ receivedAt: 'asc' }, { id: 'asc' }],
        take: pageSize,
      });
      for (const r of rows) yield fromRow(r);
      if (rows.length < pageSize) return;
      const last = rows[rows.length - 1]!;
      after = { at: last.receivedAt, id: last.id };
    }
  }
}

/** Bound parameters of a multi-row insert, in INSERT_COLUMNS order. Dates as Prisma stores them (SQLite: ISO text with +00:00). */
function insertArgs(chunk: readonly QueryOutcome[], redactSql: boolean, provider: HistoryDb['provider']): unknown[] {
  const args: unknown[] = [];
  for (const o of chunk) {
    const row = toRow(o, redactSql);
    for (const [field] of INSERT_COLUMNS) {
      const v = row[field];
      args.push(v instanceof Date ? (provider === 'sqlite' ? v.toISOString().replace('Z', '+00:00') : v.toISOString()) : (v ?? null));
    }
  }
  return args;
}

function where(f: HistoryFilter): Prisma.QueryHistoryWhereInput {
  const w: Prisma.QueryHistoryWhereInput = {};
  if (f.since || f.until) w.receivedAt = { ...(f.since && { gte: f.since }), ...(f.until && { lt: f.until }) };
  if (f.user !== undefined) w.userName = f.user;
  if (f.status !== undefined) w.status = f.status;
  return w;
}
