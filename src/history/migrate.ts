/**
 * Applies the hand-written SQL migrations in prisma/migrations/<n>_<name>/<provider>.sql, in name
 * order, each once, recorded in `queryflux_migrations`. The Prisma CLI never touches the database.
 * Safe to run from several processes at once: PostgreSQL serialises on an advisory lock; SQLite
 * on its write lock (a lost race is retried, and the scripts use IF NOT EXISTS).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HistoryDb } from './db.js';

/** prisma/migrations at the package root (same relative place from src/ and dist/). */
export const MIGRATIONS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../prisma/migrations');

/** A migration on disk. */
export interface Migration {
  readonly id: string;
  readonly sql: string;
  readonly checksum: string;
}

/** Arbitrary constant: the advisory lock key that serialises migrations on PostgreSQL. */
const PG_LOCK_KEY = 7_316_021;
const TRACKING_TABLE = `CREATE TABLE IF NOT EXISTS "queryflux_migrations" ("id" TEXT NOT NULL PRIMARY KEY, "checksum" TEXT NOT NULL, "applied_at" TEXT NOT NULL)`;

/** Migrations for one provider, in order. */
export function loadMigrations(provider: HistoryDb['provider'], dir = MIGRATIONS_DIR): Migration[] {
  if (!existsSync(dir)) throw new Error(`history migrations not found at ${dir}`);
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((id) => {
      const file = join(dir, id, `${provider}.sql`);
      if (!existsSync(file)) throw new Error(`migration ${id} has no ${provider}.sql`);
      const sql = readFileSync(file, 'utf8');
      return { id, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

/** Statements of a script: `;` at the end of a line ends one; `--` comment lines are dropped. */
export function splitStatements(sql: string): string[] {
  return sql
    .split('\n')
    .filter((l) => !/^\s*--/.test(l))
    .join('\n')
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Positional placeholder in raw SQL: $n on PostgreSQL, ? on SQLite. */
export function param(db: Pick<HistoryDb, 'provider'>, n: number): string {
  return db.provider === 'postgres' ? `$${n}` : '?';
}

interface Applied {
  id: string;
  checksum: string;
}

/** Apply pending migrations; resolves with the ids applied now. Warns (via `onWarning`) when an applied file changed. */
export async function migrate(db: HistoryDb, opts: { dir?: string; onWarning?: (msg: string) => void } = {}): Promise<string[]> {
  const migrations = loadMigrations(db.provider, opts.dir);
  for (let attempt = 1; ; attempt++) {
    try {
      // One transaction for the lot. PostgreSQL: the advisory lock comes first, because even
      // CREATE TABLE IF NOT EXISTS races between sessions (duplicate pg_type row).
      return await db.prisma.$transaction(
        async (tx) => {
          if (db.provider === 'postgres') await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${PG_LOCK_KEY})`);
          await tx.$executeRawUnsafe(TRACKING_TABLE);
          const done = new Map((await tx.$queryRawUnsafe<Applied[]>('SELECT "id", "checksum" FROM "queryflux_migrations"')).map((r) => [r.id, r.checksum]));
          const applied: string[] = [];
          for (const m of migrations) {
            const sum = done.get(m.id);
            if (sum !== undefined) {
              if (sum !== m.checksum) opts.onWarning?.(`migration ${m.id} changed after it was applied; it is not re-run (add a new migration instead)`);
              continue;
            }
            for (const stmt of splitStatements(m.sql)) await tx.$executeRawUnsafe(stmt);
            await tx.$executeRawUnsafe(`INSERT INTO "queryflux_migrations" ("id", "checksum", "applied_at") VALUES (${param(db, 1)}, ${param(db, 2)}, ${param(db, 3)})`, m.id, m.checksum, new Date().toISOString());
            applied.push(m.id);
          }
          return applied;
        },
        { timeout: 60_000, maxWait: 30_000 },
      );
    } catch (err) {
      // SQLite: another process held the write lock past the busy timeout, or wrote first.
      if (db.provider === 'sqlite' && attempt < 5 && /busy|locked/i.test(String((err as Error)?.message))) {
        await new Promise((r) => setTimeout(r, 100 * attempt));
        continue;
      }
      throw err;
    }
  }
}
