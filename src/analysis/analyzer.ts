/**
 * Query analysis: statement kind from the leading keyword, then (for queries and DML) a real
 * parse with polyglot-sql in the statement's source dialect, walked once into tables, columns,
 * predicates and the feature vector.
 *
 * Two caches keep the per-query cost near zero: by exact SQL text, then by literal-normalised
 * text (so `... WHERE id = 1` and `... WHERE id = 2` share one parse). Parse errors are cached too.
 */
import { init, isInitialized, parse } from '@polyglot-sql/sdk';
import { LruCache } from '../core/lru.js';
import type { Dialect } from '../core/types.js';
import { walkStatement } from './ast-walk.js';
import { emptyFeatures, type Features } from './features.js';
import { hasWhereKeyword, KIND_BY_VERB, leadingVerb, normalizeLiterals, READ_ONLY_KINDS } from './lexical.js';
import type { Analysis, StatementKind, SyntaxErrorInfo } from './types.js';

/** polyglot-sql's name for each of our dialects. */
export const POLYGLOT_DIALECT: Readonly<Record<Dialect, string>> = {
  postgres: 'postgresql',
  mysql: 'mysql',
  trino: 'trino',
  duckdb: 'duckdb',
  starrocks: 'starrocks',
  athena: 'athena',
  generic: 'generic',
};

/** Statements longer than this are analysed lexically only (parsing them costs more than it tells). */
const MAX_PARSE_CHARS = 256 * 1024;
const PARSED_KINDS = new Set<StatementKind>(['select', 'insert', 'update', 'delete']);
// Analyses are shared by every query with the same text and never mutated (types are readonly).
// They are not frozen: spreading a frozen object costs V8 ≈ 12 µs.
const NONE: readonly never[] = [];

const byText = new LruCache<string, Analysis>(10_000);
const byShape = new LruCache<string, Analysis>(10_000);

let parses = 0;
/** Number of real parses so far (for tests and the benchmark). */
export function parseCount(): number {
  return parses;
}

/**
 * Load polyglot-sql's wasm (≈ 230 ms) once, at start. Until it is loaded, statements are analysed
 * lexically only (and those analyses are not cached).
 */
export async function warmUpAnalysis(): Promise<void> {
  if (!isInitialized()) await init();
  parse('SELECT 1', 'generic' as never);
}

/** Drop both caches (benchmarks measure uncached analysis with this). */
export function clearAnalysisCache(): void {
  byText.clear();
  byShape.clear();
}

/** Cached analysis of one statement written in `dialect`. */
export function analyze(sql: string, dialect: Dialect = 'generic'): Analysis {
  const textKey = dialect === 'postgres' ? sql : `${dialect}\u0000${sql}`;
  let a = byText.get(textKey);
  if (a !== undefined) return a;
  if (!isInitialized()) {
    const verb = leadingVerb(sql);
    return lexicalAnalysis(sql, verb, KIND_BY_VERB[verb] ?? 'other', normalizeLiterals(sql).fingerprint);
  }
  a = analyzeUncached(sql, dialect);
  byText.set(textKey, a);
  return a;
}

function analyzeUncached(sql: string, dialect: Dialect): Analysis {
  const verb = leadingVerb(sql);
  const kind: StatementKind = KIND_BY_VERB[verb] ?? 'other';
  const values: (number | string | undefined)[] = [];
  const { normalized, fingerprint } = normalizeLiterals(sql, values);
  const wantsParse = (PARSED_KINDS.has(kind) || verb === 'CREATE') && sql.length <= MAX_PARSE_CHARS;
  if (!wantsParse) return lexicalAnalysis(sql, verb, kind, fingerprint);

  const shapeKey = `${dialect}\u0000${normalized}`;
  const shared = byShape.get(shapeKey);
  // Same statement but for its literals: reuse the parse (a syntax error's position may differ:
  // reparse), with the predicates' literal bounds taken from this statement's own literals.
  if (shared !== undefined && shared.syntaxError === undefined) {
    const rebound = rebind(shared, values);
    if (rebound !== undefined) return rebound.features.sql_length === sql.length ? rebound : { ...rebound, features: { ...rebound.features, sql_length: sql.length } };
  }
  const a = parsedAnalysis(sql, dialect, verb, kind, fingerprint);
  byShape.set(shapeKey, a);
  BOUNDS.set(a, boundSlots(a, values));
  return a;
}

/** Where each predicate bound of a parsed analysis came from: the index of its literal in the text. */
type BoundSlots = { readonly literals: number; readonly slots: readonly { readonly pred: number; readonly low?: number; readonly high?: number }[] } | 'none' | 'ambiguous';
const BOUNDS = new WeakMap<Analysis, BoundSlots>();

function boundSlots(a: Analysis, values: readonly (number | string | undefined)[]): BoundSlots {
  if (!a.predicates.some((p) => p.low !== undefined || p.high !== undefined)) return 'none';
  const find = (v: number | string): number | undefined => {
    let at: number | undefined;
    for (let i = 0; i < values.length; i++) {
      if (values[i] !== v) continue;
      if (at !== undefined) return undefined; // the same value twice: cannot tell which
      at = i;
    }
    return at;
  };
  const slots: { pred: number; low?: number; high?: number }[] = [];
  for (let i = 0; i < a.predicates.length; i++) {
    const p = a.predicates[i]!;
    if (p.low === undefined && p.high === undefined) continue;
    const low = p.low === undefined ? undefined : find(p.low);
    const high = p.high === undefined ? undefined : find(p.high);
    if ((p.low !== undefined && low === undefined) || (p.high !== undefined && high === undefined)) return 'ambiguous';
    slots.push({ pred: i, low, high });
  }
  return { literals: values.length, slots };
}

/** `shared` (same shape) with its predicate bounds read from this statement's literal `values`; undefined = parse afresh. */
function rebind(shared: Analysis, values: readonly (number | string | undefined)[]): Analysis | undefined {
  const b = BOUNDS.get(shared);
  if (b === undefined || b === 'none') return shared;
  if (b === 'ambiguous') return undefined;
  if (values.length !== b.literals) return undefined;
  const predicates = shared.predicates.slice();
  for (const s of b.slots) {
    const p = predicates[s.pred]!;
    const low = s.low === undefined ? undefined : values[s.low];
    const high = s.high === undefined ? undefined : values[s.high];
    if ((s.low !== undefined && low === undefined) || (s.high !== undefined && high === undefined)) return undefined;
    predicates[s.pred] = { ...p, ...(low !== undefined && { low }), ...(high !== undefined && { high }) };
  }
  return { ...shared, predicates };
}

function lexicalAnalysis(sql: string, verb: string, kind: StatementKind, fingerprint: string, syntaxError?: SyntaxErrorInfo): Analysis {
  const features = emptyFeatures();
  features.sql_length = sql.length;
  if (kind === 'select' || kind === 'update' || kind === 'delete') features.where_clause = hasWhereKeyword(fingerprint) ? 1 : 0;
  return {
    kind,
    verb,
    readOnly: READ_ONLY_KINDS.has(kind),
    tables: NONE,
    starTables: NONE,
    writtenTables: NONE,
    columns: NONE,
    predicates: NONE,
    joins: NONE,
    aggregates: NONE,
    functions: NONE,
    ctes: NONE,
    fingerprint,
    features: features,
    syntaxError,
    depth: 'lexical' as const,
  };
}

interface ParseFailure {
  error?: string | null;
  errorLine?: number;
  errorColumn?: number;
  errorStart?: number;
}

function parsedAnalysis(sql: string, dialect: Dialect, verb: string, kind: StatementKind, fingerprint: string): Analysis {
  parses++;
  let result: ReturnType<typeof parse>;
  try {
    result = parse(sql, POLYGLOT_DIALECT[dialect] as never);
  } catch (err) {
    return lexicalAnalysis(sql, verb, kind, fingerprint, { message: err instanceof Error ? err.message : String(err) });
  }
  if (!result.success || !Array.isArray(result.ast) || result.ast.length === 0) {
    const f = result as unknown as ParseFailure;
    const message = (f.error ?? 'cannot parse statement').replace(/^Parse error at line \d+, column \d+: /, '');
    return lexicalAnalysis(sql, verb, kind, fingerprint, {
      message,
      line: f.errorLine,
      column: f.errorColumn,
      position: f.errorStart === undefined ? undefined : f.errorStart + 1,
    });
  }
  const w = walkStatement(result.ast);
  const features: Features = w.features;
  features.sql_length = sql.length;
  const writes = w.writtenTables.length > 0 || kind === 'insert' || kind === 'update' || kind === 'delete';
  return {
    kind,
    verb,
    readOnly: READ_ONLY_KINDS.has(kind) && !writes,
    tables: w.tables,
    starTables: w.starTables,
    writtenTables: w.writtenTables,
    columns: w.columns,
    predicates: w.predicates,
    joins: w.joins,
    aggregates: w.aggregates,
    functions: w.functions,
    ctes: w.ctes,
    limit: w.limit,
    fingerprint,
    features: features,
    depth: 'ast' as const,
  };
}

const targetParses = new LruCache<string, boolean>(2_000);
const CATALOG_NAMES = /\b(?:pg_catalog|information_schema|pg_[a-z_]+)\b/i;

/**
 * A statement the parser rejected in its source dialect, going to an engine of another dialect:
 * is it a syntax error for the engine too? Yes when it does not parse in the target dialect
 * either (cached). Catalog queries are left to the catalog emulation, and same-dialect routes to
 * the engine, which is the authority on its own dialect.
 */
export function confirmedSyntaxError(sql: string, analysis: Analysis, target: Dialect, source: Dialect): SyntaxErrorInfo | undefined {
  const err = analysis.syntaxError;
  if (err === undefined || target === source || CATALOG_NAMES.test(sql)) return undefined;
  const key = `${target}\u0000${sql}`;
  let parsesInTarget = targetParses.get(key);
  if (parsesInTarget === undefined) {
    try {
      parsesInTarget = parse(sql, POLYGLOT_DIALECT[target] as never).success;
    } catch {
      parsesInTarget = true; // the parser broke, not the statement: let the engine decide
    }
    targetParses.set(key, parsesInTarget);
  }
  return parsesInTarget ? undefined : err;
}
