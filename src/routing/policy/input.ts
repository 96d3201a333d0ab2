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

/** Build the policy input for one query. `now` is injectable for tests. */
export function buildPolicyInput(input: RoutingInput, now: number = Date.now()): PolicyInput {
  const r = input.request;
  const groups: PolicyInput['groups'] = {};
  for (const name of input.groupNames) {
    const l = input.groupLoad(name);
    if (l) groups[name] = { running: l.running, queued: l.queued, max_running: Number.isFinite(l.maxRunning) ? l.maxRunning : null, healthy_members: l.healthyMembers };
  }
  const estimates: PolicyInput['estimates'] = {};
  for (const [g, e] of Object.entries(input.estimates)) estimates[g] = { usd: e.usd, seconds: e.seconds, bytes_scanned: e.bytesScanned, confidence: e.confidence };
  const session: Record<string, string> = {};
  for (const [k, v] of r.session.settings) session[k] = v;
  const d = new Date(now);
  return {
    protocol: PROTOCOL_NAMES[r.protocol] ?? r.protocol,
    user: r.user,
    groups_of_user: input.userGroups,
    headers: r.headers,
    client_tags: r.clientTags,
    session,
    source: r.source ?? null,
    database: r.database ?? null,
    sql: r.sql,
    statement: input.analysis.kind,
    read_only: input.analysis.readOnly,
    tables: input.analysis.tables,
    features: input.analysis.features,
    fingerprint: input.analysis.fingerprint,
    estimates,
    groups,
    now: { unix_ms: now, hour_utc: d.getUTCHours(), weekday: d.getUTCDay() },
  };
}
