/** Catalog queries captured from psql, pgJDBC and SQLAlchemy against PostgreSQL 15 run on DuckDB after the rewrite. */
import { readFileSync } from 'node:fs';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogSetupSql, rewriteForDuckDb } from '../../src/frontends/postgres/catalog/index.js';

let conn: DuckDBConnection;
let instance: DuckDBInstance;

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  conn = await instance.connect();
  for (const s of catalogSetupSql()) await conn.run(s);
  // Running the set-up twice must work (engines re-prepare on restart of a file database).
  for (const s of catalogSetupSql()) await conn.run(s);
  await conn.run('create table orders (o_orderkey integer primary key, o_custkey integer not null, o_totalprice decimal(15,2), o_orderdate date, o_comment varchar)');
});
afterAll(() => instance?.closeSync());

function statements(file: string): string[] {
  return readFileSync(`test/fixtures/catalog/${file}.sql`, 'utf8')
    .split('-- @@')
    .map((s) => s.trim())
    .filter((s) => /pg_catalog|pg_type|regclass/.test(s) && !/\$\d/.test(s) && !s.startsWith('ERROR') && !s.startsWith('STATEMENT'));
}

async function rows(sql: string): Promise<unknown[][]> {
  return (await conn.runAndReadAll(rewriteForDuckDb(sql))).getRows();
}

describe('catalog emulation on DuckDB', () => {
  for (const file of ['psql', 'pgjdbc']) {
    for (const [i, sql] of statements(file).entries()) {
      it(`${file} #${i}: ${sql.replace(/\s+/g, ' ').slice(0, 60)}`, async () => {
        await expect(rows(sql)).resolves.toBeInstanceOf(Array);
      });
    }
  }

  it('format_type gives PostgreSQL names with typmods', async () => {
    const r = await rows("select a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) from pg_catalog.pg_attribute a join pg_catalog.pg_class c on c.oid = a.attrelid where c.relname = 'orders' order by a.attnum");
    expect(r).toEqual([
      ['o_orderkey', 'integer'],
      ['o_custkey', 'integer'],
      ['o_totalprice', 'numeric(15,2)'],
      ['o_orderdate', 'date'],
      ['o_comment', 'text'],
    ]);
  });

  it('regclass, regtype and version behave like PostgreSQL', async () => {
    const [[oid]] = (await rows("select 'orders'::regclass")) as [[bigint]];
    expect((await rows(`select ${oid}::regclass::text, 23::regtype::text, to_regtype('integer'), pg_catalog.version() like 'PostgreSQL 15%'`))[0]).toEqual(['orders', 'integer', 23, true]);
  });

  it('unanchored ~ searches like PostgreSQL', async () => {
    expect(await rows("select 'pg_toast_x' ~ '^pg_toast', 'abc' ~ 'b', 'abc' !~ 'z'")).toEqual([[true, true, true]]);
  });

  it('leaves ordinary queries untouched', () => {
    const q = "select o_orderkey from orders where o_comment ~ 'x'";
    expect(rewriteForDuckDb(q)).toBe(q);
  });
});
