/**
 * Result column names as a PostgreSQL client expects them. PostgreSQL names an unaliased select
 * item after the function it calls (`count(*)` → `count`), the column it reads (through casts),
 * or `?column?`; DuckDB names it after the expression's text (`count_star()`, `sum(x)`,
 * `(a + 1)`). A PostgreSQL client routed to another engine gets PostgreSQL's names back — the
 * same header psql prints, the same keys a driver's row objects have — so moving a query between
 * engines does not change what the application reads.
 *
 * Lexical, over the statement as the client wrote it: the top-level select list of the main
 * SELECT, split at commas. Items it cannot name with confidence keep the engine's name; a `*`
 * anywhere in the list (its width is the engine's business) leaves every name as it is.
 */
import { LruCache } from '../core/lru.js';
import { maskLiterals, matchParen } from './sql-scan.js';

/** Keywords that end a select list. */
const LIST_END = /^(?:from|where|group|having|window|order|limit|offset|union|intersect|except|fetch|for|into|returning)$/i;
/** Words after an expression that are not an implicit alias. */
const NOT_ALIAS = /^(?:end|null|true|false|and|or|not|is|in|like|ilike|between|then|else|when|asc|desc|distinct|all|any|some|escape|isnull|notnull|collate|at|zone)$/i;
/** PostgreSQL's names of common cast targets (a cast literal is named after its type). */
const TYPE_NAMES: Readonly<Record<string, string>> = {
  int: 'int4', integer: 'int4', int4: 'int4', bigint: 'int8', int8: 'int8', smallint: 'int2', int2: 'int2', text: 'text',
  varchar: 'varchar', numeric: 'numeric', decimal: 'numeric', real: 'float4', float4: 'float4', float8: 'float8',
  'double precision': 'float8', float: 'float8', date: 'date', timestamp: 'timestamp', timestamptz: 'timestamptz',
  boolean: 'bool', bool: 'bool', json: 'json', jsonb: 'jsonb', uuid: 'uuid', interval: 'interval', bytea: 'bytea',
};
/** Functions PostgreSQL names differently from how they are written. */
const FUNCTION_NAMES: Readonly<Record<string, string>> = { trim: 'btrim' };

const CACHE = new LruCache<string, readonly (string | undefined)[] | null>(4096);

/**
 * PostgreSQL's name for each select item of `sql` (undefined where the engine's name stands),
 * or undefined when the statement is not a plain SELECT list this can read.
 */
export function postgresColumnNames(sql: string): readonly (string | undefined)[] | undefined {
  let names = CACHE.get(sql);
  if (names === undefined) {
    names = computeNames(sql) ?? null;
    CACHE.set(sql, names);
  }
  return names ?? undefined;
}

function computeNames(sql: string): (string | undefined)[] | undefined {
  const masked = maskLiterals(sql);
  const list = selectList(masked);
  if (list === undefined) return undefined;
  const items = splitTop(masked, list.start, list.end);
  const names: (string | undefined)[] = [];
  for (const [a, b] of items) {
    const m = masked.slice(a, b).trim();
    if (m === '' || /(^|\.)\s*\*$/.test(m)) return undefined;
    const lead = a + (masked.slice(a, b).length - masked.slice(a, b).trimStart().length);
    names.push(itemName(m, sql.slice(lead, lead + m.length)));
  }
  return names;
}

/** Offsets of the main SELECT's list (after SELECT [DISTINCT [ON (...)] | ALL]) in masked text. */
function selectList(masked: string): { start: number; end: number } | undefined {
  // A query (SELECT, or WITH ... SELECT); CTE bodies are in parentheses, so the first SELECT at
  // depth 0 is the main one.
  if (!/^\s*(?:select|with)\b/i.test(masked)) return undefined;
  const re = /[A-Za-z_][\w$]*|[()[\];]/g;
  let depth = 0;
  let start = -1;
  for (let m = re.exec(masked); m !== null; m = re.exec(masked)) {
    const t = m[0];
    if (t === '(' || t === '[') depth++;
    else if (t === ')' || t === ']') depth--;
    else if (depth !== 0) continue;
    else if (start >= 0) {
      // `within group (...)` is part of an aggregate call; GROUP BY ends the list.
      if (t === ';' || (LIST_END.test(t) && (!/^group$/i.test(t) || /^\s+by\b/i.test(masked.slice(re.lastIndex))))) return { start, end: m.index };
    } else if (/^select$/i.test(t)) {
      start = m.index + t.length;
      // DISTINCT [ON (...)] or ALL belong to SELECT, not to the first item.
      const rest = /^\s*(distinct|all)\b/i.exec(masked.slice(start));
      if (rest !== null) {
        start += rest[0].length;
        const on = /^\s*on\s*\(/i.exec(masked.slice(start));
        if (on !== null) {
          const close = matchParen(masked, start + on[0].length - 1);
          if (close < 0) return undefined;
          start = close + 1;
        }
      }
      re.lastIndex = start;
    }
  }
  return start < 0 ? undefined : { start, end: masked.length };
}

/** [start, end) of each top-level comma-separated item between `start` and `end`. */
function splitTop(masked: string, start: number, end: number): [number, number][] {
  const out: [number, number][] = [];
  let depth = 0;
  let from = start;
  for (let i = start; i < end; i++) {
    const c = masked[i];
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === ',' && depth === 0) {
      out.push([from, i]);
      from = i + 1;
    }
  }
  out.push([from, end]);
  return out;
}

const IDENT = String.raw`(?:"(?:[^"]|"")*"|[A-Za-z_][\w$]*)`;
const COLUMN_REF = new RegExp(String.raw`^${IDENT}(?:\s*\.\s*${IDENT})*$`);
const CASTS = /(?:\s*::\s*([A-Za-z_][\w ]*?(?:\s*\([\d\s,]*\))?(?:\s*\[\])*))+$/;

/** An identifier as PostgreSQL folds it: quoted as written, unquoted in lower case. */
function folded(id: string): string {
  return id.startsWith('"') ? id.slice(1, -1).replace(/""/g, '"') : id.toLowerCase();
}

/** The name of one select item (`m` masked, `text` as written), or undefined to keep the engine's. */
function itemName(m: string, text: string): string | undefined {
  // An alias (AS x, or a trailing identifier after an expression) is the engine's name already.
  if (/\sas\s+(?:"[^"]*"|[A-Za-z_][\w$]*)$/i.test(m)) return undefined;
  const trailing = /[\w")\]]\s+([A-Za-z_][\w$]*|"[^"]*")$/.exec(m);
  // `... over w` names a window, it is no alias.
  if (trailing !== null && !NOT_ALIAS.test(trailing[1]!) && !COLUMN_REF.test(m) && !/\bover\s+[A-Za-z_][\w$]*$/i.test(m)) return undefined;
  return expressionName(m, text);
}

function expressionName(m: string, text: string): string | undefined {
  if (COLUMN_REF.test(m)) {
    const parts = text.split('.');
    return folded(parts[parts.length - 1]!.trim());
  }
  // Casts: a cast column or call keeps its name; a cast literal is named after the type.
  const cast = CASTS.exec(m);
  if (cast !== null && cast.index > 0) {
    const inner = expressionName(m.slice(0, cast.index).trim(), text.slice(0, cast.index).trim());
    if (inner !== undefined && inner !== '?column?') return inner;
    const last = /::\s*([A-Za-z_][\w ]*?)\s*(?:\([\d\s,]*\))?(?:\s*\[\])*\s*$/.exec(m)?.[1]?.toLowerCase().replace(/\s+/g, ' ');
    return last === undefined ? undefined : (TYPE_NAMES[last] ?? undefined);
  }
  if (/^\(/.test(m)) {
    const close = matchParen(m, 0);
    if (close === m.length - 1) return expressionName(m.slice(1, -1).trim(), text.slice(1, -1).trim());
    return undefined;
  }
  if (/^case\b/i.test(m) && /\bend$/i.test(m)) return 'case';
  if (/^array\s*[[(]/i.test(m)) return 'array';
  const call = /^((?:[A-Za-z_][\w$]*\s*\.\s*)*)([A-Za-z_][\w$]*)\s*\(/.exec(m);
  if (call !== null) {
    const close = matchParen(m, call[0].length - 1);
    if (close < 0) return undefined;
    const after = m.slice(close + 1).trim();
    // A call, possibly with FILTER (...), WITHIN GROUP (...), OVER (...) or OVER name.
    if (after !== '' && !/^(?:filter\s*\([^]*\)\s*)?(?:within\s+group\s*\([^]*\)\s*)?(?:over\s*(?:\([^]*\)|[A-Za-z_][\w$]*))?$/i.test(after)) return binary(m);
    const name = call[2]!.toLowerCase();
    if (name === 'cast') {
      const inner = /^\s*(.*?)\s+as\s+/i.exec(m.slice(call[0].length, close));
      const innerName = inner === null ? undefined : expressionName(inner[1]!, text.slice(call[0].length, call[0].length + inner[1]!.length));
      return innerName !== '?column?' ? innerName : undefined;
    }
    return FUNCTION_NAMES[name] ?? name;
  }
  // Literals: numbers and strings are `?column?`.
  if (/^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i.test(m) || /^'\s*'$/.test(m.replace(/'[^']*'/g, "''"))) return '?column?';
  return binary(m);
}

/** An operator expression is `?column?`; anything else keeps the engine's name. */
function binary(m: string): string | undefined {
  let depth = 0;
  for (let i = 0; i < m.length; i++) {
    const c = m[i]!;
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (depth === 0 && '+-*/%|<>=!^&~'.includes(c) && !(c === ':' && m[i + 1] === ':')) return '?column?';
  }
  return undefined;
}
