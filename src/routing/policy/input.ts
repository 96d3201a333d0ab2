/** The input document a Rego routing policy sees (schema in docs/policies.md). */
import type { RoutingInput } from '../types.js';

/** What policies receive as `input`. Keys are snake_case, as is usual in Rego. */
export interface PolicyInput {
  protocol: string;
  user: string;
  groups_of_user: readonly string[];
  headers: Readonly<Record<string, string>>;
  client_tags: readonly string[];
  session: Record<string, string>;
  source: string | null;
  database: string | null;
  sql: string;
  statement: string;
  read_only: boolean;
  tables: readonly string[];
  features: Readonly<Record<string, number>>;
  fingerprint: string;
  estimates: Record<string, { usd: number; seconds: number; bytes_scanned: number; confidence: number }>;
  groups: Record<string, { running: number; queued: number; max_running: number | null; healthy_members: number }>;
  now: { unix_ms: number; hour_utc: number; weekday: number };
}

const PROTOCOL_NAMES: Readonly<Record<string, string>> = { postgres: 'postgresWire', mysql: 'mysqlWire', 'trino-http': 'trinoHttp', 'flight-sql': 'flightSql' };

/**
 * The parts of the input a policy reads (src/routing/policy/refs.ts): only those are built and
 * serialised. Undefined builds everything.
 */
export interface InputProjection {
  readonly keys: ReadonlySet<string>;
  readonly nowKeys: ReadonlySet<string> | 'all';
  /** Features built (the rest are left out, so a decision memo is not split by features the policy ignores). */
  readonly featureKeys: ReadonlySet<string> | 'all';
}

/**
 * Build the input for one query, only the keys in `projection` when given (the document's key
 * order stays the same, so equal inputs serialise to equal JSON). `now` is injectable for tests.
 */
export function buildProjectedInput(input: RoutingInput, projection: InputProjection, now: number = Date.now()): Partial<PolicyInput> {
  const keys = projection.keys;
  const out: Partial<PolicyInput> = {};
  const r = input.request;
  if (keys.has('protocol')) out.protocol = PROTOCOL_NAMES[r.protocol] ?? r.protocol;
  if (keys.has('user')) out.user = r.user;
  if (keys.has('groups_of_user')) out.groups_of_user = input.userGroups;
  if (keys.has('headers')) out.headers = r.headers;
  if (keys.has('client_tags')) out.client_tags = r.clientTags;
  if (keys.has('session')) out.session = sessionOf(input);
  if (keys.has('source')) out.source = r.source ?? null;
  if (keys.has('database')) out.database = r.database ?? null;
  if (keys.has('sql')) out.sql = r.sql;
  if (keys.has('statement')) out.statement = input.analysis.kind;
  if (keys.has('read_only')) out.read_only = input.analysis.readOnly;
  if (keys.has('tables')) out.tables = input.analysis.tables;
  if (keys.has('features')) {
    const fk = projection.featureKeys;
    if (fk === 'all') out.features = input.analysis.features;
    else {
      const all = input.analysis.features as Readonly<Record<string, number>>;
      const part: Record<string, number> = {};
      for (const k of fk) if (k in all) part[k] = all[k]!;
      out.features = part;
    }
  }
  if (keys.has('fingerprint')) out.fingerprint = input.analysis.fingerprint;
  if (keys.has('estimates')) out.estimates = estimatesOf(input);
  if (keys.has('groups')) out.groups = groupsOf(input);
  if (keys.has('now')) {
    const all = buildNow(now);
    const nk = projection.nowKeys;
    if (nk === 'all') out.now = all;
    else {
      const part: Partial<PolicyInput['now']> = {};
      if (nk.has('unix_ms')) part.unix_ms = all.unix_ms;
      if (nk.has('hour_utc')) part.hour_utc = all.hour_utc;
      if (nk.has('weekday')) part.weekday = all.weekday;
      out.now = part as PolicyInput['now'];
    }
  }
  return out;
}

function sessionOf(input: RoutingInput): Record<string, string> {
  const session: Record<string, string> = {};
  for (const [k, v] of input.request.session.settings) session[k] = v;
  return session;
}

function estimatesOf(input: RoutingInput): PolicyInput['estimates'] {
  const estimates: PolicyInput['estimates'] = {};
  for (const [g, e] of Object.entries(input.estimates)) estimates[g] = { usd: e.usd, seconds: e.seconds, bytes_scanned: e.bytesScanned, confidence: e.confidence };
  return estimates;
}

function groupsOf(input: RoutingInput): PolicyInput['groups'] {
  const groups: PolicyInput['groups'] = {};
  for (const name of input.groupNames) {
    const l = input.groupLoad(name);
    if (l) groups[name] = { running: l.running, queued: l.queued, max_running: Number.isFinite(l.maxRunning) ? l.maxRunning : null, healthy_members: l.healthyMembers };
  }
  return groups;
}

function buildNow(now: number): PolicyInput['now'] {
  const d = new Date(now);
  return { unix_ms: now, hour_utc: d.getUTCHours(), weekday: d.getUTCDay() };
}

/** Every key of the input document. */
const WHOLE: InputProjection = {
  keys: new Set<keyof PolicyInput>(['protocol', 'user', 'groups_of_user', 'headers', 'client_tags', 'session', 'source', 'database', 'sql', 'statement', 'read_only', 'tables', 'features', 'fingerprint', 'estimates', 'groups', 'now']),
  nowKeys: 'all',
  featureKeys: 'all',
};

/** Build the whole policy input for one query. `now` is injectable for tests. */
export function buildPolicyInput(input: RoutingInput, now: number = Date.now()): PolicyInput {
  return buildProjectedInput(input, WHOLE, now) as PolicyInput;
}
