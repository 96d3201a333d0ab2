/**
 * PostgreSQL catalog emulation for DuckDB: a `qfpg` schema of views, tables and macros shaped like
 * pg_catalog, with PostgreSQL type OIDs and typmods, so psql's \d commands, pgJDBC metadata,
 * psycopg type lookups and SQLAlchemy reflection get PostgreSQL answers. DuckDB's own pg_catalog
 * is partial and uses DuckDB type ids; rewrite.ts points client catalog queries at qfpg instead.
 * OID columns of types and attributes are UINTEGER, which the DuckDB engine describes as
 * PostgreSQL's oid (asyncpg's type introspection needs oid[], not int8[]).
 */
import { PG_DISPLAY, PG_TYPES } from './pg-types.js';

/** DuckDB column type name → PostgreSQL type OID. */
const OID_OF_DUCKDB_TYPE = `CASE
  WHEN dt = 'BOOLEAN' THEN 16
  WHEN dt IN ('TINYINT', 'SMALLINT', 'UTINYINT') THEN 21
  WHEN dt IN ('INTEGER', 'USMALLINT') THEN 23
  WHEN dt = 'BIGINT' THEN 20
  WHEN dt = 'UINTEGER' THEN 26
  WHEN dt IN ('HUGEINT', 'UBIGINT', 'UHUGEINT', 'BIGNUM') OR dt LIKE 'DECIMAL%' THEN 1700
  WHEN dt = 'FLOAT' THEN 700
  WHEN dt = 'DOUBLE' THEN 701
  WHEN dt = 'BLOB' THEN 17
  WHEN dt = 'DATE' THEN 1082
  WHEN dt = 'TIME WITH TIME ZONE' THEN 1266
  WHEN dt LIKE 'TIME%' AND dt NOT LIKE 'TIMESTAMP%' THEN 1083
  WHEN dt = 'TIMESTAMP WITH TIME ZONE' THEN 1184
  WHEN dt LIKE 'TIMESTAMP%' THEN 1114
  WHEN dt = 'INTERVAL' THEN 1186
  WHEN dt = 'UUID' THEN 2950
  WHEN dt = 'JSON' THEN 114
  WHEN dt IN ('BOOLEAN[]') THEN 1000
  WHEN dt IN ('SMALLINT[]', 'TINYINT[]') THEN 1005
  WHEN dt = 'INTEGER[]' THEN 1007
  WHEN dt = 'BIGINT[]' THEN 1016
  WHEN dt = 'UINTEGER[]' THEN 1028
  WHEN dt = 'VARCHAR[]' THEN 1009
  WHEN dt = 'DOUBLE[]' THEN 1022
  WHEN dt = 'FLOAT[]' THEN 1021
  WHEN dt = 'DATE[]' THEN 1182
  WHEN dt LIKE 'DECIMAL%[]' THEN 1231
  ELSE 25 END`;

const typeRows = [
  ...PG_TYPES.map(([oid, name, len, cat, elem, arr, input]) => `(${oid}, '${name}', ${len}, 'b', '${cat}', ${elem}, ${arr}, '${input}')`),
  ...PG_TYPES.map(([oid, name, , , , arr]) => `(${arr}, '_${name}', -1, 'b', 'A', ${oid}, 0, 'array_in')`),
].join(',\n  ');

const displayCases = Object.entries(PG_DISPLAY)
  .map(([oid, name]) => `WHEN ${oid} THEN '${name}'`)
  .join(' ');
const arrayDisplayCases = PG_TYPES.map(([oid, , , , , arr]) => `WHEN ${arr} THEN '${PG_DISPLAY[oid] ?? 'text'}[]'`).join(' ');

/** Empty catalog relations DuckDB lacks, with the columns clients select from them. */
export const EMPTY_TABLES: Readonly<Record<string, string>> = {
  pg_opclass: 'oid BIGINT, opcname VARCHAR, opcdefault BOOLEAN, opcmethod BIGINT, opcnamespace BIGINT, opcintype BIGINT',
  pg_policy: 'oid BIGINT, polname VARCHAR, polpermissive BOOLEAN, polroles BIGINT[], polqual VARCHAR, polwithcheck VARCHAR, polcmd VARCHAR, polrelid BIGINT',
  pg_statistic_ext: 'oid BIGINT, stxrelid BIGINT, stxnamespace BIGINT, stxname VARCHAR, stxkind VARCHAR[], stxstattarget INTEGER',
  pg_publication: 'oid BIGINT, pubname VARCHAR, puballtables BOOLEAN',
  pg_publication_namespace: 'pnpubid BIGINT, pnnspid BIGINT',
  pg_publication_rel: 'prpubid BIGINT, prrelid BIGINT, prqual VARCHAR, prattrs SMALLINT[]',
  pg_inherits: 'inhrelid BIGINT, inhparent BIGINT, inhseqno INTEGER, inhdetachpending BOOLEAN',
  pg_trigger: 'oid BIGINT, tgrelid BIGINT, tgname VARCHAR, tgisinternal BOOLEAN, tgenabled VARCHAR, tgparentid BIGINT',
  pg_rewrite: 'oid BIGINT, rulename VARCHAR, ev_class BIGINT, ev_type VARCHAR, is_instead BOOLEAN',
  pg_range: 'rngtypid BIGINT, rngsubtype BIGINT, rngmultitypid BIGINT',
  pg_foreign_table: 'ftrelid BIGINT, ftserver BIGINT, ftoptions VARCHAR[]',
  pg_partitioned_table: 'partrelid BIGINT, partstrat VARCHAR',
  pg_collation: 'oid BIGINT, collname VARCHAR, collnamespace BIGINT',
  pg_extension: 'oid BIGINT, extname VARCHAR, extnamespace BIGINT, extversion VARCHAR',
  pg_event_trigger: 'oid BIGINT, evtname VARCHAR',
};

/** DuckDB's own catalog views that are good enough as they are (re-exposed in qfpg). */
export const PASSTHROUGH_VIEWS = ['pg_am', 'pg_sequence', 'pg_enum', 'pg_proc', 'pg_settings', 'pg_tables', 'pg_views', 'pg_depend'] as const;

/** pg_get_indexdef(a): the definition of a key constraint's index, else DuckDB's CREATE INDEX text. */
const INDEX_DEF = `coalesce((SELECT first(qf_indexdef) FROM qfpg.qf_index_defs WHERE qf_index = a), '')`;

/**
 * Constraints from duckdb_constraints() as PostgreSQL shows them: primary keys named <table>_pkey,
 * 1-based conkey, a definition for pg_get_constraintdef (qf_def), and for primary keys and unique
 * constraints an index (oid 10^9 + constraint oid) in pg_index and pg_class, which is what psql's
 * \d, pgJDBC's getPrimaryKeys and SQLAlchemy's get_pk_constraint read. NOT NULL is not a
 * constraint row in PostgreSQL 15, so it is left out.
 */
function constraintSql(): string[] {
  const cols = (list: string) => `array_to_string(${list}, ', ')`;
  return [
    `CREATE OR REPLACE VIEW qfpg.pg_constraint AS SELECT (table_oid * 1000 + constraint_index)::BIGINT AS oid,
  CASE constraint_type WHEN 'PRIMARY KEY' THEN table_name || '_pkey' ELSE constraint_name END AS conname, schema_oid::BIGINT AS connamespace,
  CASE constraint_type WHEN 'PRIMARY KEY' THEN 'p' WHEN 'UNIQUE' THEN 'u' WHEN 'FOREIGN KEY' THEN 'f' ELSE 'c' END AS contype,
  false AS condeferrable, false AS condeferred, true AS convalidated, table_oid::BIGINT AS conrelid, 0::BIGINT AS contypid,
  CASE WHEN constraint_type IN ('PRIMARY KEY', 'UNIQUE') THEN (1000000000 + table_oid * 1000 + constraint_index)::BIGINT ELSE 0::BIGINT END AS conindid,
  0::BIGINT AS conparentid,
  coalesce((SELECT first(t.table_oid) FROM duckdb_tables() t WHERE t.table_name = c.referenced_table AND t.schema_name = c.schema_name), 0)::BIGINT AS confrelid,
  'a' AS confupdtype, 'a' AS confdeltype, 's' AS confmatchtype, true AS conislocal, 0 AS coninhcount, false AS connoinherit,
  list_transform(constraint_column_indexes, i -> (i + 1)::SMALLINT) AS conkey, NULL::SMALLINT[] AS confkey, NULL::BIGINT[] AS conpfeqop,
  NULL::BIGINT[] AS conppeqop, NULL::BIGINT[] AS conffeqop, NULL::BIGINT[] AS conexclop, NULL::VARCHAR AS conbin,
  CASE constraint_type WHEN 'PRIMARY KEY' THEN 'PRIMARY KEY (' || ${cols('constraint_column_names')} || ')'
    WHEN 'UNIQUE' THEN 'UNIQUE (' || ${cols('constraint_column_names')} || ')'
    WHEN 'FOREIGN KEY' THEN 'FOREIGN KEY (' || ${cols('constraint_column_names')} || ') REFERENCES ' || referenced_table || '(' || ${cols('referenced_column_names')} || ')'
    ELSE constraint_text END AS qf_def,
  table_name AS qf_table, schema_name AS qf_schema, constraint_column_names AS qf_columns
  FROM duckdb_constraints() c
  WHERE constraint_type IN ('PRIMARY KEY', 'UNIQUE', 'FOREIGN KEY', 'CHECK') AND database_name = current_database() AND schema_name <> 'qfpg'`,
    `CREATE OR REPLACE VIEW qfpg.qf_key_indexes AS SELECT conindid AS indexrelid, conrelid AS indrelid, len(conkey)::INTEGER AS indnatts,
  len(conkey)::INTEGER AS indnkeyatts, true AS indisunique, contype = 'p' AS indisprimary, false AS indisexclusion, true AS indimmediate,
  false AS indisclustered, true AS indisvalid, false AS indcheckxmin, true AS indisready, true AS indislive, false AS indisreplident,
  list_transform(conkey, k -> k::INTEGER) AS indkey, list_transform(conkey, k -> 0::BIGINT) AS indcollation, list_transform(conkey, k -> 0::BIGINT) AS indclass,
  list_transform(conkey, k -> 0::INTEGER) AS indoption, NULL::VARCHAR AS indexprs, false AS indnullsnotdistinct,
  'CREATE UNIQUE INDEX ' || conname || ' ON ' || qf_schema || '.' || qf_table || ' USING btree (' || ${cols('qf_columns')} || ')' AS qf_def,
  conname, connamespace, qf_columns
  FROM qfpg.pg_constraint WHERE contype IN ('p', 'u')`,
    // Lookups for the pg_get_*def macros, with column names no caller's argument can capture
    // (a macro argument such as \`oid\` would otherwise bind to the subquery's own column).
    `CREATE OR REPLACE VIEW qfpg.qf_constraint_defs AS SELECT oid AS qf_constraint, qf_def AS qf_condef FROM qfpg.pg_constraint`,
    `CREATE OR REPLACE VIEW qfpg.qf_index_defs AS SELECT indexrelid AS qf_index, qf_def AS qf_indexdef, qf_columns AS qf_index_columns FROM qfpg.qf_key_indexes
  UNION ALL SELECT index_oid, sql, NULL::VARCHAR[] FROM duckdb_indexes()`,
  ];
}

/** Macros in qfpg: [signature, body]. Client calls to these names are pointed here by rewrite.ts. */
export const MACROS: readonly (readonly [string, string])[] = [
    ['pg_get_userbyid(x)', `'duckdb'`],
  ['pg_encoding_to_char(x)', `'UTF8'`],
  ['pg_get_indexdef(a)', INDEX_DEF],
  ['pg_get_indexdef(a, b, c)', `CASE WHEN b = 0 THEN ${INDEX_DEF} ELSE coalesce((SELECT first(qf_index_columns[b]) FROM qfpg.qf_index_defs WHERE qf_index = a), '') END`],
  ['_pg_expandarray(a)', `unnest(list_transform(range(1, len(a) + 1), i -> {'x': a[i], 'n': i}))`],
  ['pg_get_expr(x, y)', 'x'],
  ['pg_get_expr(x, y, z)', 'x'],
  ['pg_get_constraintdef(x)', '(SELECT first(qf_condef) FROM qfpg.qf_constraint_defs WHERE qf_constraint = x)'],
  ['pg_get_constraintdef(x, p)', '(SELECT first(qf_condef) FROM qfpg.qf_constraint_defs WHERE qf_constraint = x)'],
  ['pg_relation_is_publishable(x)', 'false'],
  ['pg_get_serial_sequence(a, b)', 'NULL::VARCHAR'],
  ['pg_get_statisticsobjdef_columns(x)', 'NULL::VARCHAR'],
  ['pg_table_is_visible(x)', 'true'],
  ['pg_type_is_visible(x)', 'true'],
  ['pg_collation_is_visible(x)', 'true'],
  ['obj_description(x, y)', 'NULL::VARCHAR'],
  ['col_description(x, y)', 'NULL::VARCHAR'],
  ['shobj_description(x, y)', 'NULL::VARCHAR'],
  ['has_table_privilege(a, b)', 'true'],
  ['has_schema_privilege(a, b)', 'true'],
  ['array_upper(a, d)', 'len(a)'],
  ['array_lower(a, d)', '1'],
  ['version()', `'PostgreSQL 15.0 (QueryFlux gateway, DuckDB ' || library_version || ' engine)' FROM pragma_version()`],
  ['to_regtype(n)', `(SELECT oid FROM qfpg.pg_type_rows WHERE typname = lower(CASE lower(n) WHEN 'integer' THEN 'int4' WHEN 'int' THEN 'int4' WHEN 'bigint' THEN 'int8' WHEN 'smallint' THEN 'int2'
    WHEN 'boolean' THEN 'bool' WHEN 'real' THEN 'float4' WHEN 'double precision' THEN 'float8' WHEN 'character varying' THEN 'varchar' WHEN 'decimal' THEN 'numeric'
    WHEN 'timestamp without time zone' THEN 'timestamp' WHEN 'timestamp with time zone' THEN 'timestamptz' ELSE replace(n, 'pg_catalog.', '') END))`],
  ['format_type(t, m)', `CASE WHEN t IS NULL THEN NULL WHEN t = 1700 AND m >= 4 THEN 'numeric(' || ((m - 4) >> 16) || ',' || ((m - 4) & 65535) || ')'
    WHEN t = 1043 AND m >= 4 THEN 'character varying(' || (m - 4) || ')' ELSE CASE t ${displayCases} ${arrayDisplayCases}
    ELSE coalesce((SELECT typname FROM qfpg.pg_type_rows WHERE oid = t), '???') END END`],
  ['regclass_oid(x)', `CASE WHEN TRY_CAST(x AS BIGINT) IS NOT NULL THEN TRY_CAST(x AS BIGINT)
    ELSE (SELECT oid FROM qfpg.pg_class WHERE relname = split_part(CAST(x AS VARCHAR), '.', -1) LIMIT 1) END`],
  ['regclass_name(x)', `coalesce((SELECT relname FROM qfpg.pg_class WHERE oid = TRY_CAST(x AS BIGINT)), CAST(x AS VARCHAR))`],
  ['regtype_name(x)', 'qfpg.format_type(TRY_CAST(x AS BIGINT), -1)'],
  ['regtype_oid(x)', 'coalesce(TRY_CAST(x AS BIGINT), qfpg.to_regtype(CAST(x AS VARCHAR)))'],
  ['regnamespace_name(x)', '(SELECT nspname FROM qfpg.pg_namespace WHERE oid = x)'],
];

/** Statements that install the emulation into a DuckDB database (idempotent). */
export function catalogSetupSql(): string[] {
  const s: string[] = ['CREATE SCHEMA IF NOT EXISTS qfpg'];
  s.push(`CREATE OR REPLACE TABLE qfpg.pg_type_rows AS SELECT * FROM (VALUES
  ${typeRows}) t(oid, typname, typlen, typtype, typcategory, typelem, typarray, typinput)`);
  s.push(`CREATE OR REPLACE VIEW qfpg.pg_type AS SELECT oid::UINTEGER AS oid, typname, 11::BIGINT AS typnamespace, 10::BIGINT AS typowner, typlen::SMALLINT AS typlen,
  typlen > 0 AND typlen <= 8 AS typbyval, typtype, typcategory, false AS typispreferred, true AS typisdefined, ',' AS typdelim, 0::BIGINT AS typrelid,
  typelem::UINTEGER AS typelem, typarray::UINTEGER AS typarray, typinput, replace(typinput, 'in', 'out') AS typoutput, typinput AS typreceive, typinput AS typsend,
  false AS typnotnull, 0::UINTEGER AS typbasetype, -1 AS typtypmod, 0 AS typndims, 0::BIGINT AS typcollation, NULL::VARCHAR AS typdefault, NULL::VARCHAR AS typacl,
  'i' AS typalign, 'p' AS typstorage FROM qfpg.pg_type_rows`);
  for (const [name, cols] of Object.entries(EMPTY_TABLES)) s.push(`CREATE TABLE IF NOT EXISTS qfpg.${name} (${cols})`);
  s.push(`CREATE OR REPLACE MACRO qfpg.oid_of_duckdb_type(dt) AS ${OID_OF_DUCKDB_TYPE}`);
  // pg_type rows live in pg_catalog (namespace 11), which DuckDB's pg_namespace does not list.
  s.push(`CREATE OR REPLACE VIEW qfpg.pg_namespace AS SELECT oid, nspname, nspowner, nspacl FROM pg_catalog.pg_namespace WHERE nspname NOT IN ('qfpg', 'pg_catalog')
  UNION ALL SELECT 11::BIGINT, 'pg_catalog', 10::BIGINT, NULL`);
  s.push(...constraintSql());
  // Tables with a primary key or unique constraint have an index (psql lists indexes only then);
  // the indexes behind those constraints are relations of their own, as in PostgreSQL.
  s.push(`CREATE OR REPLACE VIEW qfpg.pg_class AS SELECT c.* REPLACE (c.relhasindex OR c.oid IN (SELECT indrelid FROM qfpg.qf_key_indexes) AS relhasindex),
  false AS relforcerowsecurity FROM pg_catalog.pg_class c
  WHERE c.relnamespace NOT IN (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = 'qfpg')
  UNION ALL BY NAME SELECT indexrelid AS oid, conname AS relname, connamespace AS relnamespace, 0 AS reltype, 0 AS reloftype, 0 AS relowner, 0 AS relam,
  0 AS relfilenode, 0 AS reltablespace, 0 AS relpages, 0::FLOAT AS reltuples, 0 AS relallvisible, 0 AS reltoastrelid, false AS relhasindex, false AS relisshared,
  'p' AS relpersistence, 'i' AS relkind, indnatts AS relnatts, 0 AS relchecks, false AS relhasoids, false AS relhaspkey, false AS relhasrules,
  false AS relhastriggers, false AS relhassubclass, false AS relrowsecurity, true AS relispopulated, false AS relispartition, false AS relforcerowsecurity
  FROM qfpg.qf_key_indexes`);
  s.push(`CREATE OR REPLACE VIEW qfpg.pg_attribute AS SELECT table_oid AS attrelid, column_name AS attname, qfpg.oid_of_duckdb_type(data_type)::UINTEGER AS atttypid,
  0 AS attstattarget, -1::SMALLINT AS attlen, column_index::SMALLINT AS attnum, 0 AS attndims, -1 AS attcacheoff,
  CASE WHEN data_type LIKE 'DECIMAL%' AND numeric_precision IS NOT NULL THEN ((numeric_precision << 16) | numeric_scale) + 4 ELSE -1 END AS atttypmod,
  false AS attbyval, 'p' AS attstorage, 'i' AS attalign, NOT is_nullable AS attnotnull, column_default IS NOT NULL AS atthasdef, false AS atthasmissing,
  '' AS attidentity, '' AS attgenerated, false AS attisdropped, true AS attislocal, 0 AS attinhcount, 0::BIGINT AS attcollation, NULL::VARCHAR AS attacl,
  NULL::VARCHAR AS attoptions, NULL::VARCHAR AS attfdwoptions, '' AS attcompression
  FROM duckdb_columns() WHERE database_name = current_database() AND schema_name <> 'qfpg'`);
  s.push(`CREATE OR REPLACE VIEW qfpg.pg_attrdef AS SELECT (table_oid * 1000 + column_index)::BIGINT AS oid, table_oid AS adrelid, column_index::SMALLINT AS adnum, column_default AS adbin
  FROM duckdb_columns() WHERE column_default IS NOT NULL AND database_name = current_database()`);
  s.push(`CREATE OR REPLACE VIEW qfpg.pg_description AS SELECT objoid, TRY_CAST(classoid AS BIGINT) AS classoid, objsubid, description FROM pg_catalog.pg_description WHERE description IS NOT NULL`);
  s.push(`CREATE OR REPLACE VIEW qfpg.pg_database AS SELECT oid, datname, 10::BIGINT AS datdba, 6 AS encoding, 'C' AS datcollate, 'C' AS datctype, NULL::VARCHAR AS daticulocale,
  'c' AS datlocprovider, datallowconn, datistemplate, NULL::VARCHAR[] AS datacl, -1 AS datconnlimit FROM pg_catalog.pg_database`);
  s.push(`CREATE OR REPLACE VIEW qfpg.pg_index AS SELECT *, false AS indnullsnotdistinct, NULL::VARCHAR AS qf_def FROM pg_catalog.pg_index
  UNION ALL BY NAME SELECT * EXCLUDE (conname, connamespace, qf_columns) FROM qfpg.qf_key_indexes`);
  s.push(`CREATE OR REPLACE VIEW qfpg.pg_roles AS SELECT 10::BIGINT AS oid, 'duckdb' AS rolname, true AS rolsuper, true AS rolinherit, true AS rolcreaterole, true AS rolcreatedb,
  true AS rolcanlogin, false AS rolreplication, -1 AS rolconnlimit, NULL::VARCHAR AS rolvaliduntil, false AS rolbypassrls`);
  for (const v of PASSTHROUGH_VIEWS) {
    s.push(`CREATE OR REPLACE VIEW qfpg.${v} AS SELECT * FROM pg_catalog.${v}`);
  }
  const macros = MACROS;

  // One CREATE per name: DuckDB macros overload by argument count only within one statement.
  const byName = new Map<string, string[]>();
  for (const [sig, body] of macros) {
    const name = sig.slice(0, sig.indexOf('('));
    const list = byName.get(name) ?? [];
    list.push(`${sig.slice(name.length)} AS ${body.includes(' FROM pragma_version()') ? `(SELECT ${body})` : body}`);
    byName.set(name, list);
  }
  for (const [name, defs] of byName) s.push(`CREATE OR REPLACE MACRO qfpg.${name}${defs.join(',\n  ')}`);
  return s;
}
