import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyze, confirmedSyntaxError, parseCount, warmUpAnalysis } from '../../src/analysis/analyzer.js';
import { FEATURE_NAMES } from '../../src/analysis/features.js';
import { fingerprint, normalizeLiterals } from '../../src/analysis/lexical.js';
import { TPCH_QUERIES } from '../fixtures/tpch-queries.js';
import { loadCases } from '../fixtures/translation/corpus.js';

beforeAll(async () => {
  await warmUpAnalysis();
});

describe('analysis', () => {
  it('reads tables, joins, aggregates, windows, CTEs, set operations and the outer LIMIT', () => {
    const a = analyze(
      `WITH r AS (SELECT c_custkey, row_number() OVER (PARTITION BY c_nationkey ORDER BY c_acctbal DESC) rn FROM tpch.customer)
       SELECT DISTINCT r.c_custkey, upper(n.n_name), approx_distinct(x) FROM r LEFT JOIN nation n ON n.k = r.k CROSS JOIN t3
       WHERE r.rn <= 3 AND n.x BETWEEN 1 AND 5 AND y IS NULL AND z IN (SELECT a FROM s WHERE b = 2) AND q <> 4
       GROUP BY ROLLUP(1, 2) HAVING count(DISTINCT y) > 1
       UNION ALL SELECT 1, 2, 3 ORDER BY 1 LIMIT 5 OFFSET 2`,
      'trino',
    );
    expect(a.kind).toBe('select');
    expect(a.depth).toBe('ast');
    expect(a.tables).toEqual(['tpch.customer', 'nation', 't3', 's']); // the CTE r is not a table
    expect(a.ctes).toEqual(['r']);
    expect(a.joins).toEqual(['left', 'cross']);
    expect([...a.aggregates].sort()).toEqual(['approx_distinct', 'count']); // row_number is a window function
    expect(a.limit).toBe(5);
    expect(a.predicates).toEqual(
      expect.arrayContaining([
        { column: 'nation.x', op: 'range', values: 1, low: 1, high: 5 },
        { column: 'y', op: 'null', values: 1 },
        { column: 'z', op: 'in', values: 1 },
        { column: 'q', op: 'neq', values: 1, low: 4, high: 4 }, // = and <> carry the compared value
      ]),
    );
    expect(a.features).toMatchObject({
      tables: 4, joins: 2, outer_joins: 1, cross_joins: 1, aggregates: 2, distinct_aggregates: 1, window_functions: 1,
      distinct: 1, grouping_sets: 1, having: 1, ctes: 1, set_operations: 1, subqueries: 1, subquery_depth: 1,
      limit: 5, offset: 2, order_by_width: 1, projections: 3,
    });
  });

  it("where_clause is the statement's own WHERE, never a subquery's, a comment's or a string's", () => {
    const w = (sql: string, d: 'postgres' | 'mysql' = 'postgres') => analyze(sql, d).features.where_clause;
    expect(w('delete from orders')).toBe(0);
    expect(w('delete from orders where o_id = 1')).toBe(1);
    expect(w("update t set note = 'where' -- where")).toBe(0);
    expect(w('update t set a = 1 where b in (select b from s)')).toBe(1);
    expect(w('delete from t where a in (select a from s where b = 1)')).toBe(1);
    expect(w('update t set a = (select max(a) from s where s.k = 2)')).toBe(0);
    expect(w('select a from (select * from t where x = 1) s')).toBe(0);
    expect(w('select * from t where x = 1')).toBe(1);
    expect(w('delete from t using u where t.a = u.a')).toBe(1);
    // Not parsed (a syntax error): the keyword outside comments, strings and quoted identifiers.
    const bad = analyze('delete fro t /* where */ "where"', 'postgres');
    expect(bad.depth).toBe('lexical');
    expect(bad.features.where_clause).toBe(0);
    expect(analyze('delete fro t where x = 1', 'postgres').features.where_clause).toBe(1);
  });

  it('resolves aliases to tables in columns and predicates, counts IN lists and parameters', () => {
    const a = analyze("select * from sales.orders o where o.o_custkey = $1 and o_status in ('a','b','c') and o_comment like '%x%' limit 10", 'postgres');
    expect(a.tables).toEqual(['sales.orders']);
    expect(a.predicates).toEqual([
      { column: 'sales.orders.o_custkey', op: 'eq', values: 1 }, // a parameter: no literal bound
      { column: 'sales.orders.o_status', op: 'in', values: 3 },
      { column: 'sales.orders.o_comment', op: 'like', values: 1 },
    ]);
    expect(a.features).toMatchObject({ select_star: 1, parameters: 1, in_list_values: 3, eq_predicates: 1, in_predicates: 1, like_predicates: 1, limit: 10 });
  });

  it('records literal bounds of range predicates (either side) and which tables are read whole', () => {
    const a = analyze(
      "select e.*, u.u_id from events e join users u on e.e_user = u.u_id where e_ts >= timestamp '2024-01-02 00:00:00' and e.e_ts < DATE '2024-01-03' and 5 < e_amount and u.u_age between 20 and 30",
      'postgres',
    );
    expect(a.starTables).toEqual(['events']);
    expect(a.predicates).toEqual(
      expect.arrayContaining([
        { column: 'e_ts', op: 'range', values: 1, low: '2024-01-02 00:00:00' },
        { column: 'events.e_ts', op: 'range', values: 1, high: '2024-01-03' },
        { column: 'e_amount', op: 'range', values: 1, low: 5 },
        { column: 'users.u_age', op: 'range', values: 1, low: 20, high: 30 },
      ]),
    );
    // SELECT * over a derived table reads only what the derived table reads.
    expect(analyze('select * from (select e_kind, e_amount from events) x', 'postgres').starTables).toEqual([]);
    expect(analyze('select * from events', 'postgres').starTables).toEqual(['events']);
  });

  it('tells written tables from read ones; DML is not read-only', () => {
    const ins = analyze("insert into a.b (x) select y from c where z like 'q%'", 'postgres');
    expect(ins).toMatchObject({ kind: 'insert', readOnly: false, tables: ['c'], writtenTables: ['a.b'] });
    expect(analyze('update t set x = 1 where id = 3', 'postgres')).toMatchObject({ kind: 'update', writtenTables: ['t'] });
    expect(analyze('delete from s.t where id = 3', 'postgres')).toMatchObject({ kind: 'delete', writtenTables: ['s.t'] });
    expect(analyze('create table x as select * from y', 'postgres')).toMatchObject({ kind: 'ddl', writtenTables: ['x'], tables: ['y'] });
  });

  it('analyses utility statements lexically, without parsing', () => {
    const before = parseCount();
    for (const sql of ['SET search_path = public', 'SHOW TIME ZONE', 'BEGIN', 'COMMIT', 'vacuum']) expect(analyze(sql, 'postgres').depth).toBe('lexical');
    expect(parseCount()).toBe(before);
    expect(analyze('COMMIT', 'postgres')).toMatchObject({ kind: 'transaction', verb: 'COMMIT' });
  });

  it('parses once per statement shape: literals do not cause new parses, and results are cached by text', () => {
    analyze('select o_totalprice from orders where o_orderkey = 1', 'postgres');
    const before = parseCount();
    for (let i = 2; i < 50; i++) expect(analyze(`select o_totalprice from orders where o_orderkey = ${i}`, 'postgres').tables).toEqual(['orders']);
    expect(parseCount()).toBe(before);
    expect(analyze('select 1', 'postgres')).toBe(analyze('select 1', 'postgres'));
    // LIMIT values are part of the shape (policies read them).
    expect(analyze('select * from orders limit 10', 'postgres').limit).toBe(10);
    expect(analyze('select * from orders limit 100000', 'postgres').limit).toBe(100000);
  });

  it('a statement of a known shape gets its own literal bounds, without a new parse', () => {
    const q = (from: string, to: string, key: number) => `select count(*) from events where e_ts >= DATE '${from}' and e_ts < '${to}' and user_id = ${key}`;
    const first = analyze(q('2024-01-01', '2024-02-01', 7), 'postgres');
    expect(first.predicates.map((p) => [p.op, p.low, p.high])).toEqual([['range', '2024-01-01', undefined], ['range', undefined, '2024-02-01'], ['eq', 7, 7]]);
    const before = parseCount();
    const second = analyze(q('2025-06-01', '2025-06-02', 42), 'postgres');
    expect(parseCount()).toBe(before);
    expect(second.predicates.map((p) => [p.op, p.low, p.high])).toEqual([['range', '2025-06-01', undefined], ['range', undefined, '2025-06-02'], ['eq', 42, 42]]);
    // The first statement's analysis is untouched.
    expect(first.predicates[2]!.low).toBe(7);
    // Two equal literals cannot be told apart: such a shape is parsed per statement, still right.
    analyze('select * from t where a >= 5 and b <= 5', 'postgres');
    const other = analyze('select * from t where a >= 1 and b <= 9', 'postgres');
    expect(other.predicates.map((p) => [p.low, p.high])).toEqual([[1, undefined], [undefined, 9]]);
  });

  it('fingerprints ignore literals and IN-list lengths but keep LIMIT and parameters', () => {
    expect(fingerprint("select *  from t where a = 42 and b = 'it''s'")).toBe(fingerprint("select * from t where a = 7 and b = 'x'"));
    expect(fingerprint('select * from t where a in (1, 2, 3)')).toBe(fingerprint('select * from t where a in (4, 5)'));
    expect(fingerprint('select * from t limit 10')).not.toBe(fingerprint('select * from t limit 20'));
    expect(fingerprint('select * from t where a = $1')).toBe('select * from t where a = $1');
    expect(fingerprint("select $$a 'b' c$$, E'x\\'y'")).toBe('select ?, ?');
  });

  it('reports syntax errors with a position, and confirms them only when the target dialect rejects them too', () => {
    const a = analyze('SELECT 1 FROM t WHERE', 'postgres');
    expect(a.syntaxError).toMatchObject({ line: 1, position: 17 });
    expect(confirmedSyntaxError('SELECT 1 FROM t WHERE', a, 'duckdb', 'postgres')).toBeDefined();
    expect(confirmedSyntaxError('SELECT 1 FROM t WHERE', a, 'postgres', 'postgres')).toBeUndefined(); // the engine decides its own dialect
    const ok = analyze('select 1', 'postgres');
    expect(confirmedSyntaxError('select 1', ok, 'duckdb', 'postgres')).toBeUndefined();
  });

  it('documents every feature in docs/features.md and in the policy input schema', () => {
    const doc = readFileSync(new URL('../../docs/features.md', import.meta.url), 'utf8');
    for (const name of FEATURE_NAMES) expect(doc, `docs/features.md lacks ${name}`).toContain(`\`${name}\``);
    const schema = JSON.parse(readFileSync(new URL('../../docs/policy-input.schema.json', import.meta.url), 'utf8')) as { properties: { features: { required: string[] } } };
    expect(schema.properties.features.required).toEqual([...FEATURE_NAMES]);
    expect(Object.keys(analyze('select 1', 'postgres').features)).toEqual([...FEATURE_NAMES]);
  });
});

describe('normalizeLiterals equals its definition (regex replace, whitespace fold, trim)', () => {
  const LITERALS = /(\b(?:limit|fetch\s+first|fetch\s+next|top)\s+)(\d+)|\$([A-Za-z_]*)\$[\s\S]*?\$\3\$|\b[eE]'(?:[^'\\]|''|\\.)*'|'(?:[^']|'')*'|(?<![\w$])\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b/gi;
  const value = (t: string): number | string | undefined =>
    t.startsWith("'") ? t.slice(1, -1).replace(/''/g, "'") : t.startsWith('$') || t.startsWith('e') || t.startsWith('E') ? undefined : Number(t);
  const reference = (sql: string, values: (number | string | undefined)[]): { normalized: string; fingerprint: string } => {
    const normalized = sql
      .replace(LITERALS, (m: string, kw: string | undefined, n: string | undefined) => {
        if (kw !== undefined) return kw + n;
        values.push(value(m));
        return '?';
      })
      .replace(/\s+/g, ' ')
      .trim();
    return { normalized, fingerprint: normalized.replace(/\(\s*\?(?:\s*,\s*\?)+\s*\)/g, '(?+)') };
  };
  const same = (sql: string): void => {
    const va: (number | string | undefined)[] = [];
    const vb: (number | string | undefined)[] = [];
    const a = normalizeLiterals(sql, va);
    const b = reference(sql, vb);
    // expect() only on a difference: it costs more than the comparisons themselves.
    if (a.normalized !== b.normalized || a.fingerprint !== b.fingerprint || JSON.stringify(va) !== JSON.stringify(vb)) {
      expect({ sql, ...a, values: va }).toEqual({ sql, ...b, values: vb });
    }
  };

  it('on TPC-H and every translation corpus statement', () => {
    for (const q of TPCH_QUERIES) same(q);
    for (const c of loadCases()) same(c.sql);
  });

  it('on 30,000 random statements built from tricky tokens', () => {
    const toks = ['select', ' ', '  ', '\n', '\t', '\u00a0', '\u2028', '\ufeff', 'limit', 'LIMIT', 'top', 'Top', 'fetch', 'first', 'next', 'FETCH', ' first ', '5', '12', '1.5', '1.', '.5', '1e5', '1E+3', '2e-', 'e', 'E', "'", "''", "'abc'", "'it''s'", "E'x\\'y'", "e'", '\\', "\\'", '$', '$$', '$1', '$a$', '$A$', '$tag$', 'x', 'a1', '_', 'é', '(', ')', ',', '?', '-- c\n', '/* 5 */', '"', '"t1"', 'in (1, 2, 3)', '(?', '1x', 'x1', '12abc', '0.5e10x', 'limit\n 10', '=', ';', '\r\n'];
    let seed = 42;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    for (let k = 0; k < 30_000; k++) {
      let s = '';
      const len = 1 + Math.floor(rnd() * 14);
      for (let i = 0; i < len; i++) s += toks[Math.floor(rnd() * toks.length)];
      same(s);
    }
  });
});
