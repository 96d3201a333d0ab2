/**
 * Lexical analysis: statement kind and fingerprint from a single pass over the text, no AST.
 * Utility statements (SET, SHOW, BEGIN, ...) stop here; queries and DML go on to the parser
 * (analyzer.ts).
 */
import type { StatementKind } from './types.js';

export const KIND_BY_VERB: Readonly<Record<string, StatementKind>> = {
  SELECT: 'select', WITH: 'select', VALUES: 'select', TABLE: 'select', FROM: 'select',
  INSERT: 'insert', COPY: 'insert', MERGE: 'update', UPSERT: 'insert', REPLACE: 'insert',
  UPDATE: 'update', DELETE: 'delete', TRUNCATE: 'delete',
  CREATE: 'ddl', ALTER: 'ddl', DROP: 'ddl', COMMENT: 'ddl', GRANT: 'ddl', REVOKE: 'ddl',
  SET: 'set', RESET: 'set', SHOW: 'show', DESCRIBE: 'show', DESC: 'show',
  EXPLAIN: 'explain',
  BEGIN: 'transaction', START: 'transaction', COMMIT: 'transaction', END: 'transaction', ROLLBACK: 'transaction', ABORT: 'transaction', SAVEPOINT: 'transaction', RELEASE: 'transaction',
};

export const READ_ONLY_KINDS: ReadonlySet<StatementKind> = new Set<StatementKind>(['select', 'show', 'explain']);

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

// Literals: strings (standard, escaped E'', dollar-quoted $$..$$), numbers; LIMIT/FETCH/TOP counts are kept.
const LITERALS = /(\b(?:limit|fetch\s+first|fetch\s+next|top)\s+)(\d+)|\$([A-Za-z_]*)\$[\s\S]*?\$\3\$|\b[eE]'(?:[^'\\]|''|\\.)*'|'(?:[^']|'')*'|(?<![\w$])\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b/gi;
const IN_LIST = /\(\s*\?(?:\s*,\s*\?)+\s*\)/g;

/** Whitespace that `\s+` → ' ' would change: a run of two or more, or any whitespace but a space. */
const FOLDABLE = /\s{2,}|[\t\n\v\f\r\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/;

/**
 * Literal-normalised forms of a statement: `normalized` replaces each literal with `?` and folds
 * whitespace (statements with equal `normalized` text parse to the same shape); `fingerprint` also
 * folds lists of literals `(?, ?, ?)` to `(?+)`, so IN lists of any length group together.
 * `values`, when given, receives the replaced literals' values in text order.
 *
 * Same result as `sql.replace(LITERALS, …).replace(/\s+/g, ' ').trim()`, 2–3× faster: an exec loop
 * copying the text between literals (replace with a callback cost ≈ 2 µs of every new statement),
 * and the whitespace fold and trim only when they would change something.
 */
export function normalizeLiterals(sql: string, values?: (number | string | undefined)[]): { normalized: string; fingerprint: string } {
  let out = '';
  let from = 0;
  LITERALS.lastIndex = 0;
  for (let m = LITERALS.exec(sql); m !== null; m = LITERALS.exec(sql)) {
    if (m[1] !== undefined) continue; // a LIMIT / FETCH / TOP count stays as written
    const t = m[0];
    out += sql.slice(from, m.index) + '?';
    from = m.index + t.length;
    values?.push(literalValue(t));
  }
  let normalized = from === 0 ? sql : out + sql.slice(from);
  // After this every whitespace character is a single space, so trimming is needed only at a space.
  if (FOLDABLE.test(normalized)) normalized = normalized.replace(/\s+/g, ' ');
  if (normalized.charCodeAt(0) === 32 || normalized.charCodeAt(normalized.length - 1) === 32) normalized = normalized.trim();
  return { normalized, fingerprint: normalized.indexOf('(') >= 0 ? normalized.replace(IN_LIST, '(?+)') : normalized };
}

/**
 * One literal `normalizeLiterals` replaces, as analysis values are written: numbers as numbers,
 * quoted strings unquoted; E'' and dollar-quoted strings undefined (not compared).
 */
function literalValue(t: string): number | string | undefined {
  if (t.startsWith("'")) return t.slice(1, -1).replace(/''/g, "'");
  if (t.startsWith('$') || t.startsWith('e') || t.startsWith('E')) return undefined;
  return Number(t);
}

/** Fingerprint: literals replaced by `?`, whitespace folded, literal lists folded. */
export function fingerprint(sql: string): string {
  return normalizeLiterals(sql).fingerprint;
}

const COMMENTS_AND_QUOTED = /--[^\n]*|\/\*[\s\S]*?\*\/|"(?:[^"]|"")*"|`[^`]*`/g;

/**
 * Whether a literal-normalised statement (strings already `?`) has a WHERE keyword outside
 * comments and quoted identifiers: the lexical stand-in for the `where_clause` feature when the
 * statement could not be parsed.
 */
export function hasWhereKeyword(normalized: string): boolean {
  return /\bwhere\b/i.test(normalized.replace(COMMENTS_AND_QUOTED, ' '));
}
