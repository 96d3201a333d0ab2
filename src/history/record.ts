/** QueryOutcome ⇄ history row. Runs in the writer's flush, never on the query's hot path. */
import { fingerprint as replaceLiterals } from '../analysis/lexical.js';
import type { CostEstimate } from '../cost/types.js';
import type { QueryOutcome } from '../core/outcome.js';
import type { Prisma } from './generated/sqlite/client.js';

export type HistoryRowInput = Prisma.QueryHistoryCreateManyInput;

/** Outcome fields that have a column; anything else an outcome carries goes to `extra` as JSON. */
const COLUMNS = new Set<string>([
  'id', 'protocol', 'user', 'sql', 'fingerprint', 'group', 'cluster', 'engine', 'rule', 'reason', 'translatedFrom', 'translatedTo',
  'status', 'errorCode', 'receivedAt', 'queuedMs', 'durationMs', 'rows', 'database', 'clientTags', 'tables', 'kind', 'bytesScanned',
  'estimates', 'costUsd', 'baselineUsd', 'baselineGroup',
]);

const finite = (n: number | undefined): number | undefined => (n !== undefined && Number.isFinite(n) ? n : undefined);
const integer = (n: number | undefined): bigint | undefined => (n !== undefined && Number.isFinite(n) ? BigInt(Math.max(0, Math.round(n))) : undefined);

/** Table columns in insert order, with the row field each comes from (prisma/schema.prisma @map names). */
export const INSERT_COLUMNS: readonly (readonly [keyof HistoryRowInput, string])[] = [
  ['id', 'id'], ['receivedAt', 'received_at'], ['finishedAt', 'finished_at'], ['protocol', 'protocol'], ['userName', 'user_name'],
  ['databaseName', 'database_name'], ['clientTags', 'client_tags'], ['fingerprint', 'fingerprint'], ['sqlText', 'sql_text'],
  ['statementKind', 'statement_kind'], ['tables', 'tables'], ['groupName', 'group_name'], ['cluster', 'cluster'], ['engine', 'engine'],
  ['rule', 'rule'], ['reason', 'reason'], ['translatedFrom', 'translated_from'], ['translatedTo', 'translated_to'], ['status', 'status'],
  ['errorCode', 'error_code'], ['queuedMs', 'queued_ms'], ['durationMs', 'duration_ms'], ['rowCount', 'row_count'],
  ['bytesScanned', 'bytes_scanned'], ['estimates', 'estimates'], ['costUsd', 'cost_usd'], ['baselineUsd', 'baseline_usd'],
  ['baselineGroup', 'baseline_group'], ['extra', 'extra'],
];

/** The row for one outcome; `redactSql` replaces string and number literals with `?`. */
export function toRow(o: QueryOutcome, redactSql: boolean): HistoryRowInput {
  let extra: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(o)) {
    if (COLUMNS.has(k) || v === undefined) continue;
    (extra ??= {})[k] = v;
  }
  const durationMs = finite(o.durationMs) ?? 0;
  return {
    id: o.id,
    receivedAt: new Date(o.receivedAt),
    finishedAt: new Date(o.receivedAt + durationMs),
    protocol: o.protocol,
    userName: o.user,
    databaseName: o.database ?? null,
    clientTags: JSON.stringify(o.clientTags ?? []),
    fingerprint: o.fingerprint,
    sqlText: redactSql ? replaceLiterals(o.sql) : o.sql,
    statementKind: o.kind ?? null,
    tables: JSON.stringify(o.tables ?? []),
    groupName: o.group ?? null,
    cluster: o.cluster ?? null,
    engine: o.engine ?? null,
    rule: o.rule ?? null,
    reason: o.reason ?? null,
    translatedFrom: o.translatedFrom ?? null,
    translatedTo: o.translatedTo ?? null,
    status: o.status,
    errorCode: o.errorCode ?? null,
    queuedMs: finite(o.queuedMs) ?? 0,
    durationMs,
    rowCount: integer(o.rows) ?? 0n,
    bytesScanned: integer(o.bytesScanned) ?? null,
    estimates: o.estimates && Object.keys(o.estimates).length > 0 ? JSON.stringify(o.estimates) : null,
    costUsd: finite(o.costUsd) ?? null,
    baselineUsd: finite(o.baselineUsd) ?? null,
    baselineGroup: o.baselineGroup ?? null,
    extra: extra ? safeJson(extra) : null,
  };
}

function safeJson(v: unknown): string | null {
  try {
    return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
  } catch {
    return null;
  }
}

/** A history row as the reports and the admin API read it. */
export interface HistoryEntry {
  readonly id: string;
  readonly receivedAt: string;
  readonly finishedAt: string;
  readonly protocol: string;
  readonly user: string;
  readonly database: string | null;
  readonly clientTags: readonly string[];
  readonly fingerprint: string;
  readonly sql: string;
  readonly kind: string | null;
  readonly tables: readonly string[];
  readonly group: string | null;
  readonly cluster: string | null;
  readonly engine: string | null;
  readonly rule: string | null;
  readonly reason: string | null;
  readonly translatedFrom: string | null;
  readonly translatedTo: string | null;
  readonly status: string;
  readonly errorCode: string | null;
  readonly queuedMs: number;
  readonly durationMs: number;
  readonly rows: number;
  readonly bytesScanned: number | null;
  readonly estimates: Readonly<Record<string, CostEstimate>> | null;
  readonly costUsd: number | null;
  readonly baselineUsd: number | null;
  readonly baselineGroup: string | null;
  readonly extra: Readonly<Record<string, unknown>> | null;
}

type StoredRow = Prisma.QueryHistoryGetPayload<object>;

function parseJson<T>(text: string | null, fallback: T): T {
  if (text === null || text === '') return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

/** Stored row → entry (JSON columns parsed, bigints as numbers). */
export function fromRow(r: StoredRow): HistoryEntry {
  return {
    id: r.id,
    receivedAt: r.receivedAt.toISOString(),
    finishedAt: r.finishedAt.toISOString(),
    protocol: r.protocol,
    user: r.userName,
    database: r.databaseName,
    clientTags: parseJson<string[]>(r.clientTags, []),
    fingerprint: r.fingerprint,
    sql: r.sqlText,
    kind: r.statementKind,
    tables: parseJson<string[]>(r.tables, []),
    group: r.groupName,
    cluster: r.cluster,
    engine: r.engine,
    rule: r.rule,
    reason: r.reason,
    translatedFrom: r.translatedFrom,
    translatedTo: r.translatedTo,
    status: r.status,
    errorCode: r.errorCode,
    queuedMs: r.queuedMs,
    durationMs: r.durationMs,
    rows: Number(r.rowCount),
    bytesScanned: r.bytesScanned === null ? null : Number(r.bytesScanned),
    estimates: parseJson<Record<string, CostEstimate> | null>(r.estimates, null),
    costUsd: r.costUsd,
    baselineUsd: r.baselineUsd,
    baselineGroup: r.baselineGroup,
    extra: parseJson<Record<string, unknown> | null>(r.extra, null),
  };
}
