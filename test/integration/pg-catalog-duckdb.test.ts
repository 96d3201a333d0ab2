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

  it('primary keys, unique and foreign keys appear in pg_constraint, pg_index and pg_class as in PostgreSQL', async () => {
    await conn.run('create table qf_pk2 (a integer, b integer, c integer unique, primary key (b, a))');
    await conn.run('create table qf_fk (x integer references qf_pk2 (c))');
    const cons = await rows(`select conname, contype, conkey::text, pg_catalog.pg_get_constraintdef(oid, true), conindid <> 0 from pg_catalog.pg_constraint
      where conrelid in ('qf_pk2'::regclass, 'qf_fk'::regclass) order by conname`);
    expect(cons).toEqual([
      ['qf_fk_x_c_fkey', 'f', '[1]', 'FOREIGN KEY (x) REFERENCES qf_pk2(c)', false],
      ['qf_pk2_c_key', 'u', '[3]', 'UNIQUE (c)', true],
      ['qf_pk2_pkey', 'p', '[2, 1]', 'PRIMARY KEY (b, a)', true],
    ]);
    // psql \d: the index list, with pg_get_indexdef after " USING ".
    const idx = await rows(`SELECT c2.relname, i.indisprimary, pg_catalog.pg_get_indexdef(i.indexrelid, 0, true), contype FROM pg_catalog.pg_class c, pg_catalog.pg_class c2, pg_catalog.pg_index i
      LEFT JOIN pg_catalog.pg_constraint con ON (conrelid = i.indrelid AND conindid = i.indexrelid AND contype IN ('p','u','x'))
      WHERE c.oid = 'qf_pk2'::regclass AND c.oid = i.indrelid AND i.indexrelid = c2.oid ORDER BY i.indisprimary DESC, c2.relname`);
    expect(idx).toEqual([
      ['qf_pk2_pkey', true, 'CREATE UNIQUE INDEX qf_pk2_pkey ON main.qf_pk2 USING btree (b, a)', 'p'],
      ['qf_pk2_c_key', false, 'CREATE UNIQUE INDEX qf_pk2_c_key ON main.qf_pk2 USING btree (c)', 'u'],
    ]);
    expect(await rows("select relhasindex from pg_catalog.pg_class where relname = 'qf_pk2'")).toEqual([[true]]);
    // pgJDBC getPrimaryKeys, as pgJDBC 42 sends it.
    const pk = await rows(`SELECT result.COLUMN_NAME, result.KEY_SEQ, result.PK_NAME FROM (SELECT NULL AS TABLE_CAT, n.nspname AS TABLE_SCHEM, ct.relname AS TABLE_NAME,
      a.attname AS COLUMN_NAME, (information_schema._pg_expandarray(i.indkey)).n AS KEY_SEQ, ci.relname AS PK_NAME, information_schema._pg_expandarray(i.indkey) AS KEYS,
      a.attnum AS A_ATTNUM FROM pg_catalog.pg_class ct JOIN pg_catalog.pg_attribute a ON (ct.oid = a.attrelid) JOIN pg_catalog.pg_namespace n ON (ct.relnamespace = n.oid)
      JOIN pg_catalog.pg_index i ON ( a.attrelid = i.indrelid) JOIN pg_catalog.pg_class ci ON (ci.oid = i.indexrelid) WHERE true AND ct.relname = E'qf_pk2' AND i.indisprimary )
      result where result.A_ATTNUM = (result.KEYS).x ORDER BY result.table_name, result.pk_name, result.key_seq`);
    expect(pk).toEqual([
      ['b', 1n, 'qf_pk2_pkey'],
      ['a', 2n, 'qf_pk2_pkey'],
    ]);
    await conn.run('drop table qf_fk');
    await conn.run('drop table qf_pk2');
  });

  it('OID columns and ::oid casts are UINTEGER, which the engine describes as oid', async () => {
    const r = await conn.runAndReadAll(rewriteForDuckDb('select t.oid, t.typelem, $1::oid[] as a from pg_catalog.pg_type t limit 0').replace('$1', '[]'));
    expect(r.columnTypes().map((t) => t.toString())).toEqual(['UINTEGER', 'UINTEGER', 'UINTEGER[]']);
  });

  it('unanchored ~ searches like PostgreSQL', async () => {
    expect(await rows("select 'pg_toast_x' ~ '^pg_toast', 'abc' ~ 'b', 'abc' !~ 'z'")).toEqual([[true, true, true]]);
  });

  it('leaves ordinary queries untouched', () => {
    const q = "select o_orderkey from orders where o_comment ~ 'x'";
    expect(rewriteForDuckDb(q)).toBe(q);
  });
});
