/** Reads and writes of the query_history table through Prisma (both providers, same calls). */
import Database from 'better-sqlite3';
import type { QueryOutcome } from '../core/outcome.js';
import type { HistoryDb } from './db.js';
import type { Prisma } from './generated/sqlite/client.js';
import { INSERT_COLUMNS, fromRow, isoTimeText, rowValues, toRow, type HistoryEntry } from './record.js';
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

/** A batch insert straight through better-sqlite3: one prepared row statement, one transaction. */
interface DirectSqlite {
  readonly db: Database.Database;
  readonly insertBatch: (rows: readonly QueryOutcome[]) => void;
}

export class HistoryStore implements HistoryTarget {
  private direct: DirectSqlite | undefined;

  constructor(
    readonly db: HistoryDb,
    private readonly redactSql = false,
  ) {}

  /**
   * A SQLite file is written through its own better-sqlite3 connection: a prepared single-row
   * INSERT run for every row of the batch in one transaction costs ≈ 9 µs a row, where the same
   * batch through Prisma's driver adapter cost ≈ 180 µs a row of CPU (argument conversion and
   * result mapping per value) — a whole core at 5,000 queries/s. Prisma keeps the schema, the
   * migrations and every read; PostgreSQL and in-memory SQLite go through Prisma as before.
   */
  private directSqlite(): DirectSqlite | undefined {
    const file = this.db.sqliteFile;
    if (file === undefined) return undefined;
    if (this.direct !== undefined) return this.direct;
    const db = new Database(file, { timeout: this.db.busyTimeoutMs ?? 5000 });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // 16 MiB of page cache (SQLite's default is 2 MiB): the indexes' hot pages stay in memory.
    db.pragma('cache_size = -16384');
    const stmt = db.prepare(`INSERT INTO "query_history" (${INSERT_COLUMNS.map(([, c]) => `"${c}"`).join(', ')}) VALUES (${INSERT_COLUMNS.map(() => '?').join(', ')})`);
    const args = new Array<unknown>(INSERT_COLUMNS.length);
    const redact = this.redactSql;
    const insertBatch = db.transaction((rows: readonly QueryOutcome[]) => {
      for (const o of rows) {
        rowArgs(o, redact, 'sqlite', args, 0);
        stmt.run(args);
      }
    });
    this.direct = { db, insertBatch };
    return this.direct;
  }

  /**
   * SQLite file: the direct batch writer above. Otherwise one multi-row INSERT per chunk, all
   * chunks in one transaction — raw SQL through Prisma rather than createMany, which measured
   * 10–50× slower per row (its query plan is rebuilt for every call).
   */
  async insert(batch: readonly QueryOutcome[]): Promise<void> {
    const direct = this.directSqlite();
    if (direct !== undefined) {
      direct.insertBatch(batch);
      return;
    }
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
    // better-sqlite3's own errors (the direct writer) carry the SQLite code.
    if (typeof code === 'string' && /^SQLITE_(?:CONSTRAINT|MISMATCH|TOOBIG|RANGE)/.test(code)) return true;
    // Raw driver errors surface as P2010 with the SQLSTATE in the message: class 22 (data) and 23 (constraint).
    return /Code: `(?:22|23)[0-9A-Z]{3}`|SQLITE_CONSTRAINT|SQLITE_MISMATCH|SQLITE_TOOBIG/.test((err as Error | null)?.message ?? '');
  }

  /** Delete rows received before `cutoff`; resolves with the count. */
  async deleteBefore(cutoff: Date): Promise<number> {
    const r = await this.db.prisma.queryHistory.deleteMany({ where: { receivedAt: { lt: cutoff } } });
    return r.count;
  }

  /** Close the direct SQLite writer's connection (Prisma's is closed with the HistoryDb). */
  close(): void {
    this.direct?.db.close();
    this.direct = undefined;
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

/** Bound parameters of a multi-row insert, in INSERT_COLUMNS order. */
function insertArgs(chunk: readonly QueryOutcome[], redactSql: boolean, provider: HistoryDb['provider']): unknown[] {
  const args = new Array<unknown>(chunk.length * INSERT_COLUMNS.length);
  for (let i = 0; i < chunk.length; i++) rowArgs(chunk[i]!, redactSql, provider, args, i * INSERT_COLUMNS.length);
  return args;
}

const sqliteTime = isoTimeText('+00:00');
const isoTime = isoTimeText('Z');

/** One outcome's parameters into `out` from `at`. */
function rowArgs(o: QueryOutcome, redactSql: boolean, provider: HistoryDb['provider'], out: unknown[], at: number): void {
  rowValues(o, redactSql, provider === 'sqlite' ? sqliteTime : isoTime, out, at);
}

function where(f: HistoryFilter): Prisma.QueryHistoryWhereInput {
  const w: Prisma.QueryHistoryWhereInput = {};
  if (f.since || f.until) w.receivedAt = { ...(f.since && { gte: f.since }), ...(f.until && { lt: f.until }) };
  if (f.user !== undefined) w.userName = f.user;
  if (f.status !== undefined) w.status = f.status;
  return w;
}
