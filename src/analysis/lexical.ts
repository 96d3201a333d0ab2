/**
 * Lexical analysis: statement kind and fingerprint from a single pass over the text, no AST.
 * This is the analysis stage's floor; the AST-based analyser (its own issue) refines it.
 */
import { LruCache } from '../core/lru.js';
import type { Analysis, StatementKind } from './types.js';

const KIND_BY_VERB: Readonly<Record<string, StatementKind>> = {
  SELECT: 'select', WITH: 'select', VALUES: 'select', TABLE: 'select', FROM: 'select',
  INSERT: 'insert', COPY: 'insert', MERGE: 'update', UPSERT: 'insert', REPLACE: 'insert',
  UPDATE: 'update', DELETE: 'delete', TRUNCATE: 'delete',
  CREATE: 'ddl', ALTER: 'ddl', DROP: 'ddl', COMMENT: 'ddl', GRANT: 'ddl', REVOKE: 'ddl',
  SET: 'set', RESET: 'set', SHOW: 'show', DESCRIBE: 'show', DESC: 'show',
  EXPLAIN: 'explain',
  BEGIN: 'transaction', START: 'transaction', COMMIT: 'transaction', END: 'transaction', ROLLBACK: 'transaction', ABORT: 'transaction', SAVEPOINT: 'transaction', RELEASE: 'transaction',
};

const READ_ONLY = new Set<StatementKind>(['select', 'show', 'explain']);

/** Upper-case first keyword, skipping whitespace, comments and opening parentheses. */
export function leadingVerb(sql: string): string {
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 40 /* ( */) i++;
    else if (c === 45 && sql.charCodeAt(i + 1) === 45) {
      const e = sql.indexOf('\n', i);
      i = e < 0 ? n : e + 1;
    } else if (c === 47 && sql.charCodeAt(i + 1) === 42) {
      const e = sql.indexOf('*/', i + 2);
      i = e < 0 ? n : e + 2;
    } else break;
  }
  let j = i;
  while (j < n) {
    const c = sql.charCodeAt(j) | 0x20;
    if (c >= 97 && c <= 122) j++;
    else break;
  }
  return sql.slice(i, j).toUpperCase();
}

/** Replace literals with `?` and fold whitespace, so queries differing only in constants match. */
export function fingerprint(sql: string): string {
  return sql
    .replace(/'(?:[^']|'')*'/g, '?')
    .replace(/\b\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b/g, '?')
    .replace(/\s+/g, ' ')
    .trim();
}

const cache = new LruCache<string, Analysis>(10_000);
const EMPTY: Readonly<Record<string, number>> = Object.freeze({});

/** Cached lexical analysis of one statement. */
export function analyzeLexical(sql: string): Analysis {
  let a = cache.get(sql);
  if (a === undefined) {
    const verb = leadingVerb(sql);
    const kind = KIND_BY_VERB[verb] ?? 'other';
    a = Object.freeze({ kind, verb, readOnly: READ_ONLY.has(kind), tables: [], fingerprint: fingerprint(sql), features: EMPTY });
    cache.set(sql, a);
  }
  return a;
}
