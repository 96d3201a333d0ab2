/**
 * Small lexical helpers over SQL text for the translator's fix-ups: find function calls outside
 * string literals, quoted identifiers and comments, split balanced argument lists, and read the
 * leading keyword. They never parse SQL; the parser is polyglot. They exist so fix-ups can
 * rewrite a call whose arguments polyglot already translated, without walking its AST.
 */

/** One function call found in SQL text: name, the offsets of `name(` and of the closing `)`. */
export interface Call {
  readonly name: string;
  readonly start: number;
  readonly open: number;
  readonly close: number;
  readonly args: string[];
}

/**
 * Mask string literals, quoted identifiers and comments with spaces (same length), so regexes and
 * paren matching see only SQL structure. `backslash` honours MySQL's \' escapes.
 */
export function maskLiterals(sql: string, backslash = false): string {
  let out = '';
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < n) {
        const d = sql[j]!;
        if (backslash && d === '\\') {
          j += 2;
          continue;
        }
        if (d === c) {
          if (sql[j + 1] === c) {
            j += 2;
            continue;
          }
          break;
        }
        j++;
      }
      out += c + ' '.repeat(Math.max(0, Math.min(j, n) - i - 1)) + (j < n ? c : '');
      i = j + 1;
      continue;
    }
    if (c === '-' && sql[i + 1] === '-') {
      const j = sql.indexOf('\n', i);
      const end = j < 0 ? n : j;
      out += ' '.repeat(end - i);
      i = end;
      continue;
    }
    if (c === '/' && sql[i + 1] === '*') {
      const j = sql.indexOf('*/', i + 2);
      const end = j < 0 ? n : j + 2;
      out += ' '.repeat(end - i);
      i = end;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

/** Index of the `)` matching the `(` at `open` in masked text, or -1. */
export function matchParen(masked: string, open: number): number {
  let depth = 0;
  for (let i = open; i < masked.length; i++) {
    const c = masked[i];
    if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** Split the text between `open` and `close` at top-level commas (offsets from masked text). */
export function splitArgs(sql: string, masked: string, open: number, close: number): string[] {
  const args: string[] = [];
  let depth = 0;
  let from = open + 1;
  for (let i = open + 1; i < close; i++) {
    const c = masked[i];
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === ',' && depth === 0) {
      args.push(sql.slice(from, i).trim());
      from = i + 1;
    }
  }
  const last = sql.slice(from, close).trim();
  if (last !== '' || args.length > 0) args.push(last);
  return args;
}

/** Every call of a function whose name matches `names` (case-insensitive), innermost last. */
export function findCalls(sql: string, names: RegExp, backslash = false): Call[] {
  const masked = maskLiterals(sql, backslash);
  const re = new RegExp(String.raw`(?<![\w.$"])(${names.source})\s*\(`, 'gi');
  const calls: Call[] = [];
  for (let m = re.exec(masked); m !== null; m = re.exec(masked)) {
    const open = m.index + m[0].length - 1;
    const close = matchParen(masked, open);
    if (close < 0) continue;
    calls.push({ name: m[1]!.toLowerCase(), start: m.index, open, close, args: splitArgs(sql, masked, open, close) });
  }
  return calls;
}

/**
 * Replace calls of `names` with `replace(call)` (undefined keeps the call). Works from the last
 * call backwards so nested calls are rewritten inside-out and offsets stay valid.
 */
export function rewriteCalls(sql: string, names: RegExp, replace: (c: Call) => string | undefined, backslash = false): string {
  let out = sql;
  for (let guard = 0; guard < 100; guard++) {
    const calls = findCalls(out, names, backslash);
    let changed = false;
    for (let k = calls.length - 1; k >= 0; k--) {
      const c = calls[k]!;
      const r = replace(c);
      if (r === undefined) continue;
      out = out.slice(0, c.start) + r + out.slice(c.close + 1);
      changed = true;
      break;
    }
    if (!changed) return out;
  }
  return out;
}

/** Names of every function called in `sql` (lower case, deduplicated). */
export function calledFunctions(sql: string, backslash = false): Set<string> {
  const masked = maskLiterals(sql, backslash);
  const out = new Set<string>();
  for (const m of masked.matchAll(/(?<![\w.$"])([A-Za-z_][\w]*)\s*\(/g)) out.add(m[1]!.toLowerCase());
  return out;
}

/** The statement's first keyword, upper case ('' when none). */
export function leadingKeyword(sql: string): string {
  const masked = maskLiterals(sql);
  const m = /^[\s(;]*([A-Za-z]+)/.exec(masked);
  return m ? m[1]!.toUpperCase() : '';
}

/** Bind parameter markers ($1, ?) in order of appearance, outside literals and comments. */
export function parameterMarkers(sql: string, backslash = false): string[] {
  const masked = maskLiterals(sql, backslash);
  return [...masked.matchAll(/\$\d+|\?(?![|&-])/g)].map((m) => m[0]);
}

/** True when the statement has an ORDER BY at nesting depth 0 (outside any parentheses). */
export function hasTopLevelOrderBy(sql: string): boolean {
  const masked = maskLiterals(sql);
  let depth = 0;
  let flat = '';
  for (const c of masked) {
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else flat += depth === 0 ? c : ' ';
  }
  return /\border\s+by\b/i.test(flat);
}
