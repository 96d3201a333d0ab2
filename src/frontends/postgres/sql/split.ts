/**
 * Lexical scanning of a simple-query string: split on ';' outside quotes ('…', E'…', "…",
 * $tag$…$tag$), comments (-- and nested /* *\/); and the leading keywords of a statement.
 */

/** One statement of a multi-statement query, with its offset in the original text. */
export interface StatementSlice {
  readonly sql: string;
  /** Character offset of `sql` within the whole query (for error positions). */
  readonly offset: number;
}

function isIdentChar(c: number): boolean {
  return (c >= 48 && c <= 57) || ((c | 0x20) >= 97 && (c | 0x20) <= 122) || c === 95 || c === 36 || c >= 128;
}

const DOLLAR_TAG = /\$([A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)?\$/y;

/** Index just past the quoted/comment token starting at `i`, or `i` when none starts there. */
function skipToken(sql: string, i: number): number {
  const n = sql.length;
  const c = sql.charCodeAt(i);
  if (c === 39 /* ' */) {
    const prev = i > 0 ? sql.charCodeAt(i - 1) : 0;
    const escaped = (prev === 69 || prev === 101) && (i < 2 || !isIdentChar(sql.charCodeAt(i - 2)));
    let j = i + 1;
    while (j < n) {
      const d = sql.charCodeAt(j);
      if (escaped && d === 92 /* \ */) j += 2;
      else if (d === 39) {
        if (sql.charCodeAt(j + 1) === 39) j += 2;
        else return j + 1;
      } else j++;
    }
    return n;
  }
  if (c === 34 /* " */) {
    let j = i + 1;
    while (j < n) {
      if (sql.charCodeAt(j) === 34) {
        if (sql.charCodeAt(j + 1) === 34) j += 2;
        else return j + 1;
      } else j++;
    }
    return n;
  }
  if (c === 45 /* - */ && sql.charCodeAt(i + 1) === 45) {
    const e = sql.indexOf('\n', i + 2);
    return e < 0 ? n : e + 1;
  }
  if (c === 47 /* / */ && sql.charCodeAt(i + 1) === 42) {
    let depth = 1;
    let j = i + 2;
    while (j < n && depth > 0) {
      if (sql.charCodeAt(j) === 47 && sql.charCodeAt(j + 1) === 42) {
        depth++;
        j += 2;
      } else if (sql.charCodeAt(j) === 42 && sql.charCodeAt(j + 1) === 47) {
        depth--;
        j += 2;
      } else j++;
    }
    return j;
  }
  if (c === 36 /* $ */ && (i === 0 || !isIdentChar(sql.charCodeAt(i - 1)))) {
    DOLLAR_TAG.lastIndex = i;
    const m = DOLLAR_TAG.exec(sql);
    if (m !== null) {
      const close = sql.indexOf(m[0], i + m[0].length);
      return close < 0 ? n : close + m[0].length;
    }
  }
  return i;
}

/** Index of the first character that is neither whitespace nor inside a comment, from `i`. */
export function skipBlank(sql: string, i = 0): number {
  const n = sql.length;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (c === 32 || (c >= 9 && c <= 13)) i++;
    else if ((c === 45 && sql.charCodeAt(i + 1) === 45) || (c === 47 && sql.charCodeAt(i + 1) === 42)) i = skipToken(sql, i);
    else break;
  }
  return i;
}

/** Split a query string into its non-empty statements (without the terminating ';'). */
export function splitStatements(sql: string): StatementSlice[] {
  const out: StatementSlice[] = [];
  const n = sql.length;
  let start = 0;
  let i = 0;
  const push = (end: number): void => {
    // Statements of only comments are dropped; leading comments of real ones are kept (hints).
    if (skipBlank(sql, start) >= end) return;
    let s = start;
    while (s < end && /\s/.test(sql[s]!)) s++;
    let e = end;
    while (e > s && /\s/.test(sql[e - 1]!)) e--;
    out.push({ sql: sql.slice(s, e), offset: s });
  };
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (c === 59 /* ; */) {
      push(i);
      start = ++i;
      continue;
    }
    const j = skipToken(sql, i);
    i = j > i ? j : i + 1;
  }
  push(n);
  return out;
}

/** Up to `max` leading words (keywords/identifiers) of a statement, upper-cased. */
export function leadingWords(sql: string, max: number): string[] {
  const words: string[] = [];
  let i = 0;
  const n = sql.length;
  while (words.length < max) {
    i = skipBlank(sql, i);
    if (i >= n) break;
    let j = i;
    while (j < n && isIdentChar(sql.charCodeAt(j)) && sql.charCodeAt(j) !== 36) j++;
    if (j === i) break;
    words.push(sql.slice(i, j).toUpperCase());
    i = j;
  }
  return words;
}

/** True when the text holds only whitespace and comments (an empty query). */
export function isBlank(sql: string): boolean {
  return skipBlank(sql) >= sql.length;
}
