/**
 * The feature vector: fixed named numeric fields handed to the cost model and to Rego policies
 * (`input.features`). Every name is documented in docs/features.md (a unit test checks it).
 * Absent things are 0; "no LIMIT" is -1.
 */
/** Every feature with its empty value (an object literal, so V8 keeps it in fast mode). */
const EMPTY = {
  tables: 0,
  tables_written: 0,
  columns: 0,
  projections: 0,
  select_star: 0,
  joins: 0,
  inner_joins: 0,
  outer_joins: 0,
  cross_joins: 0,
  aggregates: 0,
  distinct_aggregates: 0,
  group_by_width: 0,
  grouping_sets: 0,
  having: 0,
  where_clause: 0,
  window_functions: 0,
  distinct: 0,
  order_by_width: 0,
  limit: -1,
  offset: 0,
  subqueries: 0,
  subquery_depth: 0,
  ctes: 0,
  set_operations: 0,
  functions: 0,
  predicates: 0,
  eq_predicates: 0,
  range_predicates: 0,
  in_predicates: 0,
  in_list_values: 0,
  like_predicates: 0,
  null_predicates: 0,
  or_branches: 0,
  parameters: 0,
  literals: 0,
  ast_nodes: 0,
  sql_length: 0,
};

export type FeatureName = keyof typeof EMPTY;

export const FEATURE_NAMES = Object.keys(EMPTY) as readonly FeatureName[];

export type Features = Record<FeatureName, number>;

/** A vector of zeros (limit -1), to fill in. */
export function emptyFeatures(): Features {
  return { ...EMPTY };
}
