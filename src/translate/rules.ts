/**
 * Per-pair fix-ups for what polyglot gets wrong, found by the correctness corpus
 * (test/fixtures/translation, docs/translation.md). Three kinds:
 * - `pre`: source-text rewrites before polyglot. A construct polyglot mistranslates becomes a
 *   marker call `QF__NAME(args)`; polyglot passes unknown calls through and translates the
 *   arguments, and a `post` rule expands the marker into the target's correct expression.
 * - `unsafe`: constructs no rule makes right for the pair: strict refuses them by name.
 * - `missing`: functions polyglot passes through that the target does not have (strict refuses).
 */
import type { Dialect } from '../core/types.js';
import { rewriteCalls, type Call } from './sql-scan.js';

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

const MARK = 'QF__';

/** Unsafe when the SQL calls one of `names`. */
function calls(names: readonly string[], why: string): UnsafeRule {
  return { why, test: (_sql, fns) => names.find((n) => fns.has(n)) };
}

/** Unsafe when `re` matches the SQL text; `name` is what the error says. */
function matches(re: RegExp, name: string, why: string): UnsafeRule {
  return { why, test: (sql) => (re.test(sql) ? name : undefined) };
}

/** Source rewrite: calls of `names` → marker `QF__<marker(call)>(args)` (undefined keeps the call). */
function mark(names: RegExp, marker: (c: Call) => string | undefined, backslash = false): (sql: string) => string {
  return (sql) =>
    rewriteCalls(
      sql,
      names,
      (c) => {
        const m = marker(c);
        return m === undefined ? undefined : `${MARK}${m}(${c.args.join(', ')})`;
      },
      backslash,
    );
}

/** Target rewrite: marker calls → `expand(args)`. */
function expand(markers: Record<string, (args: string[]) => string>): (sql: string) => string {
  const names = new RegExp(Object.keys(markers).map((k) => MARK + k).join('|'));
  return (sql) => rewriteCalls(sql, names, (c) => markers[c.name.slice(MARK.length).toUpperCase()]?.(c.args));
}

/** The unit of a date_trunc-style first argument ('month' → MONTH), when it is a plain literal. */
function unitOf(arg: string | undefined): string | undefined {
  const m = /^'(\w+)'$/.exec(arg?.trim() ?? '');
  return m ? m[1]!.toUpperCase() : undefined;
}

// --- date_trunc ----------------------------------------------------------------------------------
const TRUNC_UNITS = ['SECOND', 'MINUTE', 'HOUR', 'DAY', 'WEEK', 'MONTH', 'QUARTER', 'YEAR'];

/** date_trunc(unit, x) → QF__TRUNC_<UNIT>(x). */
const markDateTrunc = mark(/date_trunc/, (c) => {
  const u = unitOf(c.args[0]);
  if (u === undefined || !TRUNC_UNITS.includes(u) || c.args.length !== 2) return undefined;
  c.args.shift();
  return `TRUNC_${u}`;
});

const MYSQL_TRUNC: Record<string, (a: string[]) => string> = {
  TRUNC_SECOND: ([x]) => `CAST(DATE_FORMAT(${x}, '%Y-%m-%d %H:%i:%s') AS DATETIME)`,
  TRUNC_MINUTE: ([x]) => `CAST(DATE_FORMAT(${x}, '%Y-%m-%d %H:%i:00') AS DATETIME)`,
  TRUNC_HOUR: ([x]) => `CAST(DATE_FORMAT(${x}, '%Y-%m-%d %H:00:00') AS DATETIME)`,
  TRUNC_DAY: ([x]) => `DATE(${x})`,
  TRUNC_WEEK: ([x]) => `(DATE(${x}) - INTERVAL WEEKDAY(${x}) DAY)`,
  TRUNC_MONTH: ([x]) => `CAST(DATE_FORMAT(${x}, '%Y-%m-01') AS DATE)`,
  TRUNC_QUARTER: ([x]) => `(MAKEDATE(YEAR(${x}), 1) + INTERVAL (QUARTER(${x}) - 1) QUARTER)`,
  TRUNC_YEAR: ([x]) => `MAKEDATE(YEAR(${x}), 1)`,
};

/** Build the rules for one pair (called once per pair, then kept). */
export function rulesFor(from: Dialect, to: Dialect): PairRules {
  const r: PairRules = { pre: [], post: [], unsafe: [], missing: new Set() };
  const toMysql = to === 'mysql' || to === 'starrocks';
  if (toMysql && from !== 'mysql' && from !== 'starrocks') {
    r.pre.push(markDateTrunc);
    r.post.push(expand(MYSQL_TRUNC));
  }
  if (from === 'trino' || from === 'athena') {
    r.unsafe.push(calls(['approx_percentile', 'format_datetime', 'transform', 'element_at'], 'polyglot passes it through untranslated'));
  }
  void matches;
  return r;
}
