/**
 * The one error registry. Every error a client can see has a stable code here, with its
 * mapping for each wire protocol. Tests assert codes, never prose.
 */

/** How one error code appears on each protocol. */
export interface ProtocolMapping {
  /** PostgreSQL SQLSTATE. */
  readonly sqlstate: string;
  /** MySQL server errno and SQLSTATE. */
  readonly mysqlErrno: number;
  readonly mysqlState: string;
  /** Trino errorName and errorType. */
  readonly trinoName: string;
  readonly trinoType: 'USER_ERROR' | 'INTERNAL_ERROR' | 'INSUFFICIENT_RESOURCES' | 'EXTERNAL';
  /** gRPC status code name (Flight SQL). */
  readonly grpc: 'INVALID_ARGUMENT' | 'PERMISSION_DENIED' | 'RESOURCE_EXHAUSTED' | 'DEADLINE_EXCEEDED' | 'CANCELLED' | 'UNAUTHENTICATED' | 'UNIMPLEMENTED' | 'UNAVAILABLE' | 'INTERNAL' | 'NOT_FOUND' | 'FAILED_PRECONDITION';
}

function m(sqlstate: string, mysqlErrno: number, mysqlState: string, trinoName: string, trinoType: ProtocolMapping['trinoType'], grpc: ProtocolMapping['grpc']): ProtocolMapping {
  return { sqlstate, mysqlErrno, mysqlState, trinoName, trinoType, grpc };
}

/** Registry of error codes: default message template and protocol mapping. */
export const ERROR_CODES = {
  QF_SYNTAX_ERROR: { template: 'syntax error: {detail}', map: m('42601', 1064, '42000', 'SYNTAX_ERROR', 'USER_ERROR', 'INVALID_ARGUMENT') },
  QF_ENGINE_ERROR: { template: '{detail}', map: m('XX000', 1105, 'HY000', 'GENERIC_USER_ERROR', 'USER_ERROR', 'INVALID_ARGUMENT') },
  QF_ENGINE_UNAVAILABLE: { template: 'engine unavailable: {detail}', map: m('08006', 1053, '08S01', 'NO_NODES_AVAILABLE', 'INSUFFICIENT_RESOURCES', 'UNAVAILABLE') },
  QF_ROUTE_DENIED: { template: 'query denied by routing policy: {detail}', map: m('42501', 1142, '42000', 'PERMISSION_DENIED', 'USER_ERROR', 'PERMISSION_DENIED') },
  QF_NO_ROUTE: { template: 'no cluster group for this query: {detail}', map: m('58000', 1105, 'HY000', 'NO_NODES_AVAILABLE', 'INSUFFICIENT_RESOURCES', 'UNAVAILABLE') },
  QF_QUEUE_FULL: { template: 'cluster group {group} is full: {detail}', map: m('53000', 1040, '08004', 'QUERY_QUEUE_FULL', 'INSUFFICIENT_RESOURCES', 'RESOURCE_EXHAUSTED') },
  QF_QUEUE_TIMEOUT: { template: 'timed out waiting for capacity in cluster group {group} after {seconds}s', map: m('53000', 1205, 'HY000', 'EXCEEDED_TIME_LIMIT', 'INSUFFICIENT_RESOURCES', 'DEADLINE_EXCEEDED') },
  QF_QUERY_CANCELED: { template: 'canceling statement due to user request', map: m('57014', 1317, '70100', 'USER_CANCELED', 'USER_ERROR', 'CANCELLED') },
  QF_AUTH_FAILED: { template: 'password authentication failed for user "{user}"', map: m('28P01', 1045, '28000', 'PERMISSION_DENIED', 'USER_ERROR', 'UNAUTHENTICATED') },
  QF_AUTH_METHOD: { template: 'authentication method not supported: {detail}', map: m('28000', 1251, '08004', 'PERMISSION_DENIED', 'USER_ERROR', 'UNAUTHENTICATED') },
  QF_PROTOCOL_VIOLATION: { template: 'protocol violation: {detail}', map: m('08P01', 1047, '08S01', 'GENERIC_USER_ERROR', 'USER_ERROR', 'INVALID_ARGUMENT') },
  QF_FEATURE_NOT_SUPPORTED: { template: 'not supported: {detail}', map: m('0A000', 1235, '42000', 'NOT_SUPPORTED', 'USER_ERROR', 'UNIMPLEMENTED') },
  QF_TRANSLATION_FAILED: { template: 'cannot translate from {from} to {to}: {detail}', map: m('0A000', 1235, '42000', 'NOT_SUPPORTED', 'USER_ERROR', 'UNIMPLEMENTED') },
  QF_TRANSLATION_UNSAFE: { template: 'refusing to translate from {from} to {to} in strict mode: {detail}', map: m('0A000', 1235, '42000', 'NOT_SUPPORTED', 'USER_ERROR', 'UNIMPLEMENTED') },
  QF_INVALID_PARAMETER: { template: 'invalid parameter: {detail}', map: m('22023', 1210, 'HY000', 'INVALID_FUNCTION_ARGUMENT', 'USER_ERROR', 'INVALID_ARGUMENT') },
  QF_UNDEFINED_OBJECT: { template: '{detail}', map: m('42704', 1146, '42S02', 'NOT_FOUND', 'USER_ERROR', 'NOT_FOUND') },
  QF_TX_ABORTED: { template: 'current transaction is aborted, commands ignored until end of transaction block', map: m('25P02', 1105, 'HY000', 'GENERIC_USER_ERROR', 'USER_ERROR', 'FAILED_PRECONDITION') },
  QF_TOO_MANY_CONNECTIONS: { template: 'too many connections (limit {limit})', map: m('53300', 1040, '08004', 'INSUFFICIENT_RESOURCES', 'INSUFFICIENT_RESOURCES', 'RESOURCE_EXHAUSTED') },
  QF_SHUTTING_DOWN: { template: 'the gateway is shutting down', map: m('57P01', 1053, '08S01', 'SERVER_SHUTTING_DOWN', 'INSUFFICIENT_RESOURCES', 'UNAVAILABLE') },
  QF_INTERNAL: { template: 'internal error: {detail}', map: m('XX000', 1105, 'HY000', 'GENERIC_INTERNAL_ERROR', 'INTERNAL_ERROR', 'INTERNAL') },
} as const satisfies Record<string, { template: string; map: ProtocolMapping }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Optional details carried with an error. */
export interface ErrorExtras {
  /** Engine-specific SQLSTATE that should reach PostgreSQL clients instead of the code's default. */
  readonly sqlstate?: string;
  /** Engine-specific MySQL errno to pass through. */
  readonly mysqlErrno?: number;
  /** 1-based character position in the SQL text, when known. */
  readonly position?: number;
  readonly hint?: string;
  readonly detail?: string;
  readonly cause?: unknown;
}

/** An error with a registry code. Anything thrown that is not one becomes QF_INTERNAL at the edge. */
export class QueryFluxError extends Error {
  readonly code: ErrorCode;
  readonly extras: ErrorExtras;

  constructor(code: ErrorCode, message: string, extras: ErrorExtras = {}) {
    super(message, extras.cause === undefined ? undefined : { cause: extras.cause });
    this.name = 'QueryFluxError';
    this.code = code;
    this.extras = extras;
  }

  /** SQLSTATE for PostgreSQL clients. */
  get sqlstate(): string {
    return this.extras.sqlstate ?? ERROR_CODES[this.code].map.sqlstate;
  }

  get mapping(): ProtocolMapping {
    return ERROR_CODES[this.code].map;
  }
}

/** Build an error from the code's template; `vars` fill `{name}` placeholders. */
export function qfError(code: ErrorCode, vars: Record<string, string | number> = {}, extras: ErrorExtras = {}): QueryFluxError {
  const template: string = ERROR_CODES[code].template;
  const message = template.replace(/\{(\w+)\}/g, (_, k: string) => (k in vars ? String(vars[k]) : k === 'detail' ? '' : `{${k}}`));
  return new QueryFluxError(code, message.replace(/: $/, ''), extras);
}

/** Normalise anything thrown into a QueryFluxError (unknown errors become QF_INTERNAL). */
export function toQueryFluxError(err: unknown): QueryFluxError {
  if (err instanceof QueryFluxError) return err;
  if (err instanceof Error && err.name === 'AbortError') return qfError('QF_QUERY_CANCELED');
  const message = err instanceof Error ? err.message : String(err);
  return qfError('QF_INTERNAL', { detail: message }, { cause: err });
}
