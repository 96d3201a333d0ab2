/** PostgreSQL's names for unaliased select items, read from the statement as written. */
import { describe, expect, it } from 'vitest';
import { postgresColumnNames } from '../../src/translate/column-names.js';

describe('postgresColumnNames', () => {
  it('names calls after the function, columns after the column (through casts), literals and operators ?column?', () => {
    expect(postgresColumnNames('select count(*) from orders')).toEqual(['count']);
    expect(
      postgresColumnNames(
        `SELECT count(*), sum(p) AS total, o_status, t.x, x::int, 1, 'a', coalesce(a, b), case when a then 1 end, upper(name) n, now(),
         count(distinct a), a + 1, (a), trim(b), row_number() over (partition by a), cast(x as int), 1::int, "MiXed", ID,
         sum(x) filter (where y > 1), percentile_cont(0.5) within group (order by x), pg_catalog.now() from t where x = 1`,
      ),
    ).toEqual(['count', undefined, 'o_status', 'x', 'x', '?column?', '?column?', 'coalesce', 'case', undefined, 'now', 'count', '?column?', 'a', 'btrim', 'row_number', 'x', 'int4', 'MiXed', 'id', 'sum', 'percentile_cont', 'now']);
  });

  it('reads the main SELECT of WITH queries and after DISTINCT [ON (...)]', () => {
    expect(postgresColumnNames('with c as (select 1 x, count(*) from t) select x, count(*) from c group by x')).toEqual(['x', 'count']);
    expect(postgresColumnNames('select distinct on (a) a, max(b) from t group by a order by a')).toEqual(['a', 'max']);
    expect(postgresColumnNames('select distinct sum(x) from t')).toEqual(['sum']);
    expect(postgresColumnNames('select count(*) over w, rank() over w r from t window w as (order by x)')).toEqual(['count', undefined]);
  });

  it('leaves names alone where it cannot know the width or the statement is no query', () => {
    expect(postgresColumnNames('select * from t')).toBeUndefined();
    expect(postgresColumnNames('select a, t.* from t')).toBeUndefined();
    expect(postgresColumnNames('insert into t select 1')).toBeUndefined();
    expect(postgresColumnNames('values (1)')).toBeUndefined();
    // Text inside literals, quoted identifiers and comments is not structure.
    expect(postgresColumnNames(`select 'from, x' , "a,b" /* , count(*) */ from t`)).toEqual(['?column?', 'a,b']);
  });
});
