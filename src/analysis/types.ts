/** Query analysis contract: what routing, costing and history know about one statement. */
import type { FeatureName } from './features.js';

export type StatementKind = 'select' | 'insert' | 'update' | 'delete' | 'ddl' | 'set' | 'show' | 'explain' | 'transaction' | 'other';

/** How a predicate constrains one column. */
export type PredicateOp = 'eq' | 'neq' | 'range' | 'in' | 'like' | 'null';

export interface Predicate {
  /** `table.column` when the table is known (aliases resolved), else the column as written. */
  readonly column: string;
  readonly op: PredicateOp;
  /** Number of values for IN lists; 1 otherwise. */
  readonly values: number;
  /**
   * Literal bounds, when the compared value is a literal (numbers, or date/time/string text); for
   * `=` and `<>` both are the compared value.
   */
  readonly low?: number | string;
  readonly high?: number | string;
}

export interface SyntaxErrorInfo {
  readonly message: string;
  /** 1-based line and column, and 1-based character position in the statement. */
  readonly line?: number;
  readonly column?: number;
  readonly position?: number;
}

export interface Analysis {
  readonly kind: StatementKind;
  /** Upper-case leading keyword (SELECT, BEGIN, ...). */
  readonly verb: string;
  /** True when the statement cannot change data (safe to retry elsewhere). */
  readonly readOnly: boolean;
  /** Physical tables read, qualified as written (lower-cased unless quoted); CTE names excluded. */
  readonly tables: readonly string[];
  /** Tables written (INSERT/UPDATE/DELETE/MERGE targets, CREATE TABLE ... AS). */
  readonly writtenTables: readonly string[];
  /** Tables whose every column is read (`SELECT *` or `t.*` directly over them). */
  readonly starTables: readonly string[];
  /** Columns referenced, `table.column` where resolvable. */
  readonly columns: readonly string[];
  /** Predicates on columns in WHERE, HAVING and ON clauses. */
  readonly predicates: readonly Predicate[];
  /** Join kinds in order of appearance (inner, left, right, full, cross, natural, ...). */
  readonly joins: readonly string[];
  /** Aggregate functions used (lower-case names). */
  readonly aggregates: readonly string[];
  /** Every function used (lower-case names, aggregates and window functions included). */
  readonly functions: readonly string[];
  /** CTE names. */
  readonly ctes: readonly string[];
  /** Outermost LIMIT / FETCH FIRST value, when it is a literal. */
  readonly limit?: number;
  /** Literal-normalised text, equal for queries that differ only in constants (LIMIT values kept). */
  readonly fingerprint: string;
  /** Fixed named numeric features (docs/features.md), for the cost model and policies. */
  readonly features: Readonly<Record<FeatureName, number>>;
  /** Set when the SQL parser rejected the statement in its source dialect. */
  readonly syntaxError?: SyntaxErrorInfo;
  /** 'ast' when parsed, 'lexical' when only the leading keyword was read (utility statements). */
  readonly depth: 'ast' | 'lexical';
}
