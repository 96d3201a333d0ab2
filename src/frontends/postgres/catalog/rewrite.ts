/**
 * Rewrites PostgreSQL clients' catalog queries so they run on DuckDB against the qfpg emulation
 * (setup-sql.ts). Only statements that look like catalog queries are touched; a cheap pre-check
 * keeps ordinary queries at a single regex test.
 */
import { EMPTY_TABLES, MACROS, PASSTHROUGH_VIEWS } from './setup-sql.js';

const RELATIONS = [
  'pg_type', 'pg_class', 'pg_attribute', 'pg_namespace', 'pg_attrdef', 'pg_description', 'pg_database', 'pg_roles', 'pg_index', 'pg_constraint',
  ...PASSTHROUGH_VIEWS, ...Object.keys(EMPTY_TABLES),
];
const FUNCTIONS = [...new Set(MACROS.map(([sig]) => sig.slice(0, sig.indexOf('('))))].filter((f) => !f.startsWith('reg'));

const LOOKS_LIKE_CATALOG = /pg_|::\s*reg|::\s*oid\b|\bAS\s+REG|version\s*\(|format_type|OPERATOR\s*\(|information_schema|json_build_object/i;

// An operand of a :: cast: a (qualified) name, a $n parameter, or a quoted literal.
const OPERAND = String.raw`('(?:[^']|'')*'|\$\d+|\d+|[A-Za-z_][\w.]*)`;
const PG = String.raw`(?:pg_catalog\.)?`;

const RULES: readonly (readonly [RegExp, string | ((...m: string[]) => string)])[] = [
  [/OPERATOR\s*\(\s*pg_catalog\.([^)\s]+)\s*\)/gi, '$1'],
  [/\s+COLLATE\s+pg_catalog\."?default"?/gi, ''],
  // PostgreSQL's ~ searches; DuckDB's ~ must match the whole string: widen unanchored patterns.
  [/(!?~)\s*'((?:[^']|'')*)'/g, (_m, op: string, re: string) => `${op} '${re.startsWith('^') ? '' : '.*'}${re}${re.endsWith('$') ? '' : '.*'}'`],
  [new RegExp(String.raw`'(?:pg_catalog\.)?((?:[^']|'')*)'::${PG}regproc\b`, 'gi'), "'$1'"],
  [new RegExp(String.raw`CAST\(\s*CAST\(\s*${OPERAND}\s+AS\s+REGCLASS\s*\)\s+AS\s+TEXT\s*\)`, 'gi'), 'qfpg.regclass_name($1)'],
  [new RegExp(String.raw`CAST\(\s*${OPERAND}\s+AS\s+REGCLASS\s*\)`, 'gi'), 'qfpg.regclass_oid($1)'],
  [new RegExp(String.raw`${OPERAND}::${PG}regclass::${PG}text\b`, 'gi'), 'qfpg.regclass_name($1)'],
  [new RegExp(String.raw`${OPERAND}::${PG}regclass\b`, 'gi'), 'qfpg.regclass_oid($1)'],
  [new RegExp(String.raw`${OPERAND}::${PG}regtype(?:::${PG}text)?\b`, 'gi'), 'qfpg.regtype_name($1)'],
  [new RegExp(String.raw`${OPERAND}::${PG}regnamespace(?:::${PG}text)?\b`, 'gi'), 'qfpg.regnamespace_name($1)'],
  [/::\s*pg_catalog\./gi, '::'],
  // DuckDB's oid is BIGINT; UINTEGER is what the DuckDB engine describes as PostgreSQL's oid.
  [/::\s*oid\b/gi, '::UINTEGER'],
  [new RegExp(String.raw`(?<![\w."'])${PG}(${RELATIONS.join('|')})\b(?!\s*\()`, 'g'), 'qfpg.$1'],
  // Column references qualified by schema.table (SQLAlchemy style) bind by table name in DuckDB.
  [/(?<![\w."'])qfpg\.(\w+)\.(\w+)/g, '$1.$2'],
  [new RegExp(String.raw`(?<![\w."'])${PG}(${FUNCTIONS.join('|')})\s*\(`, 'g'), 'qfpg.$1('],
  [/(?<![\w."])pg_catalog\.(\w+)\s*\(/g, '$1('],
  [/\bjson_build_object\s*\(/gi, 'json_object('],
  // pgJDBC's getPrimaryKeys expands indkey with this PostgreSQL-internal helper.
  [/\binformation_schema\._pg_expandarray\s*\(/gi, 'qfpg._pg_expandarray('],
  // DuckDB's generate_subscripts is a macro that cannot see the outer row inside a join subquery.
  // The dimension argument stays referenced (0 * dim) so $n parameter numbering is unchanged.
  [/\bgenerate_subscripts\(\s*([\w.]+)\s*,\s*([^)]*)\)/gi, 'unnest(generate_series(1 + 0 * ($2), len($1)))'],
  // psql's publication query indexes an array by a generate_series alias; DuckDB names that column.
  [/\bprattrs\[s\]/g, 'prattrs[s.generate_series]'],
  // Array literals in PostgreSQL's '{...}' form (e.g. polroles = '{0}') → DuckDB lists.
  [/'\{([\d,\s]*)\}'/g, '[$1]'],
];

/**
 * CAST(<any expression> AS REGCLASS|REGTYPE) with balanced parentheses → qfpg helper call
 * (the regex rules only handle simple operands).
 */
function rewriteBalancedCasts(sql: string): string {
  const re = /\s+AS\s+(REGCLASS|REGTYPE)\s*\)/gi;
  let out = sql;
  for (let guard = 0; guard < 50; guard++) {
    re.lastIndex = 0;
    const m = re.exec(out);
    if (!m) break;
    let depth = 0;
    let i = m.index - 1;
    for (; i >= 0; i--) {
      const c = out[i];
      if (c === ')') depth++;
      else if (c === '(') {
        if (depth === 0) break;
        depth--;
      }
    }
    const open = i;
    const castStart = out.lastIndexOf('CAST', open);
    if (open < 0 || castStart < 0 || out.slice(castStart, open).trim().toUpperCase() !== 'CAST') break;
    const helper = m[1]!.toUpperCase() === 'REGCLASS' ? 'qfpg.regclass_oid' : 'qfpg.regtype_oid';
    out = `${out.slice(0, castStart)}${helper}(${out.slice(open + 1, m.index)})${out.slice(m.index + m[0].length)}`;
  }
  return out;
}

/** Rewrite one statement for DuckDB; returns the input unchanged when it is not a catalog query. */
export function rewriteForDuckDb(sql: string): string {
  if (!LOOKS_LIKE_CATALOG.test(sql)) return sql;
  let out = sql;
  for (const [re, to] of RULES) out = out.replace(re, to as string);
  return rewriteBalancedCasts(out);
}
