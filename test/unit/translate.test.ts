/**
 * Translator behaviour that does not need an engine: what passes through untouched, parameters,
 * caching, strict refusals (codes, not prose), and the fix-ups for polyglot's known
 * mis-translations (TESTING.md). Results on real engines: translation-corpus.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { QueryFluxError } from '../../src/core/errors.js';
import { registerDefaultFixups } from '../../src/translate/fixups.js';
import { findCalls, hasTopLevelOrderBy, leadingKeyword, maskLiterals, parameterMarkers } from '../../src/translate/sql-scan.js';
import { Translator } from '../../src/translate/translator.js';
import { compareRows, normRows, normValue } from '../fixtures/translation/compare.js';

const best = new Translator();
const strict = new Translator({ mode: 'strict' });
registerDefaultFixups(best);
registerDefaultFixups(strict);

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof QueryFluxError ? err.code : 'not a QueryFluxError';
  }
  return undefined;
}

beforeAll(async () => {
  await best.warmUp();
}, 30_000);

describe('what passes through', () => {
  it('is the identity between equal dialects', () => {
    expect(best.translate('select `x` from t', 'mysql', 'mysql')).toBe('select `x` from t');
  });

  it.each(['SET search_path TO public', 'SHOW transaction_isolation', 'BEGIN', 'COMMIT', 'COPY t FROM STDIN', 'DEALLOCATE ALL', 'PREPARE p AS SELECT 1', 'DISCARD ALL', 'LISTEN x'])('leaves the utility statement %s untouched', (sql) => {
    expect(best.translate(sql, 'postgres', 'duckdb')).toBe(sql);
    expect(strict.translate(sql, 'postgres', 'duckdb')).toBe(sql);
  });

  it('hands PostgreSQL catalog queries to the catalog fix-up only', () => {
    const out = best.translate('SELECT relname FROM pg_catalog.pg_class WHERE oid = $1::regclass', 'postgres', 'duckdb');
    expect(out).toContain('qfpg.');
    expect(best.outcome('SELECT relname FROM pg_catalog.pg_class', 'postgres', 'duckdb').how).toBe('passthrough');
  });

  it('keeps the client text byte for byte when nothing needs translating (PostgreSQL → DuckDB)', () => {
    const sql = 'select o_orderkey, sum(o_totalprice) as total from orders where o_custkey = $1 group by 1';
    expect(best.translate(sql, 'postgres', 'duckdb')).toBe(sql);
    expect(best.outcome(sql, 'postgres', 'duckdb').how).toBe('unchanged');
  });

  it('keeps bind parameters when it translates', () => {
    const out = best.translate("SELECT date_trunc('month', d), x FROM t WHERE a = $1 AND b > $2 ORDER BY x DESC", 'postgres', 'duckdb');
    expect(parameterMarkers(out)).toEqual(['$1', '$2']);
    expect(out).toMatch(/NULLS FIRST/);
  });

  it('passes what polyglot cannot parse through in bestEffort, refuses it in strict', () => {
    const sql = 'SELECT FROM WHERE )(';
    expect(best.translate(sql, 'trino', 'duckdb')).toBe(sql);
    expect(code(() => strict.translate(sql, 'trino', 'duckdb'))).toBe('QF_TRANSLATION_FAILED');
  });
});

describe('strict mode', () => {
  it('refuses known-unsafe constructs by name, and caches the refusal', () => {
    let first: unknown;
    try {
      strict.translate("SELECT format('%s', x) FROM t", 'trino', 'duckdb');
    } catch (err) {
      first = err;
    }
    expect(first).toBeInstanceOf(QueryFluxError);
    expect((first as QueryFluxError).code).toBe('QF_TRANSLATION_UNSAFE');
    expect((first as QueryFluxError).message).toMatch(/format/);
    expect(() => strict.translate("SELECT format('%s', x) FROM t", 'trino', 'duckdb')).toThrow(first as Error);
  });

  it.each([
    ["SELECT try_cast(x AS integer) FROM t", 'trino', 'mysql', /try_cast/],
    ['SELECT avg(price) FROM t', 'trino', 'postgres', /avg/],
    ['SELECT sold - 1 FROM items', 'postgres', 'mysql', /column ± integer/],
  ] as const)('refuses %s (%s → %s)', (sql, from, to, name) => {
    expect(code(() => strict.translate(sql, from, to))).toBe('QF_TRANSLATION_UNSAFE');
    expect(() => strict.translate(sql, from, to)).toThrow(name);
    expect(() => best.translate(sql, from, to)).not.toThrow();
  });
});

describe("fix-ups for polyglot's known mis-translations", () => {
  it('date_trunc to MySQL truncates instead of becoming DATE(x)', () => {
    expect(best.translate("SELECT date_trunc('month', d) FROM t", 'trino', 'mysql')).toContain("DATE_FORMAT(d, '%Y-%m-01')");
    expect(best.translate("SELECT date_trunc('year', d) FROM t", 'postgres', 'mysql')).toContain('MAKEDATE(YEAR(d), 1)');
  });

  it('day_of_week is ISO (Monday 1) on every target', () => {
    expect(best.translate('SELECT day_of_week(d) FROM t', 'trino', 'mysql')).toContain('(WEEKDAY(d) + 1)');
    expect(best.translate('SELECT day_of_week(d) FROM t', 'trino', 'postgres')).toContain('EXTRACT(ISODOW FROM d)');
    expect(best.translate('SELECT day_of_week(d) FROM t', 'trino', 'duckdb')).toMatch(/isodow\(d\)/i);
  });

  it('approx_percentile, element_at, transform and format_datetime are translated, not passed through', () => {
    expect(best.translate('SELECT approx_percentile(x, 0.5) FROM t', 'trino', 'duckdb')).toContain('quantile_disc(x, 0.5)');
    expect(best.translate('SELECT approx_percentile(x, 0.5) FROM t', 'trino', 'postgres')).toContain('percentile_disc(0.5) WITHIN GROUP (ORDER BY x)');
    expect(best.translate('SELECT element_at(a, 2) FROM t', 'trino', 'duckdb')).toContain('(a)[2]');
    expect(best.translate('SELECT transform(a, x -> x + 1) FROM t', 'trino', 'duckdb')).toContain('list_transform(a, x -> x + 1)');
    expect(best.translate('SELECT transform(a, x -> x + 1) FROM t', 'trino', 'postgres')).toMatch(/ARRAY\(SELECT x \+ 1 FROM unnest\(a\) WITH ORDINALITY/);
    expect(best.translate("SELECT format_datetime(ts, 'yyyy-MM-dd HH:mm') FROM t", 'trino', 'duckdb')).toContain("strftime(ts, '%Y-%m-%d %H:%M')");
    expect(best.translate("SELECT format_datetime(ts, 'yyyy-MM-dd') FROM t", 'trino', 'postgres')).toContain("to_char(ts, 'YYYY-MM-DD')");
  });

  it('integer division truncates and NULL ordering follows the source', () => {
    expect(best.translate('SELECT 7 / 2', 'trino', 'duckdb')).toContain('7 // 2');
    expect(best.translate("SELECT '7 / 2'", 'trino', 'duckdb')).toBe("SELECT '7 / 2'");
    expect(best.translate('SELECT $1 / 2, x / 2 FROM t', 'postgres', 'duckdb')).not.toContain('//');
    expect(best.translate('SELECT x FROM t ORDER BY x DESC', 'trino', 'postgres')).toMatch(/ORDER BY x DESC NULLS LAST/);
    expect(best.translate('SELECT x FROM t ORDER BY x', 'mysql', 'duckdb')).toMatch(/NULLS FIRST|x IS NOT NULL/);
  });
});

describe('sql-scan', () => {
  it('masks literals, comments and quoted identifiers keeping offsets', () => {
    const sql = `SELECT 'a(b', "c)d" -- x(\nFROM t /* ( */`;
    const m = maskLiterals(sql);
    expect(m).toHaveLength(sql.length);
    expect(m).not.toMatch(/[a-z]\(|\(b|x\(/);
  });

  it('finds calls with balanced arguments', () => {
    const [c] = findCalls("SELECT f(a, g(b, 'x,)'), c) FROM t", /f/);
    expect(c!.args).toEqual(['a', "g(b, 'x,)')", 'c']);
  });

  it('reads the leading keyword, parameters and top-level ORDER BY', () => {
    expect(leadingKeyword('  (select 1)')).toBe('SELECT');
    expect(parameterMarkers("select $1, '$2', ? from t where a = $3")).toEqual(['$1', '?', '$3']);
    expect(hasTopLevelOrderBy('select row_number() over (order by x) from t')).toBe(false);
    expect(hasTopLevelOrderBy('select x from t order by 1')).toBe(true);
  });
});

describe('corpus result comparison', () => {
  it('normalises representations, never values', () => {
    expect(normValue(true)).toBe(1);
    expect(normValue('1.50')).toBe(1.5);
    expect(normValue('007')).toBe('007');
    expect(normValue('2024-03-01 00:00:00')).toBe('2024-03-01');
    expect(normValue('2024-03-01 10:00:00.500+00')).toBe('2024-03-01 10:00:00.5');
    expect(normValue('{"b": 1, "a": [1]}')).toEqual({ a: [1], b: 1 });
    expect(compareRows(normRows([[0.875]], true), normRows([[0.88]], true)).ok).toBe(false);
    expect(compareRows(normRows([[42.0452]], true), normRows([[42.045213758]], true)).ok).toBe(true);
    expect(compareRows(normRows([[2], [1]], false), normRows([[1], [2]], false)).ok).toBe(true);
    expect(compareRows(normRows([[2], [1]], true), normRows([[1], [2]], true)).ok).toBe(false);
  });
});
