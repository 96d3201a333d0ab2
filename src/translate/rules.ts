/**
 * Per-pair fix-ups for what polyglot gets wrong, found by the correctness corpus
 * (test/fixtures/translation, docs/translation.md). Kinds:
 * - function templates: a source function with a known target spelling becomes a marker call
 *   `QF__NAME(args)` before polyglot; polyglot passes unknown calls through and translates their
 *   arguments; after polyglot the marker expands into the target's expression. So a template
 *   only ever sees arguments already in the target dialect.
 * - `pre` / `post`: other source-text and target-text rewrites (NULL ordering, integer division,
 *   FILTER on MySQL, ...).
 * - `unsafe`: constructs no rule makes right for the pair: strict refuses them by name.
 * - `missing`: functions polyglot passes through that the target does not have (strict refuses).
 */
import type { Dialect } from '../core/types.js';
import { findCalls, maskLiterals, matchParen, rewriteCalls, splitArgs } from './sql-scan.js';

/** A construct that translates wrongly for a pair; `test` returns its name when the SQL uses it. */
export interface UnsafeRule {
  readonly why: string;
  test(sql: string, functions: ReadonlySet<string>): string | undefined;
}

export interface PairRules {
  readonly pre: ((sql: string) => string)[];
  readonly post: ((sql: string) => string)[];
  readonly unsafe: UnsafeRule[];
  readonly missing: Set<string>;
}

type Target = 'duckdb' | 'postgres' | 'mysql';
/** Target expression from translated arguments; undefined keeps the original call. */
type Template = (a: string[]) => string | undefined;
type FunctionTable = Record<string, Partial<Record<Target, Template>>>;

const MARK = 'QF__';

function targetOf(d: Dialect): Target | undefined {
  if (d === 'duckdb' || d === 'postgres') return d;
  if (d === 'mysql' || d === 'starrocks') return 'mysql';
  return undefined;
}

// --- helpers for templates ------------------------------------------------------------------------

/** The text of a string literal argument ('month' → month), or undefined when not a literal. */
function lit(arg: string | undefined): string | undefined {
  const m = /^'((?:[^']|'')*)'$/.exec(arg?.trim() ?? '');
  return m ? m[1]!.replace(/''/g, "'") : undefined;
}

function quote(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** A single-parameter lambda `x -> body` (or `(x) -> body`). */
function lambda1(arg: string | undefined): { p: string; body: string } | undefined {
  const m = /^\(?\s*([A-Za-z_]\w*)\s*\)?\s*->\s*([\s\S]+)$/.exec(arg?.trim() ?? '');
  return m ? { p: m[1]!, body: m[2]! } : undefined;
}

const UNITS = ['second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year'];

function unitArg(arg: string | undefined): string | undefined {
  const u = lit(arg)?.toLowerCase();
  return u !== undefined && UNITS.includes(u) ? u : undefined;
}

// MySQL/Trino date_format specifiers → strftime (DuckDB) and to_char (PostgreSQL).
const MYSQL_TO_STRFTIME: Record<string, string> = { Y: '%Y', y: '%y', m: '%m', c: '%-m', d: '%d', e: '%-d', H: '%H', k: '%-H', h: '%I', I: '%I', i: '%M', s: '%S', S: '%S', f: '%f', p: '%p', M: '%B', b: '%b', W: '%A', a: '%a', j: '%j', T: '%H:%M:%S', '%': '%%' };
const MYSQL_TO_PG: Record<string, string> = { Y: 'YYYY', y: 'YY', m: 'MM', c: 'FMMM', d: 'DD', e: 'FMDD', H: 'HH24', k: 'FMHH24', h: 'HH12', I: 'HH12', i: 'MI', s: 'SS', S: 'SS', f: 'US', p: 'AM', M: 'FMMonth', b: 'Mon', W: 'FMDay', a: 'Dy', j: 'DDD', T: 'HH24:MI:SS', '%': '%' };

/** Convert a MySQL-style format; undefined when it uses a specifier we do not map. */
function convertMysqlFormat(fmt: string, map: Record<string, string>, quoteText: boolean): string | undefined {
  let out = '';
  for (let i = 0; i < fmt.length; i++) {
    const ch = fmt[i]!;
    if (ch === '%') {
      const spec = map[fmt[i + 1] ?? ''];
      if (spec === undefined) return undefined;
      out += spec;
      i++;
    } else if (quoteText && /[A-Za-z]/.test(ch)) {
      let j = i;
      while (j < fmt.length && /[A-Za-z]/.test(fmt[j]!)) j++;
      out += `"${fmt.slice(i, j)}"`;
      i = j - 1;
    } else out += ch;
  }
  return out;
}

// Joda (Trino format_datetime) and PostgreSQL to_char patterns → MySQL specifiers (then as above).
const JODA: [RegExp, string][] = [[/yyyy/g, '%Y'], [/yy/g, '%y'], [/MMMM/g, '%M'], [/MMM/g, '%b'], [/MM/g, '%m'], [/dd/g, '%d'], [/HH/g, '%H'], [/hh/g, '%h'], [/mm/g, '%i'], [/ss/g, '%s'], [/SSS/g, '%f'], [/EEEE/g, '%W'], [/EEE/g, '%a'], [/a/g, '%p']];
const PG_PATTERNS: [RegExp, string][] = [[/YYYY/g, '%Y'], [/YY/g, '%y'], [/FMMonth|Month/g, '%M'], [/Mon/g, '%b'], [/MM/g, '%m'], [/FMDD/g, '%e'], [/DD/g, '%d'], [/HH24/g, '%H'], [/HH12|HH/g, '%h'], [/MI/g, '%i'], [/SS/g, '%s'], [/FMDay|Day/g, '%W'], [/Dy/g, '%a'], [/AM|PM/g, '%p']];

function patternToMysql(fmt: string, table: [RegExp, string][]): string | undefined {
  // Tokens are replaced through placeholders so that a replacement is never matched again.
  let out = fmt.replace(/%/g, '%%');
  const slots: string[] = [];
  for (const [re, spec] of table) {
    out = out.replace(re, () => {
      slots.push(spec);
      return `\u0001${slots.length - 1}\u0002`;
    });
  }
  if (/[A-Za-z]/.test(out.replace(/\u0001\d+\u0002/g, ''))) return undefined;
  return out.replace(/\u0001(\d+)\u0002/g, (_m, k: string) => slots[Number(k)]!);
}

/** Format a timestamp with a MySQL-style format literal on each target. */
function formatWith(x: string, mysqlFmt: string | undefined): Partial<Record<Target, string>> {
  if (mysqlFmt === undefined) return {};
  const duck = convertMysqlFormat(mysqlFmt, MYSQL_TO_STRFTIME, false);
  const pgFmt = convertMysqlFormat(mysqlFmt, MYSQL_TO_PG, true);
  return {
    mysql: `DATE_FORMAT(${x}, ${quote(mysqlFmt)})`,
    ...(duck === undefined ? {} : { duckdb: `strftime(${x}, ${quote(duck)})` }),
    ...(pgFmt === undefined ? {} : { postgres: `to_char(${x}, ${quote(pgFmt)})` }),
  };
}

function parseWith(s: string, mysqlFmt: string | undefined, asDate: boolean): Partial<Record<Target, string>> {
  if (mysqlFmt === undefined) return {};
  const duck = convertMysqlFormat(mysqlFmt, MYSQL_TO_STRFTIME, false);
  const pgFmt = convertMysqlFormat(mysqlFmt, MYSQL_TO_PG, true);
  return {
    mysql: `STR_TO_DATE(${s}, ${quote(mysqlFmt)})`,
    ...(duck === undefined ? {} : { duckdb: asDate ? `CAST(strptime(${s}, ${quote(duck)}) AS DATE)` : `strptime(${s}, ${quote(duck)})` }),
    ...(pgFmt === undefined ? {} : { postgres: asDate ? `to_date(${s}, ${quote(pgFmt)})` : `CAST(to_timestamp(${s}, ${quote(pgFmt)}) AS TIMESTAMP)` }),
  };
}

function perTarget(f: (a: string[]) => Partial<Record<Target, string>>): Partial<Record<Target, Template>> {
  return { duckdb: (a) => f(a).duckdb, postgres: (a) => f(a).postgres, mysql: (a) => f(a).mysql };
}

// date_trunc on MySQL (polyglot turns every unit into DATE(x)).
const MYSQL_TRUNC: Record<string, (x: string) => string> = {
  second: (x) => `CAST(DATE_FORMAT(${x}, '%Y-%m-%d %H:%i:%s') AS DATETIME)`,
  minute: (x) => `CAST(DATE_FORMAT(${x}, '%Y-%m-%d %H:%i:00') AS DATETIME)`,
  hour: (x) => `CAST(DATE_FORMAT(${x}, '%Y-%m-%d %H:00:00') AS DATETIME)`,
  day: (x) => `DATE(${x})`,
  week: (x) => `(DATE(${x}) - INTERVAL WEEKDAY(${x}) DAY)`,
  month: (x) => `CAST(DATE_FORMAT(${x}, '%Y-%m-01') AS DATE)`,
  quarter: (x) => `(MAKEDATE(YEAR(${x}), 1) + INTERVAL (QUARTER(${x}) - 1) QUARTER)`,
  year: (x) => `MAKEDATE(YEAR(${x}), 1)`,
};

const SECONDS: Record<string, number> = { second: 1, minute: 60, hour: 3600, day: 86400, week: 604800 };

/** Whole units from a to b, as Trino's date_diff and MySQL's TIMESTAMPDIFF count them. */
function dateDiff(unit: string | undefined, a: string, b: string): Partial<Record<Target, string>> {
  if (unit === undefined) return {};
  const pgSeconds = `EXTRACT(EPOCH FROM (CAST(${b} AS TIMESTAMP) - CAST(${a} AS TIMESTAMP)))`;
  const pgAge = `age(CAST(${b} AS TIMESTAMP), CAST(${a} AS TIMESTAMP))`;
  const pg =
    unit in SECONDS
      ? `CAST(TRUNC(${pgSeconds} / ${SECONDS[unit]}) AS BIGINT)`
      : unit === 'month'
        ? `CAST(EXTRACT(YEAR FROM ${pgAge}) * 12 + EXTRACT(MONTH FROM ${pgAge}) AS BIGINT)`
        : unit === 'quarter'
          ? `CAST(TRUNC((EXTRACT(YEAR FROM ${pgAge}) * 12 + EXTRACT(MONTH FROM ${pgAge})) / 3) AS BIGINT)`
          : `CAST(EXTRACT(YEAR FROM ${pgAge}) AS BIGINT)`;
  return { duckdb: `date_sub('${unit}', ${a}, ${b})`, postgres: pg, mysql: `TIMESTAMPDIFF(${unit.toUpperCase()}, ${a}, ${b})` };
}

function dateAdd(unit: string | undefined, n: string, x: string): Partial<Record<Target, string>> {
  if (unit === undefined) return {};
  const u = unit.toUpperCase();
  return { duckdb: `(${x} + (${n}) * INTERVAL 1 ${u})`, postgres: `(${x} + (${n}) * INTERVAL '1 ${unit}')`, mysql: `DATE_ADD(${x}, INTERVAL (${n}) ${u})` };
}

/** Capture group g (0 = whole match) of the first match of p in s. */
function regexpExtract(s: string, p: string, g: string | undefined): Partial<Record<Target, string>> {
  const n = g === undefined ? 0 : Number(g);
  if (!Number.isInteger(n)) return {};
  return {
    postgres: `(regexp_match(${s}, '(' || ${p} || ')'))[${n + 1}]`,
    mysql: n === 0 ? `REGEXP_SUBSTR(${s}, ${p})` : `REGEXP_REPLACE(REGEXP_SUBSTR(${s}, ${p}), ${p}, '\\\\${n}')`,
  };
}

const unnestOrdered = (a: string, x: string): string => `unnest(${a}) WITH ORDINALITY AS _qf(${x}, _qf_i)`;

// MySQL has no arrays: Trino/PostgreSQL arrays become JSON arrays there, walked with JSON_TABLE.
// _qf_v is the element as text (MariaDB converts it for arithmetic), _qf_n as a number for
// ordering, and JSON_EXTRACT(.., '$[i]') the element with its JSON type for results.
const jsonElements = (a: string): string => `JSON_TABLE(${a}, '$[*]' COLUMNS (_qf_i FOR ORDINALITY, _qf_v LONGTEXT PATH '$', _qf_n DOUBLE PATH '$')) AS _qf`;
const jsonElement = (a: string): string => `JSON_EXTRACT(${a}, CONCAT('$[', _qf_i - 1, ']'))`;
/** Replace the lambda parameter by the element column (word boundaries, outside literals). */
function bindLambda(body: string, p: string, col: string): string {
  const masked = maskLiterals(body, true);
  let out = '';
  let last = 0;
  for (const m of masked.matchAll(new RegExp(`(?<![\\w.])${p}(?![\\w(])`, 'g'))) {
    out += body.slice(last, m.index) + col;
    last = m.index + m[0].length;
  }
  return out + body.slice(last);
}
const MYSQL_ARRAYS: FunctionTable = {
  cardinality: { mysql: ([a]) => `JSON_LENGTH(${a})` },
  element_at: { mysql: ([a, i]) => `JSON_EXTRACT(${a}, CONCAT('$[', ${i} - 1, ']'))` },
  contains: { mysql: ([a, x]) => `JSON_CONTAINS(${a}, JSON_ARRAY(${x}))` },
  array_position: { mysql: ([a, x]) => `COALESCE((SELECT MIN(_qf_i) FROM ${jsonElements(a!)} WHERE _qf_v = ${x}), 0)` },
  array_join: { mysql: ([a, sep]) => `(SELECT GROUP_CONCAT(_qf_v ORDER BY _qf_i SEPARATOR ${sep}) FROM ${jsonElements(a!)})` },
  transform: {
    mysql: ([a, f]) => {
      const l = lambda1(f);
      return a === undefined || l === undefined ? undefined : `(SELECT JSON_ARRAYAGG(${bindLambda(l.body, l.p, '_qf_v')} ORDER BY _qf_i) FROM ${jsonElements(a)})`;
    },
  },
  filter: {
    mysql: ([a, f]) => {
      const l = lambda1(f);
      return a === undefined || l === undefined ? undefined : `(SELECT JSON_ARRAYAGG(${jsonElement(a)} ORDER BY _qf_i) FROM ${jsonElements(a)} WHERE ${bindLambda(l.body, l.p, '_qf_v')})`;
    },
  },
  array_distinct: { mysql: ([a]) => `(SELECT JSON_ARRAYAGG(${jsonElement(a!)} ORDER BY _qf_i) FROM ${jsonElements(a!)} WHERE _qf_i = (SELECT MIN(_qf2._qf_i) FROM ${jsonElements(a!).replace('AS _qf', 'AS _qf2')} WHERE _qf2._qf_v <=> _qf._qf_v))` },
  array_sort: { mysql: ([a]) => `(SELECT JSON_ARRAYAGG(${jsonElement(a!)} ORDER BY _qf_v IS NULL, _qf_n, _qf_v) FROM ${jsonElements(a!)})` },
  array_max: { mysql: ([a]) => `(SELECT ${jsonElement(a!)} FROM ${jsonElements(a!)} ORDER BY _qf_n DESC, _qf_v DESC LIMIT 1)` },
  array_min: { mysql: ([a]) => `(SELECT ${jsonElement(a!)} FROM ${jsonElements(a!)} ORDER BY _qf_n, _qf_v LIMIT 1)` },
  slice: { mysql: ([a, s, n]) => `(SELECT JSON_ARRAYAGG(${jsonElement(a!)} ORDER BY _qf_i) FROM ${jsonElements(a!)} WHERE _qf_i BETWEEN ${s} AND ${s} + ${n} - 1)` },
  array_remove: { mysql: ([a, x]) => `(SELECT JSON_ARRAYAGG(${jsonElement(a!)} ORDER BY _qf_i) FROM ${jsonElements(a!)} WHERE NOT (_qf_v <=> ${x}))` },
  sequence: { mysql: ([a, b, st]) => (st === undefined && /^\d+$/.test(a ?? '') && /^\d+$/.test(b ?? '') ? `(SELECT JSON_ARRAYAGG(seq ORDER BY seq) FROM seq_${a}_to_${b})` : undefined) },
  cbrt: { mysql: ([x]) => `POW(${x}, 1e0 / 3)` },
};

// --- Trino (and Athena) source ---------------------------------------------------------------------
const TRINO: FunctionTable = {
  year: { postgres: ([x]) => `CAST(EXTRACT(YEAR FROM ${x}) AS BIGINT)` },
  month: { postgres: ([x]) => `CAST(EXTRACT(MONTH FROM ${x}) AS BIGINT)` },
  day: { postgres: ([x]) => `CAST(EXTRACT(DAY FROM ${x}) AS BIGINT)` },
  day_of_month: { postgres: ([x]) => `CAST(EXTRACT(DAY FROM ${x}) AS BIGINT)`, duckdb: ([x]) => `day(${x})`, mysql: ([x]) => `DAYOFMONTH(${x})` },
  hour: { postgres: ([x]) => `CAST(EXTRACT(HOUR FROM ${x}) AS BIGINT)` },
  minute: { postgres: ([x]) => `CAST(EXTRACT(MINUTE FROM ${x}) AS BIGINT)` },
  second: { postgres: ([x]) => `CAST(FLOOR(EXTRACT(SECOND FROM ${x})) AS BIGINT)` },
  quarter: { postgres: ([x]) => `CAST(EXTRACT(QUARTER FROM ${x}) AS BIGINT)` },
  week: { postgres: ([x]) => `CAST(EXTRACT(WEEK FROM ${x}) AS BIGINT)`, mysql: ([x]) => `WEEK(${x}, 3)` },
  week_of_year: { postgres: ([x]) => `CAST(EXTRACT(WEEK FROM ${x}) AS BIGINT)`, duckdb: ([x]) => `week(${x})`, mysql: ([x]) => `WEEK(${x}, 3)` },
  day_of_week: { postgres: ([x]) => `CAST(EXTRACT(ISODOW FROM ${x}) AS BIGINT)`, duckdb: ([x]) => `isodow(${x})`, mysql: ([x]) => `(WEEKDAY(${x}) + 1)` },
  dow: { postgres: ([x]) => `CAST(EXTRACT(ISODOW FROM ${x}) AS BIGINT)`, duckdb: ([x]) => `isodow(${x})`, mysql: ([x]) => `(WEEKDAY(${x}) + 1)` },
  day_of_year: { postgres: ([x]) => `CAST(EXTRACT(DOY FROM ${x}) AS BIGINT)`, duckdb: ([x]) => `dayofyear(${x})`, mysql: ([x]) => `DAYOFYEAR(${x})` },
  doy: { postgres: ([x]) => `CAST(EXTRACT(DOY FROM ${x}) AS BIGINT)`, duckdb: ([x]) => `dayofyear(${x})`, mysql: ([x]) => `DAYOFYEAR(${x})` },
  date_trunc: { mysql: ([u, x]) => (x === undefined ? undefined : MYSQL_TRUNC[unitArg(u) ?? '']?.(x)) },
  date_diff: perTarget(([u, a, b]) => (a === undefined || b === undefined ? {} : dateDiff(unitArg(u), a, b))),
  date_add: perTarget(([u, n, x]) => (n === undefined || x === undefined ? {} : dateAdd(unitArg(u), n, x))),
  last_day_of_month: { postgres: ([x]) => `CAST(date_trunc('month', ${x}) + INTERVAL '1 month' - INTERVAL '1 day' AS DATE)`, duckdb: ([x]) => `last_day(${x})`, mysql: ([x]) => `LAST_DAY(${x})` },
  date_format: perTarget(([x, f]) => (x === undefined ? {} : formatWith(x, lit(f)))),
  format_datetime: perTarget(([x, f]) => {
    const j = lit(f);
    return x === undefined || j === undefined ? {} : formatWith(x, patternToMysql(j, JODA));
  }),
  date_parse: perTarget(([s, f]) => (s === undefined ? {} : parseWith(s, lit(f), false))),
  to_unixtime: { duckdb: ([x]) => `epoch(${x})`, postgres: ([x]) => `EXTRACT(EPOCH FROM ${x})`, mysql: ([x]) => `UNIX_TIMESTAMP(${x})` },
  from_unixtime: { duckdb: ([x]) => `to_timestamp(${x})`, postgres: ([x]) => `to_timestamp(${x})`, mysql: ([x]) => `FROM_UNIXTIME(${x})` },
  bitwise_and: { duckdb: ([a, b]) => `(${a} & ${b})`, postgres: ([a, b]) => `(${a} & ${b})`, mysql: ([a, b]) => `(${a} & ${b})` },
  bitwise_or: { duckdb: ([a, b]) => `(${a} | ${b})`, postgres: ([a, b]) => `(${a} | ${b})`, mysql: ([a, b]) => `(${a} | ${b})` },
  bitwise_xor: { duckdb: ([a, b]) => `xor(${a}, ${b})`, postgres: ([a, b]) => `(${a} # ${b})`, mysql: ([a, b]) => `(${a} ^ ${b})` },
  truncate: { duckdb: ([x, n]) => (n === undefined ? `trunc(${x})` : undefined), postgres: ([x, n]) => `trunc(${x}${n === undefined ? '' : `, ${n}`})`, mysql: ([x, n]) => `TRUNCATE(${x}, ${n ?? 0})` },
  // Trino's concat is NULL if any argument is; DuckDB's and PostgreSQL's skip NULLs, || does not.
  concat: { duckdb: (a) => `(${a.join(' || ')})`, postgres: (a) => `(${a.join(' || ')})`, mysql: (a) => (a.some((x) => /^ARRAY\s*\[/i.test(x)) ? `JSON_MERGE_PRESERVE(${a.join(', ')})` : undefined) },
  length: { mysql: ([x]) => `CHAR_LENGTH(${x})` },
  codepoint: { duckdb: ([x]) => `unicode(${x})`, postgres: ([x]) => `ascii(${x})`, mysql: ([x]) => `ORD(${x})` },
  chr: { mysql: ([x]) => `CHAR(${x} USING utf8mb4)` },
  levenshtein_distance: { duckdb: ([a, b]) => `levenshtein(${a}, ${b})` },
  starts_with: { mysql: ([s, p]) => `(LEFT(${s}, CHAR_LENGTH(${p})) = BINARY ${p})` },
  split_part: { mysql: ([s, d, n]) => `SUBSTRING_INDEX(SUBSTRING_INDEX(${s}, ${d}, ${n}), ${d}, -1)` },
  split: { postgres: ([s, d]) => `string_to_array(${s}, ${d})` },
  regexp_like: { postgres: ([s, p]) => `(${s} ~ ${p})`, mysql: ([s, p]) => `(${s} REGEXP BINARY ${p})` },
  regexp_extract: perTarget(([s, p, g]) => (s === undefined || p === undefined ? {} : regexpExtract(s, p, g))),
  regexp_extract_all: { postgres: ([s, p]) => `ARRAY(SELECT (regexp_matches(${s}, '(' || ${p} || ')', 'g'))[1])` },
  regexp_replace: {
    postgres: ([s, p, r]) => `regexp_replace(${s}, ${p}, ${r === undefined ? "''" : r.replace(/\$(\d)/g, '\\$1')}, 'g')`,
    duckdb: ([s, p, r]) => `regexp_replace(${s}, ${p}, ${r === undefined ? "''" : r.replace(/\$(\d)/g, '\\$1')}, 'g')`,
    mysql: ([s, p, r]) => `REGEXP_REPLACE(${s}, ${p}, ${r === undefined ? "''" : r.replace(/\$(\d)/g, '\\\\$1')})`,
  },
  regexp_count: { duckdb: ([s, p]) => `len(regexp_extract_all(${s}, ${p}))` },
  json_extract_scalar: { postgres: ([j, p]) => `(jsonb_path_query_first(CAST(${j} AS JSONB), CAST(${p} AS JSONPATH)) #>> '{}')`, mysql: ([j, p]) => `JSON_VALUE(${j}, ${p})` },
  json_extract: { postgres: ([j, p]) => `jsonb_path_query_first(CAST(${j} AS JSONB), CAST(${p} AS JSONPATH))`, mysql: ([j, p]) => `JSON_EXTRACT(${j}, ${p})` },
  json_array_length: { mysql: ([j]) => `JSON_LENGTH(${j})` },
  json_parse: { duckdb: ([x]) => `json(${x})`, postgres: ([x]) => `CAST(${x} AS JSONB)`, mysql: ([x]) => `JSON_COMPACT(${x})` },
  json_format: { duckdb: ([x]) => `CAST(${x} AS VARCHAR)`, postgres: ([x]) => `CAST(${x} AS TEXT)`, mysql: ([x]) => `${x}` },
  json_array_contains: { duckdb: ([j, v]) => `json_contains(${j}, to_json(${v}))`, postgres: ([j, v]) => `(CAST(${j} AS JSONB) @> to_jsonb(${v}))`, mysql: ([j, v]) => `JSON_CONTAINS(${j}, JSON_ARRAY(${v}))` },
  is_json_scalar: { duckdb: ([j]) => `(json_type(${j}) NOT IN ('OBJECT', 'ARRAY'))`, postgres: ([j]) => `(jsonb_typeof(CAST(${j} AS JSONB)) NOT IN ('object', 'array'))`, mysql: ([j]) => `(JSON_TYPE(${j}) NOT IN ('OBJECT', 'ARRAY'))` },
  element_at: { duckdb: ([a, i]) => `(${a})[${i}]`, postgres: ([a, i]) => `(${a})[${i}]` },
  cardinality: { duckdb: ([a]) => `len(${a})`, postgres: ([a]) => `cardinality(${a})` },
  contains: { postgres: ([a, x]) => `(${x} = ANY(${a}))` },
  array_join: { duckdb: ([a, s]) => `array_to_string(${a}, ${s})`, postgres: ([a, s]) => `array_to_string(${a}, ${s})` },
  transform: {
    duckdb: ([a, f]) => (lambda1(f) === undefined ? undefined : `list_transform(${a}, ${f})`),
    postgres: ([a, f]) => {
      const l = lambda1(f);
      return a === undefined || l === undefined ? undefined : `ARRAY(SELECT ${l.body} FROM ${unnestOrdered(a, l.p)} ORDER BY _qf_i)`;
    },
  },
  filter: {
    postgres: ([a, f]) => {
      const l = lambda1(f);
      return a === undefined || l === undefined ? undefined : `ARRAY(SELECT ${l.p} FROM ${unnestOrdered(a, l.p)} WHERE ${l.body} ORDER BY _qf_i)`;
    },
  },
  array_distinct: { duckdb: ([a]) => `list_filter(${a}, (_qf_x, _qf_i) -> list_position(${a}, _qf_x) = _qf_i)`, postgres: ([a]) => `ARRAY(SELECT _qf_x FROM ${unnestOrdered(a!, '_qf_x')} GROUP BY _qf_x ORDER BY min(_qf_i))` },
  array_sort: { duckdb: ([a]) => `list_sort(${a}, 'ASC', 'NULLS LAST')`, postgres: ([a]) => `ARRAY(SELECT _qf_x FROM unnest(${a}) AS _qf(_qf_x) ORDER BY _qf_x)` },
  array_max: { duckdb: ([a]) => `list_max(${a})`, postgres: ([a]) => `(SELECT max(_qf_x) FROM unnest(${a}) AS _qf(_qf_x))` },
  array_min: { duckdb: ([a]) => `list_min(${a})`, postgres: ([a]) => `(SELECT min(_qf_x) FROM unnest(${a}) AS _qf(_qf_x))` },
  sequence: { duckdb: ([a, b, s]) => `generate_series(${a}, ${b}${s === undefined ? '' : `, ${s}`})`, postgres: ([a, b, s]) => `ARRAY(SELECT generate_series(${a}, ${b}${s === undefined ? '' : `, ${s}`}))` },
  slice: { duckdb: ([a, s, n]) => `(${a})[${s}:${s} + ${n} - 1]`, postgres: ([a, s, n]) => `(${a})[${s}:${s} + ${n} - 1]` },
  array_remove: { duckdb: ([a, x]) => `list_filter(${a}, _qf_x -> _qf_x <> ${x})` },
  reduce: {
    // Only with the identity output function (s -> s), the common case.
    duckdb: ([a, init, f, g]) => {
      const out = lambda1(g);
      return out !== undefined && out.body.trim() === out.p ? `list_reduce(list_prepend(${init}, ${a}), ${f})` : undefined;
    },
  },
  if: { postgres: ([c, a, b]) => `CASE WHEN ${c} THEN ${a} ELSE ${b ?? 'NULL'} END` },
  count_if: { mysql: ([c]) => `COUNT(CASE WHEN ${c} THEN 1 END)`, postgres: ([c]) => `COUNT(CASE WHEN ${c} THEN 1 END)` },
  arbitrary: { postgres: ([x]) => `min(${x})`, mysql: ([x]) => `MIN(${x})` },
  any_value: { postgres: ([x]) => `min(${x})`, mysql: ([x]) => `MIN(${x})` },
  max_by: { postgres: ([x, y]) => `(array_agg(${x} ORDER BY ${y} DESC NULLS LAST))[1]` },
  min_by: { postgres: ([x, y]) => `(array_agg(${x} ORDER BY ${y} ASC NULLS LAST))[1]` },
  approx_percentile: { duckdb: ([x, p]) => `quantile_disc(${x}, ${p})`, postgres: ([x, p]) => `percentile_disc(${p}) WITHIN GROUP (ORDER BY ${x})` },
  approx_distinct: { postgres: ([x]) => `count(DISTINCT ${x})`, mysql: ([x]) => `COUNT(DISTINCT ${x})` },
  bool_and: { mysql: ([x]) => `MIN(${x})` },
  bool_or: { mysql: ([x]) => `MAX(${x})` },
  every: { duckdb: ([x]) => `bool_and(${x})`, mysql: ([x]) => `MIN(${x})` },
  stddev_samp: { mysql: ([x]) => `STDDEV_SAMP(CAST(${x} AS DOUBLE))` },
  stddev: { mysql: ([x]) => `STDDEV_SAMP(CAST(${x} AS DOUBLE))` },
  var_pop: { mysql: ([x]) => `VAR_POP(CAST(${x} AS DOUBLE))` },
  var_samp: { mysql: ([x]) => `VAR_SAMP(CAST(${x} AS DOUBLE))` },
  variance: { mysql: ([x]) => `VAR_SAMP(CAST(${x} AS DOUBLE))` },
};

// --- PostgreSQL source ------------------------------------------------------------------------------
const PG_EXTRACT: Record<string, Partial<Record<Target, (x: string) => string>>> = {
  dow: { mysql: (x) => `(DAYOFWEEK(${x}) - 1)` },
  isodow: { mysql: (x) => `(WEEKDAY(${x}) + 1)` },
  epoch: { mysql: (x) => `UNIX_TIMESTAMP(${x})` },
  doy: { mysql: (x) => `DAYOFYEAR(${x})` },
};

const POSTGRES: FunctionTable = {
  extract_dow: { mysql: ([x]) => PG_EXTRACT.dow!.mysql!(x!) },
  extract_isodow: { mysql: ([x]) => PG_EXTRACT.isodow!.mysql!(x!) },
  extract_epoch: { mysql: ([x]) => PG_EXTRACT.epoch!.mysql!(x!) },
  extract_doy: { mysql: ([x]) => PG_EXTRACT.doy!.mysql!(x!) },
  date_trunc: { mysql: ([u, x]) => (x === undefined ? undefined : MYSQL_TRUNC[unitArg(u) ?? '']?.(x)) },
  stddev_samp: { mysql: ([x]) => `STDDEV_SAMP(CAST(${x} AS DOUBLE))` },
  stddev: { mysql: ([x]) => `STDDEV_SAMP(CAST(${x} AS DOUBLE))` },
  var_pop: { mysql: ([x]) => `VAR_POP(CAST(${x} AS DOUBLE))` },
  var_samp: { mysql: ([x]) => `VAR_SAMP(CAST(${x} AS DOUBLE))` },
  variance: { mysql: ([x]) => `VAR_SAMP(CAST(${x} AS DOUBLE))` },
  date_part: {
    mysql: ([f, x]) => {
      const u = lit(f)?.toLowerCase();
      if (u === undefined || x === undefined) return undefined;
      return PG_EXTRACT[u]?.mysql?.(x) ?? (['year', 'month', 'day', 'hour', 'minute', 'second', 'quarter', 'week'].includes(u) ? `EXTRACT(${u.toUpperCase()} FROM ${x})` : undefined);
    },
  },
  to_char: perTarget(([x, f]) => {
    const p = lit(f);
    return x === undefined || p === undefined ? {} : formatWith(x, patternToMysql(p, PG_PATTERNS));
  }),
  to_date: perTarget(([s, f]) => {
    const p = lit(f);
    return s === undefined || p === undefined ? {} : parseWith(s, patternToMysql(p, PG_PATTERNS), true);
  }),
  make_date: { mysql: ([y, m, d]) => `STR_TO_DATE(CONCAT_WS('-', ${y}, ${m}, ${d}), '%Y-%c-%e')` },
  // PostgreSQL's concat skips NULLs; MySQL's returns NULL. CONCAT_WS skips them.
  concat: { mysql: (a) => `CONCAT_WS('', ${a.join(', ')})` },
  length: { mysql: ([x]) => `CHAR_LENGTH(${x})` },
  char_length: { mysql: ([x]) => `CHAR_LENGTH(${x})` },
  octet_length: { duckdb: ([x]) => `strlen(${x})` },
  regexp_match_n: { duckdb: ([s, p, n]) => `regexp_extract(${s}, ${p}, ${n})`, mysql: ([s, p, n]) => regexpExtract(s!, p!, n).mysql },
  split_part: { mysql: ([s, d, n]) => `SUBSTRING_INDEX(SUBSTRING_INDEX(${s}, ${d}, ${n}), ${d}, -1)` },
  jsonb_build_object: { duckdb: (a) => `json_object(${a.join(', ')})`, mysql: (a) => `JSON_OBJECT(${a.join(', ')})` },
  json_build_object: { duckdb: (a) => `json_object(${a.join(', ')})`, mysql: (a) => `JSON_OBJECT(${a.join(', ')})` },
  json_array_length: { mysql: ([j]) => `JSON_LENGTH(${j})` },
  jsonb_array_length: { mysql: ([j]) => `JSON_LENGTH(${j})` },
  every: { duckdb: ([x]) => `bool_and(${x})`, mysql: ([x]) => `MIN(${x})` },
  bool_and: { mysql: ([x]) => `MIN(${x})` },
  bool_or: { mysql: ([x]) => `MAX(${x})` },
  regexp_replace: {
    // PostgreSQL replaces the first match unless flagged 'g'; MariaDB always replaces every match,
    // so a first-match replacement anchors the pattern after a lazy prefix kept as \1.
    mysql: ([s, p, r, flags]) => {
      if (flags !== undefined) return lit(flags) === 'g' ? `REGEXP_REPLACE(${s}, ${p}, ${r})` : undefined;
      return r !== undefined && !r.includes('\\') ? `REGEXP_REPLACE(${s}, CONCAT('(?s)^(.*?)', ${p}), CONCAT('\\\\1', ${r}))` : undefined;
    },
  },
  json_text: { mysql: ([x]) => `JSON_UNQUOTE(${x})` },
  json_get: { mysql: ([j, p]) => `JSON_EXTRACT(${j}, ${p})` },
  array_length: { mysql: ([a, d]) => (d === undefined || d.trim() === '1' ? `JSON_LENGTH(${a})` : undefined) },
  greatest: { mysql: (a) => `GREATEST(${a.map((x, i) => `COALESCE(${[x, ...a.filter((_, j) => j !== i)].join(', ')})`).join(', ')})` },
  least: { mysql: (a) => `LEAST(${a.map((x, i) => `COALESCE(${[x, ...a.filter((_, j) => j !== i)].join(', ')})`).join(', ')})` },
};

// --- MySQL source -------------------------------------------------------------------------------------
const MYSQL: FunctionTable = {
  date_format: { duckdb: ([x, f]) => (x === undefined ? undefined : formatWith(`CAST(${x} AS TIMESTAMP)`, lit(f)).duckdb), postgres: ([x, f]) => (x === undefined ? undefined : formatWith(`CAST(${x} AS TIMESTAMP)`, lit(f)).postgres) },
  str_to_date: { duckdb: ([s, f]) => (s === undefined ? undefined : parseWith(s, lit(f), !/%[HhIiksSTfp]/.test(lit(f) ?? '')).duckdb), postgres: ([s, f]) => (s === undefined ? undefined : parseWith(s, lit(f), !/%[HhIiksSTfp]/.test(lit(f) ?? '')).postgres) },
  datediff: { duckdb: ([a, b]) => `date_diff('day', CAST(${b} AS DATE), CAST(${a} AS DATE))`, postgres: ([a, b]) => `(CAST(${a} AS DATE) - CAST(${b} AS DATE))` },
  timestampdiff: perTarget(([u, a, b]) => (a === undefined || b === undefined ? {} : dateDiff(/^\w+$/.test(u ?? '') ? u!.toLowerCase() : undefined, `CAST(${a} AS TIMESTAMP)`, `CAST(${b} AS TIMESTAMP)`))),
  dayofweek: { duckdb: ([x]) => `(dayofweek(CAST(${x} AS DATE)) + 1)`, postgres: ([x]) => `CAST(EXTRACT(DOW FROM CAST(${x} AS DATE)) + 1 AS INTEGER)` },
  weekday: { duckdb: ([x]) => `(isodow(CAST(${x} AS DATE)) - 1)`, postgres: ([x]) => `CAST(EXTRACT(ISODOW FROM CAST(${x} AS DATE)) - 1 AS INTEGER)` },
  dayofyear: { duckdb: ([x]) => `dayofyear(CAST(${x} AS DATE))`, postgres: ([x]) => `CAST(EXTRACT(DOY FROM CAST(${x} AS DATE)) AS INTEGER)` },
  last_day: { duckdb: ([x]) => `last_day(CAST(${x} AS DATE))`, postgres: ([x]) => `CAST(date_trunc('month', CAST(${x} AS DATE)) + INTERVAL '1 month' - INTERVAL '1 day' AS DATE)` },
  unix_timestamp: { duckdb: ([x]) => `epoch(CAST(${x} AS TIMESTAMP))`, postgres: ([x]) => `EXTRACT(EPOCH FROM CAST(${x} AS TIMESTAMP))` },
  from_unixtime: { duckdb: ([x]) => `CAST(to_timestamp(${x}) AS TIMESTAMP)`, postgres: ([x]) => `CAST(to_timestamp(${x}) AT TIME ZONE 'UTC' AS TIMESTAMP)` },
  quarter: { duckdb: ([x]) => `quarter(CAST(${x} AS DATE))`, postgres: ([x]) => `CAST(EXTRACT(QUARTER FROM CAST(${x} AS DATE)) AS INTEGER)` },
  makedate: { duckdb: ([y, d]) => `CAST(make_date(${y}, 1, 1) + (${d} - 1) * INTERVAL 1 DAY AS DATE)`, postgres: ([y, d]) => `CAST(make_date(${y}, 1, 1) + (${d} - 1) * INTERVAL '1 day' AS DATE)` },
  year: { postgres: ([x]) => `CAST(EXTRACT(YEAR FROM ${x}) AS INTEGER)` },
  month: { postgres: ([x]) => `CAST(EXTRACT(MONTH FROM ${x}) AS INTEGER)` },
  day: { postgres: ([x]) => `CAST(EXTRACT(DAY FROM ${x}) AS INTEGER)` },
  hour: { postgres: ([x]) => `CAST(EXTRACT(HOUR FROM ${x}) AS INTEGER)` },
  minute: { postgres: ([x]) => `CAST(EXTRACT(MINUTE FROM ${x}) AS INTEGER)` },
  second: { postgres: ([x]) => `CAST(FLOOR(EXTRACT(SECOND FROM ${x})) AS INTEGER)` },
  locate: { duckdb: ([n, h]) => `strpos(${h}, ${n})`, postgres: ([n, h]) => `strpos(${h}, ${n})` },
  instr: { duckdb: ([h, n]) => `strpos(${h}, ${n})`, postgres: ([h, n]) => `strpos(${h}, ${n})` },
  mid: { duckdb: ([s, p, n]) => `substring(${s}, ${p}, ${n})`, postgres: ([s, p, n]) => `substring(${s}, ${p}, ${n})` },
  substring_index: {
    duckdb: ([s, d, n]) => (/^-?\d+$/.test(n ?? '') ? `array_to_string(${Number(n) >= 0 ? `(string_split(${s}, ${d}))[1:${n}]` : `(string_split(${s}, ${d}))[${n}:]`}, ${d})` : undefined),
    postgres: ([s, d, n]) => (/^\d+$/.test(n ?? '') ? `array_to_string((string_to_array(${s}, ${d}))[1:${n}], ${d})` : undefined),
  },
  length: { duckdb: ([x]) => `strlen(${x})`, postgres: ([x]) => `octet_length(${x})` },
  concat: { duckdb: (a) => `(${a.join(' || ')})`, postgres: (a) => `(${a.join(' || ')})` },
  regexp_replace: { duckdb: ([s, p, r]) => `regexp_replace(${s}, ${p}, ${r}, 'g')`, postgres: ([s, p, r]) => `regexp_replace(${s}, ${p}, ${r}, 'g')` },
  regexp_substr: { duckdb: ([s, p]) => `regexp_extract(${s}, ${p})`, postgres: ([s, p]) => `substring(${s} from ${p})` },
  json_extract: { duckdb: ([j, p]) => `json_extract(${j}, ${p})`, postgres: ([j, p]) => `jsonb_path_query_first(CAST(${j} AS JSONB), CAST(${p} AS JSONPATH))` },
  json_unquote: { duckdb: ([j]) => `(CAST(${j} AS JSON) ->> '$')`, postgres: ([j]) => `(CAST(${j} AS JSONB) #>> '{}')` },
  json_value: { duckdb: ([j, p]) => `(${j} ->> ${p})`, postgres: ([j, p]) => `(jsonb_path_query_first(CAST(${j} AS JSONB), CAST(${p} AS JSONPATH)) #>> '{}')` },
  json_length: { duckdb: ([j]) => `json_array_length(${j})`, postgres: ([j]) => `jsonb_array_length(CAST(${j} AS JSONB))` },
  json_object: { duckdb: (a) => `json_object(${a.join(', ')})`, postgres: (a) => `jsonb_build_object(${a.join(', ')})` },
  json_contains: { duckdb: ([j, v]) => `json_contains(${j}, ${v})`, postgres: ([j, v]) => `(CAST(${j} AS JSONB) @> CAST(${v} AS JSONB))` },
  truncate: { duckdb: ([x, n]) => `trunc(${x}, ${n})`, postgres: ([x, n]) => `trunc(${x}, ${n})` },
  pow: { duckdb: ([a, b]) => `pow(${a}, ${b})`, postgres: ([a, b]) => `power(${a}, ${b})` },
  hex: { duckdb: ([x]) => `upper(to_hex(${x}))`, postgres: ([x]) => `upper(to_hex(${x}))` },
  char: { duckdb: ([x]) => `chr(${x})`, postgres: ([x]) => `chr(${x})` },
  ascii: {},
  field: { duckdb: ([x, ...a]) => `coalesce(list_position([${a.join(', ')}], ${x}), 0)`, postgres: ([x, ...a]) => `coalesce(array_position(ARRAY[${a.join(', ')}], ${x}), 0)` },
  elt: { duckdb: ([n, ...a]) => `([${a.join(', ')}])[${n}]`, postgres: ([n, ...a]) => `(ARRAY[${a.join(', ')}])[${n}]` },
  bit_and: { postgres: ([x]) => `bit_and(${x})` },
  ifnull: { duckdb: ([a, b]) => `coalesce(${a}, ${b})`, postgres: ([a, b]) => `coalesce(${a}, ${b})` },
  if: { postgres: ([c, a, b]) => `CASE WHEN ${c} THEN ${a} ELSE ${b} END` },
  time: { duckdb: ([x]) => `CAST(${x} AS TIME)`, postgres: ([x]) => `CAST(${x} AS TIME)` },
  date: { duckdb: ([x]) => `CAST(${x} AS DATE)`, postgres: ([x]) => `CAST(${x} AS DATE)` },
  date_add: { duckdb: ([x, iv]) => `(${mysqlTemporal(x!)} + ${iv})`, postgres: ([x, iv]) => `(${mysqlTemporal(x!)} + ${iv})` },
  date_sub: { duckdb: ([x, iv]) => `(${mysqlTemporal(x!)} - ${iv})`, postgres: ([x, iv]) => `(${mysqlTemporal(x!)} - ${iv})` },
};

/** A MySQL string literal used as a date or datetime, cast explicitly (other engines do not convert). */
function mysqlTemporal(x: string): string {
  const v = lit(x);
  if (v === undefined) return x;
  return /\d:\d/.test(v) ? `CAST(${x} AS TIMESTAMP)` : `CAST(${x} AS DATE)`;
}

/** Merge per-target templates of several tables (later ones add targets, never replace). */
function merge(...tables: FunctionTable[]): FunctionTable {
  const out: FunctionTable = {};
  for (const t of tables) for (const [k, v] of Object.entries(t)) out[k] = { ...v, ...out[k] };
  return out;
}
const TRINO_ALL = merge(TRINO, MYSQL_ARRAYS);
const PG_ALL = merge(POSTGRES, { cardinality: MYSQL_ARRAYS.cardinality!, array_position: MYSQL_ARRAYS.array_position!, cbrt: MYSQL_ARRAYS.cbrt!, array_to_string: MYSQL_ARRAYS.array_join! });
const TABLES: Partial<Record<Dialect, FunctionTable>> = { trino: TRINO_ALL, athena: TRINO_ALL, postgres: PG_ALL, mysql: MYSQL, starrocks: MYSQL };

/** Pre-rewrite: calls of table functions that have a template for `target` → markers. */
function markFunctions(table: FunctionTable, target: Target, backslash: boolean): ((sql: string) => string) | undefined {
  const names = Object.keys(table).filter((n) => table[n]![target] !== undefined);
  if (names.length === 0) return undefined;
  const re = new RegExp(names.sort((a, b) => b.length - a.length).join('|'));
  // `agg(x) FILTER (WHERE ...)` is a clause, not a call of the array function filter().
  return (sql) => rewriteCalls(sql, re, (c) => (/^WHERE\b/i.test(c.args[0] ?? '') ? undefined : `${MARK}${c.name.toUpperCase()}(${c.args.join(', ')})`), backslash);
}

/** Post-rewrite: markers → target expressions (a template that declines restores the call). */
function expandMarkers(table: FunctionTable, target: Target): (sql: string) => string {
  const re = new RegExp(`${MARK}\\w+`);
  return (sql) =>
    rewriteCalls(sql, re, (c) => {
      const name = c.name.slice(MARK.length);
      return table[name]?.[target]?.(c.args) ?? `${name}(${c.args.join(', ')})`;
    }, target === 'mysql');
}

// --- NULL ordering -------------------------------------------------------------------------------------
type NullOrder = { asc: 'first' | 'last'; desc: 'first' | 'last' };
const NULL_ORDER: Partial<Record<Dialect, NullOrder>> = {
  trino: { asc: 'last', desc: 'last' },
  athena: { asc: 'last', desc: 'last' },
  duckdb: { asc: 'last', desc: 'last' },
  postgres: { asc: 'last', desc: 'first' },
  mysql: { asc: 'first', desc: 'last' },
  starrocks: { asc: 'first', desc: 'last' },
};

const CLAUSE_END = /^(LIMIT|OFFSET|FETCH|ROWS|RANGE|GROUPS|UNION|EXCEPT|INTERSECT|WINDOW|FOR|SEPARATOR)\b/i;

/**
 * Make every ORDER BY item's NULL placement explicit where source and target defaults differ.
 * MySQL has no NULLS FIRST/LAST: there `x IS NULL` (or IS NOT NULL) is prepended as a sort key.
 */
function fixNullOrdering(from: Dialect, to: Dialect): ((sql: string) => string) | undefined {
  const src = NULL_ORDER[from];
  const dst = NULL_ORDER[to];
  if (src === undefined || dst === undefined || (src.asc === dst.asc && src.desc === dst.desc)) return undefined;
  // polyglot itself spells out MySQL's NULL placement (NULLS FIRST) for other targets.
  if (from === 'mysql' || from === 'starrocks') return undefined;
  // Rewrites the source text; MySQL targets have no NULLS FIRST/LAST (an IS NULL key instead).
  const mysqlTarget = to === 'mysql' || to === 'starrocks';
  return (sql) => {
    const masked = maskLiterals(sql);
    const edits: { start: number; end: number; text: string }[] = [];
    for (const m of masked.matchAll(/\bORDER\s+BY\s+/gi)) {
      let i = m.index + m[0].length;
      let depth = 0;
      let itemStart = i;
      const items: [number, number][] = [];
      for (; i <= masked.length; i++) {
        const c = masked[i];
        if (i === masked.length || c === ';' || (depth === 0 && c === ')') || (depth === 0 && /\s/.test(masked[i - 1] ?? '') && CLAUSE_END.test(masked.slice(i, i + 10)))) {
          items.push([itemStart, i]);
          break;
        }
        if (c === '(') depth++;
        else if (c === ')') depth--;
        else if (c === ',' && depth === 0) {
          items.push([itemStart, i]);
          itemStart = i + 1;
        }
      }
      for (const [s, e] of items) {
        const text = sql.slice(s, e);
        const trimmed = text.trimEnd();
        if (/\bNULLS\s+(FIRST|LAST)\s*$/i.test(trimmed)) {
          if (!mysqlTarget) continue;
          const mm = /^([\s\S]*?)(\s+(?:ASC|DESC))?\s+NULLS\s+(FIRST|LAST)\s*$/i.exec(trimmed)!;
          const expr = mm[1]!.trim();
          const key = /^\d+$/.test(expr) ? selectItemName(sql, masked, m.index, Number(expr)) : expr;
          if (key === undefined) continue; // an ordinal naming an expression: cannot be repeated
          const want = mm[3]!.toLowerCase();
          edits.push({ start: s, end: s + trimmed.length, text: ` ${key} IS ${want === 'last' ? '' : 'NOT '}NULL, ${expr}${mm[2] ?? ''}` });
          continue;
        }
        const desc = /\sDESC\s*$/i.test(trimmed);
        const want = desc ? src.desc : src.asc;
        const have = desc ? dst.desc : dst.asc;
        if (want === have) continue;
        const expr = trimmed.replace(/\s+(ASC|DESC)\s*$/i, '').trim();
        if (mysqlTarget) {
          const key = /^\d+$/.test(expr) ? selectItemName(sql, masked, m.index, Number(expr)) : expr;
          if (key === undefined) continue;
          edits.push({ start: s, end: s + trimmed.length, text: ` ${key} IS ${want === 'last' ? '' : 'NOT '}NULL, ${trimmed.trim()}` });
        } else edits.push({ start: s + trimmed.length, end: s + trimmed.length, text: ` NULLS ${want.toUpperCase()}` });
      }
    }
    let out = sql;
    for (const ed of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, ed.start) + ed.text + out.slice(ed.end);
    return out;
  };
}

/**
 * The column an ORDER BY ordinal refers to, when the top-level select item is a plain column or
 * has an alias (so `x IS NULL` can be written); undefined otherwise.
 */
function selectItemName(sql: string, masked: string, orderAt: number, n: number): string | undefined {
  let depth = 0;
  let select = -1;
  let from = -1;
  for (let i = 0; i < orderAt; i++) {
    const c = masked[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0 && select < 0 && /^SELECT\b/i.test(masked.slice(i, i + 7)) && !/\w/.test(masked[i - 1] ?? ' ')) select = i + 6;
    else if (depth === 0 && select >= 0 && from < 0 && /^FROM\b/i.test(masked.slice(i, i + 5)) && !/\w/.test(masked[i - 1] ?? ' ')) from = i;
  }
  if (select < 0 || from < 0) return undefined;
  const items = splitArgs(sql, masked, select - 1, from).map((x) => x.replace(/^DISTINCT\s+/i, ''));
  const item = items[n - 1];
  if (item === undefined) return undefined;
  const alias = /\s+AS\s+([A-Za-z_]\w*)\s*$/i.exec(item);
  if (alias) return alias[1];
  return /^[A-Za-z_][\w.]*$/.test(item) ? item : undefined;
}

// --- other rewrites -----------------------------------------------------------------------------------

/** Integer literal / integer literal truncates in Trino and PostgreSQL; not in DuckDB or MySQL. */
function integerDivision(to: Target): (sql: string) => string {
  const op = to === 'duckdb' ? '//' : 'DIV';
  return (sql) => {
    const masked = maskLiterals(sql, to === 'mysql');
    let out = '';
    let last = 0;
    for (const m of masked.matchAll(/(?<![\w.'"$?])(-?\d+)\s*\/\s*(\d+)(?![\w.])/g)) {
      out += `${sql.slice(last, m.index)}${m[1]} ${op} ${m[2]}`;
      last = m.index + m[0].length;
    }
    return out + sql.slice(last);
  };
}

/** CAST(x AS VARCHAR(n)) truncates elsewhere; DuckDB ignores the length. */
function duckdbVarcharLength(sql: string): string {
  return rewriteCalls(sql, /cast/, (c) => {
    const m = /^([\s\S]+?)\s+AS\s+(?:TEXT|VARCHAR|CHAR)\s*\(\s*(\d+)\s*\)$/i.exec(c.args.join(', '));
    return m ? `LEFT(CAST(${m[1]} AS VARCHAR), ${m[2]})` : undefined;
  });
}

/** MariaDB spellings polyglot gets wrong: DOUBLE PRECISION casts, one-argument TRUNCATE, REGEXP_LIKE. */
function mariadbSpellings(sql: string): string {
  let out = sql.replace(/\bAS\s+DOUBLE\s+PRECISION\b/gi, 'AS DOUBLE');
  out = rewriteCalls(out, /truncate/, (c) => (c.args.length === 1 ? `TRUNCATE(${c.args[0]}, 0)` : undefined), true);
  out = rewriteCalls(out, /regexp_like/, (c) => (c.args.length === 2 ? `(${c.args[0]} REGEXP BINARY ${c.args[1]})` : undefined), true);
  return out;
}

/** LAG/LEAD(x, n, default) OVER (..) → COALESCE(LAG(x, n) OVER (..), default): MariaDB has no default. */
function mysqlLagDefault(sql: string): string {
  let out = sql;
  for (let guard = 0; guard < 20; guard++) {
    const masked = maskLiterals(out, true);
    const call = findCalls(out, /lag|lead/, true).find((c) => c.args.length === 3 && /^\s*OVER\s*\(/i.test(masked.slice(c.close + 1)));
    if (call === undefined) return out;
    const overOpen = masked.indexOf('(', call.close + 1);
    const overClose = matchParen(masked, overOpen);
    if (overClose < 0) return out;
    const [x, n, d] = call.args;
    out = `${out.slice(0, call.start)}COALESCE(${call.name.toUpperCase()}(${x}, ${n}) ${out.slice(call.close + 1, overClose + 1).trim()}, ${d})${out.slice(overClose + 1)}`;
  }
  return out;
}

/** MySQL-only spellings on other targets: CAST AS SIGNED/UNSIGNED, GROUP BY ... WITH ROLLUP. */
function fromMysqlSpellings(sql: string): string {
  let out = sql.replace(/\bAS\s+(?:SIGNED|UNSIGNED)(?:\s+INTEGER)?\b/gi, 'AS BIGINT');
  out = out.replace(/\bGROUP\s+BY\s+([\w.,\s]+?)\s+WITH\s+ROLLUP\b/gi, (_m, cols: string) => `GROUP BY ROLLUP (${cols.trim()})`);
  return out;
}

/** MySQL compares strings case-insensitively (default collation): `col = 'x'` → lower(col) = lower('x'). */
function caseInsensitiveLiterals(sql: string): string {
  const LIT = String.raw`'(?:[^'\\]|''|\\.)*'`;
  return sql
    .replace(new RegExp(`(${LIT})\\s*(=|<>|!=)\\s*(${LIT})`, 'g'), 'lower($1) $2 lower($3)')
    .replace(new RegExp(`(${LIT}|[A-Za-z_][\\w.]*)\\s+(NOT\\s+)?IN\\s*\\(\\s*(${LIT}(?:\\s*,\\s*${LIT})*)\\s*\\)`, 'gi'), (m, col: string, not: string | undefined, list: string) =>
      /^(?:AND|OR|WHERE|ON)$/i.test(col) ? m : `lower(${col}) ${not ?? ''}IN (${[...list.matchAll(new RegExp(LIT, 'g'))].map((x) => `lower(${x[0]})`).join(', ')})`,
    )
    .replace(/([A-Za-z_][\w.]*)\s*(=|<>|!=)\s*('(?:[^'\\]|''|\\.)*')/g, (m, col: string, op: string, lit: string) => (/^(?:AND|OR|NOT|WHERE|ON|SELECT|CASE|WHEN|THEN|ELSE)$/i.test(col) ? m : `lower(${col}) ${op} lower(${lit})`))
    .replace(/([A-Za-z_][\w.]*)\s+(NOT\s+)?LIKE\s+('(?:[^'\\]|''|\\.)*')/gi, (m, col: string, not: string | undefined, lit: string) => (/^(?:AND|OR|WHERE|ON)$/i.test(col) ? m : `lower(${col}) ${not ?? ''}LIKE lower(${lit})`));
}

/** PostgreSQL extract(dow|isodow|epoch|doy FROM x) → a marker MySQL can expand. */
function pgExtractMarkers(sql: string): string {
  return rewriteCalls(sql, /extract/, (c) => {
    const m = /^(dow|isodow|epoch|doy)\s+FROM\s+([\s\S]+)$/i.exec(c.args.join(', '));
    return m ? `${MARK}EXTRACT_${m[1]!.toUpperCase()}(${m[2]})` : undefined;
  });
}

/** Trino listagg(x, sep) WITHIN GROUP (ORDER BY o) → array_join(array_agg(x ORDER BY o), sep). */
function trinoListagg(sql: string): string {
  const masked = maskLiterals(sql);
  const m = /\blistagg\s*\(/i.exec(masked);
  if (!m) return sql;
  const open = m.index + m[0].length - 1;
  const close = matchParen(masked, open);
  const w = /^\s*WITHIN\s+GROUP\s*\(\s*ORDER\s+BY\b/i.exec(masked.slice(close + 1));
  if (close < 0 || !w) return sql;
  const gOpen = masked.indexOf('(', close + 1);
  const gClose = matchParen(masked, gOpen);
  const [x, sep] = splitArgs(sql, masked, open, close);
  if (gClose < 0 || x === undefined) return sql;
  const order = sql.slice(close + 1 + w[0].length, gClose).trim();
  const replaced = `array_join(array_agg(${x} ORDER BY ${order}), ${sep ?? "''"})`;
  return trinoListagg(sql.slice(0, m.index) + replaced + sql.slice(gClose + 1));
}


/** PostgreSQL (regexp_match(s, p))[n] → a marker (DuckDB: regexp_extract(s, p, n)). */
function pgRegexpMatchIndex(sql: string): string {
  return sql.replace(/\(\s*regexp_match\s*\(((?:[^()']|'(?:[^']|'')*')*)\)\s*\)\s*\[\s*(\d+)\s*\]/gi, (_m, args: string, n: string) => `${MARK}REGEXP_MATCH_N(${args}, ${n})`);
}

/** MySQL implicit conversions the other engines refuse: '5' + 3, TRUE + TRUE, CONVERT(x, type). */
function mysqlImplicit(sql: string): string {
  let out = sql.replace(/'(-?\d+(?:\.\d+)?)'\s*([-+*/])(?!\*)/g, "CAST('$1' AS DOUBLE) $2").replace(/([-+*/])\s*'(-?\d+(?:\.\d+)?)'/g, "$1 CAST('$2' AS DOUBLE)");
  out = out.replace(/\b(TRUE|FALSE)(\s*[-+*/])/gi, (_m, b: string, op: string) => `${b.toUpperCase() === 'TRUE' ? 1 : 0}${op}`).replace(/([-+*/]\s*)\b(TRUE|FALSE)\b/gi, (_m, op: string, b: string) => `${op}${b.toUpperCase() === 'TRUE' ? 1 : 0}`);
  return rewriteCalls(out, /convert/, (c) => (c.args.length === 2 && /^(?:UNSIGNED|SIGNED)(?:\s+INTEGER)?$/i.test(c.args[1]!) ? `CAST(${c.args[0]} AS SIGNED)` : c.args.length === 2 && /^[A-Za-z]+(?:\(\d+(?:,\s*\d+)?\))?$/.test(c.args[1]!) ? `CAST(${c.args[0]} AS ${c.args[1]})` : undefined), true);
}

/** Date literal arithmetic on MySQL: CAST(d AS DATE) ± n, CAST(a AS DATE) - CAST(b AS DATE). */
function mysqlDateLiteralArithmetic(sql: string): string {
  const D = String.raw`CAST\('[^']*' AS DATE\)`;
  return sql
    .replace(new RegExp(`(${D})\\s*-\\s*(${D})`, 'g'), 'DATEDIFF($1, $2)')
    .replace(new RegExp(`(${D})\\s*([-+])\\s*(\\d+)(?![\\w.])`, 'g'), (_m, d: string, op: string, n: string) => `(${d} ${op} INTERVAL ${n} DAY)`);
}

/** (VALUES (..), (..)) AS t(a, b) → (SELECT .. AS a, .. AS b UNION ALL SELECT ..) AS t (MariaDB). */
function mysqlValuesAlias(sql: string): string {
  const masked = maskLiterals(sql, true);
  const m = /\(\s*VALUES\s*\(/i.exec(masked);
  if (!m) return sql;
  const close = matchParen(masked, m.index);
  const alias = /^\s*AS\s+(\w+)\s*\(([\w\s,]+)\)/i.exec(masked.slice(close + 1));
  if (close < 0 || !alias) return sql;
  const cols = alias[2]!.split(',').map((c) => c.trim());
  const rows: string[][] = [];
  const body = masked.slice(m.index + 1, close);
  const bodyStart = m.index + 1;
  for (const rm of body.matchAll(/\(/g)) {
    const at = bodyStart + rm.index;
    if (masked.slice(bodyStart, at).split('(').length - masked.slice(bodyStart, at).split(')').length !== 0) continue;
    const end = matchParen(masked, at);
    rows.push(splitArgs(sql, masked, at, end));
  }
  if (rows.length === 0 || rows.some((r) => r.length !== cols.length)) return sql;
  const selects = rows.map((r, i) => `SELECT ${r.map((v, j) => (i === 0 ? `${v} AS ${cols[j]}` : v)).join(', ')}`).join(' UNION ALL ');
  return `${sql.slice(0, m.index)}(${selects}) AS ${alias[1]}${sql.slice(close + 1 + alias[0].length)}`;
}

/** ARRAY[...] → JSON_ARRAY(...), and a literal subscript → JSON_EXTRACT (MySQL has no arrays). */
function mysqlArrayLiterals(sql: string): string {
  let out = sql;
  for (let guard = 0; guard < 50; guard++) {
    const masked = maskLiterals(out, true);
    const m = /\bARRAY\s*\[/i.exec(masked);
    if (!m) return out;
    const open = m.index + m[0].length - 1;
    let depth = 0;
    let close = -1;
    for (let i = open; i < masked.length; i++) {
      if (masked[i] === '[' || masked[i] === '(') depth++;
      else if (masked[i] === ']' || masked[i] === ')') {
        depth--;
        if (depth === 0) {
          close = i;
          break;
        }
      }
    }
    if (close < 0) return out;
    const arr = `JSON_ARRAY(${out.slice(open + 1, close)})`;
    const sub = /^\s*\[\s*(\d+)\s*\]/.exec(masked.slice(close + 1));
    // (ARRAY[..])[n] in PostgreSQL, ARRAY[..][n] in Trino
    const wrapped = masked[m.index - 1] === '(' && masked[close + 1] === ')' && /^\s*\[\s*(\d+)\s*\]/.exec(masked.slice(close + 2));
    if (wrapped) out = `${out.slice(0, m.index - 1)}JSON_EXTRACT(${arr}, '$[${Number(wrapped[1]) - 1}]')${out.slice(close + 2 + wrapped[0].length)}`;
    else if (sub) out = `${out.slice(0, m.index)}JSON_EXTRACT(${arr}, '$[${Number(sub[1]) - 1}]')${out.slice(close + 1 + sub[0].length)}`;
    else out = `${out.slice(0, m.index)}${arr}${out.slice(close + 1)}`;
  }
  return out;
}

/**
 * GROUP BY ROLLUP (a, b) → GROUP BY a, b WITH ROLLUP. MariaDB refuses ORDER BY beside ROLLUP, so
 * an ORDER BY moves to an outer query over the result (it names output columns or ordinals).
 */
function mysqlRollup(sql: string): string {
  const masked = maskLiterals(sql, true);
  const m = /\bGROUP\s+BY\s+ROLLUP\s*\(/i.exec(masked);
  if (!m || /\bGROUPING\s*\(/i.test(masked)) return sql;
  const open = m.index + m[0].length - 1;
  const close = matchParen(masked, open);
  if (close < 0 || /[()]/.test(masked.slice(open + 1, close))) return sql;
  let out = `${sql.slice(0, m.index)}GROUP BY ${sql.slice(open + 1, close).trim()} WITH ROLLUP${sql.slice(close + 1)}`;
  const om = maskLiterals(out, true);
  let depth = 0;
  let orderAt = -1;
  for (let i = 0; i < om.length; i++) {
    if (om[i] === '(') depth++;
    else if (om[i] === ')') depth--;
    else if (depth === 0 && /^ORDER\s+BY\b/i.test(om.slice(i, i + 12)) && /\s/.test(om[i - 1] ?? ' ')) orderAt = i;
  }
  if (orderAt > 0) out = `SELECT * FROM (${out.slice(0, orderAt).trimEnd()}) AS _qf_rollup ${out.slice(orderAt)}`;
  return out;
}

/** polyglot's JSON_TABLE(JSON_ARRAY(..)) AS t(x) for UNNEST → MariaDB's JSON_TABLE with COLUMNS. */
function mysqlUnnest(sql: string): string {
  return sql.replace(/JSON_TABLE\((JSON_ARRAY\(((?:[^()']|'(?:[^']|'')*')*)\))\)\s+AS\s+(\w+)\s*\(\s*(\w+)\s*\)/gi, (_m, arr: string, items: string, t: string, x: string) => {
    const numeric = items.split(',').every((v) => /^\s*-?\d+(\.\d+)?\s*$/.test(v));
    return `JSON_TABLE(${arr}, '$[*]' COLUMNS (${x} ${numeric ? 'DOUBLE' : 'LONGTEXT'} PATH '$')) AS ${t}`;
  });
}

const PG_JSON_OPERAND = String.raw`('(?:[^']|'')*'|[A-Za-z_][\w.]*)(?:\s*::\s*jsonb?)?`;
const PG_JSON_STEP = String.raw`\s*(->>?)\s*('(?:[^']|'')*'|\d+)`;

/**
 * PostgreSQL JSON operators on MySQL: a -> 'k' ->> 'j' → JSON_UNQUOTE(JSON_EXTRACT(a, '$."k"."j"')),
 * a @> b → JSON_CONTAINS(a, b) (literal or column operands only).
 */
function pgJsonOperators(sql: string): string {
  const chain = new RegExp(`${PG_JSON_OPERAND}((?:${PG_JSON_STEP})+)`, 'g');
  let out = sql.replace(chain, (m, base: string, steps: string) => {
    let path = '$';
    let last = '->';
    for (const st of steps.matchAll(new RegExp(PG_JSON_STEP, 'g'))) {
      last = st[1]!;
      const key = st[2]!;
      path += /^\d+$/.test(key) ? `[${key}]` : `."${key.slice(1, -1).replace(/''/g, "'").replace(/"/g, '\\"')}"`;
    }
    if (path === '$') return m;
    const extract = `${MARK}JSON_GET(${base}, ${quote(path)})`;
    return last === '->>' ? `${MARK}JSON_TEXT(${extract})` : extract;
  });
  out = out.replace(new RegExp(`${PG_JSON_OPERAND}\\s*@>\\s*${PG_JSON_OPERAND}`, 'g'), (_m, a: string, b: string) => `JSON_CONTAINS(${a}, ${b})`);
  return out;
}

/** x = ANY(JSON_ARRAY(literals)) → x IN (literals). */
function mysqlAnyArray(sql: string): string {
  return sql.replace(/=\s*ANY\s*\(\s*JSON_ARRAY\(((?:[^()']|'(?:[^']|'')*')*)\)\s*\)/gi, 'IN ($1)');
}

/** PostgreSQL `ARRAY[...][i]` needs parentheses around the constructor. */
function parenthesizeArraySubscript(sql: string): string {
  return sql.replace(/(?<!\()\bARRAY\[([^[\]]*)\]\[/g, '(ARRAY[$1])[');
}

/** agg(x) FILTER (WHERE c) → agg(CASE WHEN c THEN x END) (MySQL has no FILTER). */
function filterToCase(sql: string, backslash: boolean): string {
  let out = sql;
  for (let guard = 0; guard < 20; guard++) {
    const masked = maskLiterals(out, backslash);
    const m = /\bFILTER\s*\(\s*WHERE\b/i.exec(masked);
    if (!m) return out;
    const open = masked.indexOf('(', m.index);
    const close = matchParen(masked, open);
    const callClose = masked.slice(0, m.index).trimEnd().length - 1;
    if (close < 0 || masked[callClose] !== ')') return out;
    let depth = 0;
    let callOpen = callClose;
    for (; callOpen >= 0; callOpen--) {
      if (masked[callOpen] === ')') depth++;
      else if (masked[callOpen] === '(' && --depth === 0) break;
    }
    const cond = out.slice(m.index + m[0].length, close).trim();
    const arg = out.slice(callOpen + 1, callClose).trim();
    const distinct = /^DISTINCT\s+/i.exec(arg);
    const inner = arg === '*' ? '1' : arg.replace(/^DISTINCT\s+/i, '');
    out = `${out.slice(0, callOpen + 1)}${distinct ? 'DISTINCT ' : ''}CASE WHEN ${cond} THEN ${inner} END)${out.slice(close + 1)}`;
  }
  return out;
}

/** Comparisons with a string literal are case-sensitive elsewhere; MariaDB's default collation is not. */
function binaryStringCompare(sql: string): string {
  const masked = maskLiterals(sql, true);
  let out = '';
  let last = 0;
  for (const m of masked.matchAll(/(->>?|<>|!=|<=|>=|=|<|>|\bLIKE)\s*'/gi)) {
    if (m[1]!.startsWith('-')) continue;
    const at = m.index + m[0].length - 1;
    if (/BINARY\s*$/i.test(masked.slice(0, at))) continue;
    out += sql.slice(last, at) + 'BINARY ';
    last = at;
  }
  return out + sql.slice(last);
}

/** PostgreSQL INTERVAL '5 hours' → MySQL INTERVAL 5 HOUR. */
function mysqlIntervals(sql: string): string {
  return sql.replace(/INTERVAL\s+'\s*(-?\d+)\s*(second|minute|hour|day|week|month|quarter|year)s?\s*'/gi, (_m, n: string, u: string) => `INTERVAL ${n} ${u.toUpperCase()}`);
}

/** PostgreSQL `a ~* 'p'` (and !~*): polyglot emits an infix REGEXP_ILIKE no engine accepts. */
function pgCaseInsensitiveRegex(sql: string): string {
  return sql.replace(/([\w.]+)\s*(!?)~\*\s*('(?:[^']|'')*')/g, (_m, a: string, not: string, p: string) => `${not ? 'NOT ' : ''}${MARK}ICASE_REGEX(${a}, ${p})`);
}

const ICASE: Record<Target, (a: string[]) => string> = {
  duckdb: ([s, p]) => `regexp_matches(${s}, ${p}, 'i')`,
  postgres: ([s, p]) => `(${s} ~* ${p})`,
  mysql: ([s, p]) => `(${s} REGEXP ${p})`,
};

/** Unsafe when the SQL calls one of `names`. */
function calls(names: readonly string[], why: string): UnsafeRule {
  return { why, test: (_sql, fns) => names.find((n) => fns.has(n)) };
}

/** Unsafe when `re` matches the SQL text (outside literals); `name` is what the error says. */
function matches(re: RegExp, name: string, why: string): UnsafeRule {
  return { why, test: (sql) => (re.test(maskLiterals(sql)) ? name : undefined) };
}

/** Build the rules for one pair (called once per pair, then kept). */
export function rulesFor(from: Dialect, to: Dialect): PairRules {
  const r: PairRules = { pre: [], post: [], unsafe: [], missing: new Set() };
  const target = targetOf(to);
  const table = TABLES[from];
  if (target === undefined || table === undefined) return r;
  const srcMysql = from === 'mysql' || from === 'starrocks';
  const trino = from === 'trino' || from === 'athena';
  if (from === 'postgres') r.pre.push(pgCaseInsensitiveRegex, pgRegexpMatchIndex);
  if (trino) r.pre.push(trinoListagg);
  if (srcMysql && target !== 'mysql') r.pre.push(mysqlImplicit);
  if (target === 'mysql') r.pre.push((sql) => filterToCase(sql, srcMysql));
  const mark = markFunctions(table, target, srcMysql);
  if (mark) r.pre.push(mark);
  const tableWithIcase: FunctionTable = { ...table, icase_regex: { [target]: ICASE[target] } };
  r.post.push(expandMarkers(tableWithIcase, target));
  const nulls = fixNullOrdering(from, to);
  if (nulls) r.pre.unshift(nulls);
  if ((trino || from === 'postgres') && target !== 'postgres') r.post.push(integerDivision(target));
  if (target === 'postgres') r.post.push(parenthesizeArraySubscript);
  if (target === 'mysql') {
    r.post.push(mysqlIntervals, mariadbSpellings, mysqlDateLiteralArithmetic, mysqlValuesAlias, mysqlArrayLiterals, mysqlUnnest, mysqlRollup, mysqlAnyArray, mysqlLagDefault);
    if (!srcMysql) {
      r.post.push(binaryStringCompare);
      // MySQL has no arrays; JSON_ARRAYAGG keeps the elements and their order (as JSON text).
      r.pre.push((sql) => rewriteCalls(sql, /array_agg/, (c) => `json_arrayagg(${c.args.join(', ')})`));
    }
  }
  if (target === 'duckdb') r.post.push(duckdbVarcharLength);
  if (from === 'postgres' && target === 'mysql') r.pre.unshift(pgExtractMarkers, pgJsonOperators);
  if (srcMysql && target !== 'mysql') {
    r.pre.push(caseInsensitiveLiterals);
    r.post.push(fromMysqlSpellings);
  }

  addUnsafe(r, from, target);
  return r;
}

/** What no rule makes right, found by the corpus: strict refuses it by name. */
function addUnsafe(r: PairRules, from: Dialect, target: Target): void {
  const trino = from === 'trino' || from === 'athena';
  if (trino) {
    r.unsafe.push(calls(['format'], "Java format strings have no equivalent (DuckDB's format uses {} and yields a wrong string)"));
    r.unsafe.push(calls(['avg'], 'Trino keeps the DECIMAL scale of an average (rounded); the target returns more digits'));
    if (target !== 'duckdb') r.unsafe.push(calls(['try_cast'], 'no TRY_CAST on the target: a failed cast errors (PostgreSQL) or yields 0 (MySQL) instead of NULL'));
    if (target === 'mysql') r.unsafe.push(matches(/\bAS\s+BOOLEAN\b/i, 'CAST AS BOOLEAN', "MySQL has no boolean: CAST('true' AS SIGNED) is 0"));
  }
  if (from === 'postgres' && target === 'mysql') {
    r.unsafe.push(matches(/(?<![\w.])[A-Za-z_][\w.]*\s*[-+]\s*\d+(?!\s*(?:DAY|MONTH|YEAR|HOUR|MINUTE|SECOND|WEEK|QUARTER)\b)(?![\w.])/i, 'column ± integer', 'a date ± n is date arithmetic in PostgreSQL and number arithmetic in MySQL; the column type is unknown here'));
    r.unsafe.push({
      why: 'PostgreSQL replaces the first match unless flagged g, MariaDB every match; only literal replacements without back-references are rewritten',
      test: (sql) => (findCalls(sql, /regexp_replace/).some((c) => (c.args.length === 4 ? lit(c.args[3]) !== 'g' : c.args[2] === undefined || c.args[2].includes('\\'))) ? 'regexp_replace' : undefined),
    });
  }
  if ((from === 'mysql' || from === 'starrocks') && target !== 'mysql') {
    r.unsafe.push(matches(/\bORDER\s+BY\b/i, 'ORDER BY', "MySQL's default collation sorts strings case-insensitively; the target does not"));
  }
  if ((trino || from === 'postgres') && target === 'mysql') {
    r.unsafe.push({ why: 'MariaDB has no default argument: COALESCE also replaces a NULL value of the lagged row', test: (sql) => (findCalls(sql, /lag|lead/).some((c) => c.args.length === 3) ? 'lag/lead with a default' : undefined) });
    r.unsafe.push(matches(/\bORDER\s+BY\b/i, 'ORDER BY', "MariaDB's default collation sorts strings case-insensitively, and NULL placement of ordinals cannot be expressed"));
  }
}
