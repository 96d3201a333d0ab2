/** Query analysis contract. The full analyser (AST, features) arrives with its own issue. */

export type StatementKind = 'select' | 'insert' | 'update' | 'delete' | 'ddl' | 'set' | 'show' | 'explain' | 'transaction' | 'other';

/** What routing, costing and history know about one statement. */
export interface Analysis {
  readonly kind: StatementKind;
  /** Upper-case leading keyword (SELECT, BEGIN, ...). */
  readonly verb: string;
  /** True when the statement cannot change data (safe to retry elsewhere). */
  readonly readOnly: boolean;
  /** Tables read, qualified as written; empty when unknown. */
  readonly tables: readonly string[];
  /** Literal-normalised text, equal for queries that differ only in constants. */
  readonly fingerprint: string;
  /** Named numeric features for the cost model and policies. */
  readonly features: Readonly<Record<string, number>>;
}
