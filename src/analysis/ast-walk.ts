/**
 * One pass over a polyglot-sql AST (serde's externally tagged JSON: `{ node_type: {...fields} }`)
 * collecting tables, columns, predicates, joins, functions and the feature vector.
 */
import { emptyFeatures, type Features } from './features.js';
import type { Predicate, PredicateOp } from './types.js';

type Obj = Record<string, unknown>;

/** Node types that are syntax, not functions (everything else with a node of its own is a function). */
const STRUCTURAL = new Set([
  'select', 'union', 'intersect', 'except', 'table', 'column', 'star', 'literal', 'alias', 'and', 'or', 'not', 'xor',
  'eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'between', 'in', 'like', 'ilike', 'is_null', 'is_true', 'is_false', 'null_safe_eq',
  'null_safe_neq', 'add', 'sub', 'mul', 'div', 'int_div', 'mod', 'neg', 'paren', 'cast', 'try_cast', 'safe_cast', 'subquery',
  'exists', 'case', 'parameter', 'placeholder', 'tuple', 'boolean', 'null', 'interval', 'identifier', 'var', 'window_function',
  'this', 'dot', 'subscript', 'bracket', 'ordered', 'concat', 'array_func', 'within_group', 'values', 'lateral', 'insert',
  'update', 'delete', 'merge', 'create_table', 'bitwise_and', 'bitwise_or', 'bitwise_xor', 'bitwise_not', 'data_type',
  'any', 'all', 'some', 'when', 'filter', 'distinct', 'struct', 'map', 'lambda', 'raw', 'command', 'set', 'window',
]);

/** Aggregate functions that reach us as a generic `function` node. */
const AGGREGATE_NAMES = new Set([
  'count', 'sum', 'avg', 'min', 'max', 'array_agg', 'string_agg', 'group_concat', 'listagg', 'approx_distinct',
  'approx_count_distinct', 'approx_percentile', 'percentile_cont', 'percentile_disc', 'median', 'mode', 'stddev',
  'stddev_pop', 'stddev_samp', 'variance', 'var_pop', 'var_samp', 'bool_and', 'bool_or', 'every', 'any_value',
  'arbitrary', 'bit_and', 'bit_or', 'bit_xor', 'corr', 'covar_pop', 'covar_samp', 'count_if', 'countif', 'first',
  'last', 'histogram', 'map_agg', 'json_agg', 'jsonb_agg', 'json_object_agg', 'json_arrayagg', 'json_objectagg',
  'regr_slope', 'regr_intercept', 'geometric_mean', 'kurtosis', 'skewness', 'entropy', 'max_by', 'min_by', 'arg_max', 'arg_min',
]);
const GROUPING = new Set(['grouping sets', 'rollup', 'cube']);

interface Ident {
  name?: unknown;
  quoted?: unknown;
}

function ident(i: unknown): string | undefined {
  if (i === null || typeof i !== 'object') return undefined;
  const id = i as Ident;
  if (typeof id.name === 'string') return id.quoted === true ? id.name : id.name.toLowerCase();
  return ident(id.name); // create_table.name is a table-shaped object
}

/** A literal's value: numbers as numbers, strings and typed literals (DATE '...', CAST('...' AS DATE)) as text. */
function literalValue(v: unknown): number | string | undefined {
  let e = v as Obj | null;
  for (let i = 0; i < 3 && e !== null && typeof e === 'object'; i++) {
    if ('literal' in e) {
      const lit = e.literal as { literal_type?: string; value?: unknown };
      if (typeof lit.value !== 'string') return undefined;
      if (lit.literal_type === 'number') {
        const n = Number(lit.value);
        return Number.isFinite(n) ? n : undefined;
      }
      return lit.value;
    }
    if ('cast' in e) e = (e.cast as Obj).this as Obj;
    else if ('paren' in e) e = (e.paren as Obj).this as Obj;
    else if ('neg' in e) {
      const inner = literalValue((e.neg as Obj).this);
      return typeof inner === 'number' ? -inner : undefined;
    } else return undefined;
  }
  return undefined;
}

function literalNumber(v: unknown): number | undefined {
  const lit = (v as { literal?: { literal_type?: string; value?: string } } | null)?.literal;
  if (lit?.literal_type === 'number' && lit.value !== undefined) {
    const n = Number(lit.value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** Column reference `[qualifier, name]` when the expression is a plain column (parentheses and casts peeled). */
function columnOf(v: unknown): [string | undefined, string] | undefined {
  let e = v as Obj | null;
  for (let i = 0; i < 4 && e !== null && typeof e === 'object'; i++) {
    if ('column' in e) {
      const c = e.column as Obj;
      const name = ident(c.name);
      return name === undefined ? undefined : [ident(c.table), name];
    }
    if ('paren' in e) e = (e.paren as Obj).this as Obj;
    else if ('cast' in e) e = (e.cast as Obj).this as Obj;
    else return undefined;
  }
  return undefined;
}

export interface WalkResult {
  readonly tables: string[];
  readonly starTables: string[];
  readonly writtenTables: string[];
  readonly columns: string[];
  readonly predicates: Predicate[];
  readonly joins: string[];
  readonly aggregates: string[];
  readonly functions: string[];
  readonly ctes: string[];
  readonly limit?: number;
  readonly features: Features;
}

class Walker {
  readonly f = emptyFeatures();
  private readonly read = new Set<string>();
  private readonly written = new Set<string>();
  private readonly aliases = new Map<string, string>();
  private readonly cteNames = new Set<string>();
  private readonly rawColumns: [string | undefined, string][] = [];
  private readonly rawPreds: { col: [string | undefined, string]; op: PredicateOp; values: number; low?: number | string; high?: number | string }[] = [];
  /** Qualifiers (aliases or names) of tables read with all their columns. */
  private readonly rawStar = new Set<string>();
  readonly joins: string[] = [];
  private readonly aggregates = new Set<string>();
  private readonly functions = new Set<string>();
  private selectDepth = 0;
  private maxSelectDepth = 0;
  private inWindow = 0;
  private topSeen = false;
  /** `where_clause` is the first SELECT/UPDATE/DELETE's own (not a subquery's). */
  private whereDecided = false;
  private inCte = 0;
  limit: number | undefined;

  visit(v: unknown): void {
    if (v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      for (const x of v) this.visit(x);
      return;
    }
    const o = v as Obj;
    const keys = Object.keys(o);
    if (keys.length === 1) {
      const k = keys[0]!;
      const inner = o[k];
      if (inner === null || (typeof inner === 'object' && !Array.isArray(inner))) {
        this.node(k, inner as Obj | null);
        return;
      }
    }
    this.fields(o);
  }

  private fields(o: Obj | null): void {
    if (o === null) return;
    for (const k in o) {
      if (k === 'span' || k === 'trailing_comments' || k === 'leading_comments') continue;
      const x = o[k];
      if (x !== null && typeof x === 'object') this.visit(x);
    }
  }

  private node(type: string, n: Obj | null): void {
    if (type === 'this') {
      this.visit(n);
      return;
    }
    const f = this.f;
    f.ast_nodes++;
    switch (type) {
      case 'select':
        this.select(n!);
        return;
      case 'union':
      case 'intersect':
      case 'except':
        f.set_operations++;
        this.topClauses(n!);
        this.withClause(n!.with);
        this.fieldsExcept(n!, 'with');
        return;
      case 'table':
        this.table(n!, this.read);
        return;
      case 'column': {
        const name = ident(n!.name);
        if (name !== undefined) this.rawColumns.push([ident(n!.table), name]);
        return;
      }
      case 'star':
        if (this.selectDepth <= 1) f.select_star = 1;
        return;
      case 'literal':
        f.literals++;
        return;
      case 'parameter':
      case 'placeholder':
        f.parameters++;
        return;
      case 'subquery':
      case 'exists':
        f.subqueries++;
        break;
      case 'or':
        f.or_branches++;
        break;
      case 'in': {
        const list = Array.isArray(n!.expressions) ? n!.expressions.length : 0;
        if (n!.query !== null && n!.query !== undefined) f.subqueries++;
        this.pred(n!.this, 'in', Math.max(list, 1));
        f.in_list_values += list;
        break;
      }
      case 'eq':
      case 'neq':
      case 'gt':
      case 'gte':
      case 'lt':
      case 'lte': {
        const l = columnOf(n!.left);
        const r = columnOf(n!.right);
        const op: PredicateOp = type === 'eq' ? 'eq' : type === 'neq' ? 'neq' : 'range';
        if ((l && r) || (!l && !r)) break;
        const value = literalValue(l ? n!.right : n!.left);
        // Orient as "column <op> value": value > column is column < value.
        const lower = l ? type === 'gt' || type === 'gte' : type === 'lt' || type === 'lte';
        const upper = l ? type === 'lt' || type === 'lte' : type === 'gt' || type === 'gte';
        const bounds = value === undefined ? {} : op === 'eq' || op === 'neq' ? { low: value, high: value } : lower ? { low: value } : upper ? { high: value } : {};
        this.pred(l ? n!.left : n!.right, op, 1, bounds);
        break;
      }
      case 'between': {
        const low = literalValue(n!.low);
        const high = literalValue(n!.high);
        this.pred(n!.this, 'range', 1, n!.not === true ? {} : { low, high });
        break;
      }
      case 'like':
      case 'ilike':
        this.pred(n!.left ?? n!.this, 'like', 1);
        break;
      case 'is_null':
        this.pred(n!.this, 'null', 1);
        break;
      case 'window_function':
        f.window_functions++;
        this.inWindow++;
        this.fields(n);
        this.inWindow--;
        return;
      case 'function':
      case 'aggregate_function': {
        const name = typeof n!.name === 'string' ? n!.name.toLowerCase() : '';
        if (GROUPING.has(name)) {
          f.grouping_sets++;
          break;
        }
        this.fn(name, AGGREGATE_NAMES.has(name) || type === 'aggregate_function', n!.distinct === true);
        break;
      }
      case 'insert':
      case 'update':
      case 'delete':
        this.decideWhere(n!);
        this.table(n!.table as Obj, this.written);
        break;
      case 'merge': {
        const target = (n!.this as Obj | null)?.table as Obj | undefined;
        if (target) this.table(target, this.written);
        this.fieldsExcept(n!, 'this');
        return;
      }
      case 'create_table':
        if (n!.as_select !== null && n!.as_select !== undefined) this.table(n!.name as Obj, this.written);
        this.fieldsExcept(n!, 'name');
        return;
      default:
        if (!STRUCTURAL.has(type)) {
          // Typed function nodes (sum, upper, approx_distinct ...): aggregates carry a `filter` slot.
          const agg = n !== null && 'filter' in n;
          this.fn(type, agg, agg && n!.distinct === true);
        }
    }
    this.fields(n);
  }

  private fieldsExcept(n: Obj, skip: string): void {
    for (const k in n) if (k !== skip && k !== 'span' && k !== 'trailing_comments') this.visit(n[k]);
  }

  private fn(name: string, aggregate: boolean, distinct: boolean): void {
    if (name === '') return;
    this.functions.add(name);
    if (aggregate && this.inWindow === 0) {
      this.f.aggregates++;
      this.aggregates.add(name);
      if (distinct) this.f.distinct_aggregates++;
    }
  }

  private pred(expr: unknown, op: PredicateOp, values: number, bounds: { low?: number | string; high?: number | string } = {}): void {
    const col = columnOf(expr);
    if (col === undefined) return;
    this.rawPreds.push({ col, op, values, ...(bounds.low !== undefined ? { low: bounds.low } : {}), ...(bounds.high !== undefined ? { high: bounds.high } : {}) });
  }

  private table(t: Obj | undefined | null, into: Set<string>): void {
    if (t === null || t === undefined) return;
    const name = ident(t.name);
    if (name === undefined) return;
    const schema = ident(t.schema);
    const catalog = ident(t.catalog);
    const alias = ident(t.alias);
    if (schema === undefined && catalog === undefined && this.cteNames.has(name)) {
      if (alias !== undefined) this.aliases.set(alias, name);
      return;
    }
    const qualified = catalog !== undefined ? `${catalog}.${schema ?? ''}.${name}` : schema !== undefined ? `${schema}.${name}` : name;
    into.add(qualified);
    this.aliases.set(alias ?? name, qualified);
    if (alias !== undefined) this.aliases.set(name, qualified);
  }

  private withClause(w: unknown): void {
    const ctes = (w as { ctes?: unknown } | null | undefined)?.ctes;
    if (!Array.isArray(ctes)) return;
    for (const c of ctes) {
      const name = ident((c as Obj).alias);
      if (name !== undefined) this.cteNames.add(name);
    }
    this.f.ctes += ctes.length;
    // CTE bodies are not nested subqueries: visit them one level up.
    const depth = this.selectDepth;
    this.selectDepth = Math.max(0, depth - 1);
    this.inCte++;
    for (const c of ctes) this.visit((c as Obj).this);
    this.inCte--;
    this.selectDepth = depth;
  }

  private decideWhere(s: Obj): void {
    if (this.whereDecided) return;
    this.whereDecided = true;
    if (s.where_clause !== null && s.where_clause !== undefined) this.f.where_clause = 1;
  }

  /** LIMIT / OFFSET / ORDER BY of the outermost query. */
  private topClauses(s: Obj): void {
    if (this.topSeen || this.inCte > 0) return;
    this.topSeen = true;
    // A select's LIMIT is `{this: literal}`; a set operation's is the literal itself.
    const lim = literalNumber((s.limit as Obj | null)?.this) ?? literalNumber(s.limit) ?? literalNumber((s.fetch as Obj | null)?.count);
    if (lim !== undefined) {
      this.limit = lim;
      this.f.limit = lim;
    }
    const off = literalNumber((s.offset as Obj | null)?.this) ?? literalNumber(s.offset);
    if (off !== undefined) this.f.offset = off;
    const ob = (s.order_by as { expressions?: unknown[] } | null)?.expressions;
    if (Array.isArray(ob)) this.f.order_by_width = ob.length;
  }

  private select(s: Obj): void {
    const f = this.f;
    this.selectDepth++;
    if (this.selectDepth > this.maxSelectDepth) this.maxSelectDepth = this.selectDepth;
    this.withClause(s.with);
    if (this.selectDepth === 1 && this.inCte === 0) {
      // Projections of the outermost query (the first branch of a set operation).
      const exprs = s.expressions;
      if (Array.isArray(exprs) && f.projections === 0) f.projections = exprs.length;
      this.topClauses(s);
      this.decideWhere(s);
    }
    this.starsOf(s);
    if (s.distinct === true || (s.distinct_on !== null && s.distinct_on !== undefined)) f.distinct = 1;
    const gb = (s.group_by as { expressions?: unknown[] } | null)?.expressions;
    if (Array.isArray(gb)) f.group_by_width = Math.max(f.group_by_width, gb.length);
    if (s.having !== null && s.having !== undefined) f.having = 1;
    const joins = s.joins;
    if (Array.isArray(joins)) {
      for (const j of joins) {
        const kind = String((j as Obj).kind ?? 'inner').toLowerCase();
        this.joins.push(kind);
        f.joins++;
        if (kind === 'cross') f.cross_joins++;
        else if (kind === 'left' || kind === 'right' || kind === 'full' || kind.includes('outer')) f.outer_joins++;
        else f.inner_joins++;
      }
    }
    this.fieldsExcept(s, 'with');
    this.selectDepth--;
  }

  /** `*` reads every column of the tables listed directly in this select; `t.*` of table t. */
  private starsOf(s: Obj): void {
    const exprs = s.expressions;
    if (!Array.isArray(exprs)) return;
    for (const e of exprs) {
      const star = (e as Obj | null)?.star as Obj | undefined;
      if (star === undefined) continue;
      const q = ident(star.table);
      if (q !== undefined) {
        this.rawStar.add(q);
        continue;
      }
      const direct: unknown[] = [...(((s.from as Obj | null)?.expressions as unknown[] | undefined) ?? []), ...((s.joins as Obj[] | undefined) ?? []).map((j) => j.this)];
      for (const d of direct) {
        const t = (d as Obj | null)?.table as Obj | undefined;
        const name = t === undefined ? undefined : (ident(t.alias) ?? ident(t.name));
        if (name !== undefined) this.rawStar.add(name);
      }
    }
  }

  result(): WalkResult {
    const f = this.f;
    const only = this.read.size === 1 ? [...this.read][0] : undefined;
    const resolve = ([q, name]: [string | undefined, string]): string => {
      if (q !== undefined) return `${this.aliases.get(q) ?? q}.${name}`;
      return only !== undefined ? `${only}.${name}` : name;
    };
    const columns = [...new Set(this.rawColumns.map(resolve))];
    const predicates: Predicate[] = this.rawPreds.map(({ col, ...rest }) => ({ column: resolve(col), ...rest }));
    const starTables = [...new Set([...this.rawStar].map((q) => this.aliases.get(q) ?? q).filter((t) => this.read.has(t)))];
    for (const p of predicates) {
      f.predicates++;
      if (p.op === 'eq') f.eq_predicates++;
      else if (p.op === 'range') f.range_predicates++;
      else if (p.op === 'in') f.in_predicates++;
      else if (p.op === 'like') f.like_predicates++;
      else if (p.op === 'null') f.null_predicates++;
    }
    f.tables = this.read.size;
    f.tables_written = this.written.size;
    f.columns = columns.length;
    f.functions = this.functions.size;
    f.subquery_depth = Math.max(0, this.maxSelectDepth - 1);
    return {
      tables: [...this.read],
      starTables,
      writtenTables: [...this.written],
      columns,
      predicates,
      joins: this.joins,
      aggregates: [...this.aggregates],
      functions: [...this.functions],
      ctes: [...this.cteNames],
      limit: this.limit,
      features: f,
    };
  }
}

/** Walk one parsed statement. */
export function walkStatement(ast: unknown): WalkResult {
  const w = new Walker();
  w.visit(ast);
  return w.result();
}
