/**
 * Dialect translation seam. Today: identity between equal dialects plus registered per-pair
 * fix-ups (e.g. PostgreSQL catalog queries onto DuckDB). The sqlglot-based translator arrives
 * with its own issue and plugs in here. Results are cached by (pair, SQL text).
 */
import { LruCache } from '../core/lru.js';
import type { Dialect } from '../core/types.js';

/** A rewrite applied to SQL going from one dialect to another. */
export type Fixup = (sql: string) => string;

export class Translator {
  private readonly fixups = new Map<string, Fixup[]>();
  private readonly cache = new LruCache<string, string>(10_000);

  /** Register a fix-up for one source → target pair. */
  addFixup(from: Dialect, to: Dialect, fixup: Fixup): void {
    const key = `${from}>${to}`;
    const list = this.fixups.get(key) ?? [];
    list.push(fixup);
    this.fixups.set(key, list);
  }

  /** Translate `sql` from one dialect to another. */
  translate(sql: string, from: Dialect, to: Dialect): string {
    if (from === to) return sql;
    const list = this.fixups.get(`${from}>${to}`);
    if (list === undefined) return sql;
    const key = `${from}>${to}\u0000${sql}`;
    let out = this.cache.get(key);
    if (out === undefined) {
      out = sql;
      for (const f of list) out = f(out);
      this.cache.set(key, out);
    }
    return out;
  }
}
