/**
 * Dialect translation: polyglot-sql (the sqlglot port) plus our own per-pair fix-ups, unsafe
 * construct detection and a cache. Results and refusals are cached by (pair, SQL text), so the hot
 * path is one Map lookup.
 *
 * What is translated: queries and DML (SELECT, WITH, VALUES, INSERT, UPDATE, DELETE, ...).
 * Utility statements (SET, SHOW, BEGIN, COPY, PREPARE, ...) and PostgreSQL catalog queries pass
 * through polyglot untouched: the frontends and the catalog fix-up own them, and polyglot would
 * only reformat them or fail. When polyglot's output for the target equals its output for the
 * source dialect itself, the statement needs no translation and the client's text goes through
 * byte for byte (same column names, same parameters).
 *
 * Modes: `bestEffort` (default) runs what it can and passes through what polyglot cannot parse;
 * `strict` refuses, with an error naming the construct, anything that cannot be parsed, uses a
 * construct known to translate wrongly for the pair, or calls a function the target lacks.
 */
import { LruCache } from '../core/lru.js';
import { qfError, QueryFluxError } from '../core/errors.js';
import type { Dialect } from '../core/types.js';
import { loadPolyglot, polyglotIfLoaded, transpile } from './polyglot.js';
import { rulesFor, type PairRules } from './rules.js';
import { calledFunctions, leadingKeyword, parameterMarkers } from './sql-scan.js';

/** A rewrite applied to SQL going from one dialect to another. */
export type Fixup = (sql: string) => string;

/** strict: refuse what may be wrong; bestEffort: run what polyglot and the fix-ups produce. */
export type TranslationMode = 'strict' | 'bestEffort';

export interface TranslatorOptions {
  readonly mode?: TranslationMode;
  /** Entries kept in the result cache (results and refusals). */
  readonly cacheSize?: number;
}

/** How one statement was handled (for tests, explain and the corpus report). */
export interface TranslationOutcome {
  readonly sql: string;
  /** passthrough: not handed to polyglot; unchanged: polyglot found nothing to translate. */
  readonly how: 'identity' | 'passthrough' | 'unchanged' | 'translated' | 'unparsed';
  /** Constructs known to be unsafe that bestEffort let through. */
  readonly warnings: readonly string[];
}

// Statements polyglot is asked to translate; everything else is a utility statement.
const TRANSLATABLE = new Set(['SELECT', 'WITH', 'VALUES', 'TABLE', 'INSERT', 'UPDATE', 'DELETE', 'MERGE', 'REPLACE']);
// PostgreSQL clients' catalog queries (psql \d, JDBC metadata, ...) go to the catalog fix-up as sent.
const PG_CATALOG = /pg_|::\s*reg|\bAS\s+REG|version\s*\(|format_type|OPERATOR\s*\(|information_schema|json_build_object|current_setting|set_config|has_\w+_privilege/i;

export class Translator {
  private readonly fixups = new Map<string, Fixup[]>();
  private readonly caches = new Map<string, LruCache<string, TranslationOutcome | QueryFluxError>>();
  private readonly rules = new Map<string, PairRules>();
  readonly mode: TranslationMode;
  private readonly cacheSize: number;

  constructor(opts: TranslatorOptions = {}) {
    this.mode = opts.mode ?? 'bestEffort';
    this.cacheSize = opts.cacheSize ?? 10_000;
  }

  /** Register a fix-up for one source → target pair (runs on the final text, after polyglot). */
  addFixup(from: Dialect, to: Dialect, fixup: Fixup): void {
    const key = `${from}>${to}`;
    const list = this.fixups.get(key) ?? [];
    list.push(fixup);
    this.fixups.set(key, list);
  }

  /** Load polyglot's wasm once; call at start, before the first query. */
  async warmUp(): Promise<void> {
    const p = await loadPolyglot();
    p.transpile('SELECT 1', 'trino' as Parameters<typeof p.transpile>[1], 'duckdb' as Parameters<typeof p.transpile>[2]);
  }

  /** Translate `sql` from one dialect to another; throws QF_TRANSLATION_* on refusal. */
  translate(sql: string, from: Dialect, to: Dialect): string {
    if (from === to) return sql;
    return this.outcome(sql, from, to).sql;
  }

  /** Translate and say how (throws like `translate`). */
  outcome(sql: string, from: Dialect, to: Dialect): TranslationOutcome {
    if (from === to) return { sql, how: 'identity', warnings: [] };
    const pair = `${from}>${to}`;
    let cache = this.caches.get(pair);
    if (cache === undefined) {
      cache = new LruCache(this.cacheSize);
      this.caches.set(pair, cache);
    }
    const hit = cache.get(sql);
    if (hit !== undefined) {
      if (hit instanceof QueryFluxError) throw hit;
      return hit;
    }
    let result: TranslationOutcome | QueryFluxError;
    try {
      result = this.compute(sql, from, to);
    } catch (err) {
      if (!(err instanceof QueryFluxError)) throw err;
      result = err;
    }
    // Before polyglot has loaded, results are provisional: do not cache them.
    if (polyglotIfLoaded() !== undefined) cache.set(sql, result);
    if (result instanceof QueryFluxError) throw result;
    return result;
  }

  private rulesOf(from: Dialect, to: Dialect): PairRules {
    const key = `${from}>${to}`;
    let r = this.rules.get(key);
    if (r === undefined) {
      r = rulesFor(from, to);
      this.rules.set(key, r);
    }
    return r;
  }

  private finish(sql: string, from: Dialect, to: Dialect): string {
    const list = this.fixups.get(`${from}>${to}`);
    if (list === undefined) return sql;
    let out = sql;
    for (const f of list) out = f(out);
    return out;
  }

  private refuse(from: Dialect, to: Dialect, detail: string, code: 'QF_TRANSLATION_FAILED' | 'QF_TRANSLATION_UNSAFE' = 'QF_TRANSLATION_UNSAFE', position?: number): QueryFluxError {
    return qfError(code, { from, to, detail }, position === undefined ? {} : { position });
  }

  private compute(sql: string, from: Dialect, to: Dialect): TranslationOutcome {
    const kw = leadingKeyword(sql);
    if (!TRANSLATABLE.has(kw) || (from === 'postgres' && PG_CATALOG.test(sql))) {
      return { sql: this.finish(sql, from, to), how: 'passthrough', warnings: [] };
    }
    const p = polyglotIfLoaded();
    if (p === undefined) {
      // Not warmed up yet: start loading; strict cannot vouch for anything until it is there.
      void loadPolyglot();
      if (this.mode === 'strict') throw this.refuse(from, to, 'the translator is still loading (call warmUp at start)', 'QF_TRANSLATION_FAILED');
      return { sql: this.finish(sql, from, to), how: 'passthrough', warnings: [] };
    }
    const rules = this.rulesOf(from, to);
    const backslash = from === 'mysql';
    const warnings: string[] = [];
    const used = calledFunctions(sql, backslash);
    for (const u of rules.unsafe) {
      const hitName = u.test(sql, used);
      if (hitName === undefined) continue;
      if (this.mode === 'strict') throw this.refuse(from, to, `${hitName} (${u.why})`);
      warnings.push(hitName);
    }
    let pre = sql;
    for (const f of rules.pre) pre = f(pre);
    const target = transpile(p, pre, from, to);
    if (!target.ok) {
      if (this.mode === 'strict') throw this.refuse(from, to, `cannot parse as ${from}: ${target.error}`, 'QF_TRANSLATION_FAILED', target.position);
      return { sql: this.finish(sql, from, to), how: 'unparsed', warnings };
    }
    // DuckDB's parser accepts PostgreSQL's and Trino's spelling of what polyglot left alone.
    if (pre === sql && to === 'duckdb' && (from === 'postgres' || from === 'trino')) {
      const same = transpile(p, sql, from, from);
      if (same.ok && same.sql === target.sql) {
        // Target-text rules still apply (DuckDB reads the client's text as its own dialect).
        let kept = sql;
        for (const f of rules.post) kept = f(kept);
        return { sql: this.finish(kept, from, to), how: kept === sql ? 'unchanged' : 'translated', warnings };
      }
    }
    let out = target.sql;
    for (const f of rules.post) out = f(out);
    const inParams = parameterMarkers(sql, backslash);
    const outParams = parameterMarkers(out, to === 'mysql' || to === 'starrocks');
    if (inParams.join(',') !== outParams.join(',')) {
      if (this.mode === 'strict') throw this.refuse(from, to, `bind parameters changed (${inParams.join(',')} → ${outParams.join(',')})`);
      return { sql: this.finish(sql, from, to), how: 'unparsed', warnings: [...warnings, 'bind parameters'] };
    }
    if (rules.missing.size > 0) {
      for (const f of calledFunctions(out, to === 'mysql')) {
        if (!rules.missing.has(f)) continue;
        if (this.mode === 'strict') throw this.refuse(from, to, `${f}() has no equivalent on ${to}`);
        warnings.push(f);
      }
    }
    return { sql: this.finish(out, from, to), how: 'translated', warnings };
  }
}
