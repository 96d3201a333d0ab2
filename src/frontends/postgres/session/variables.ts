/**
 * Client-session variables the frontend keeps itself (encoding, DateStyle, TimeZone, ...), with
 * validation, defaults and which of them are reported to the client through ParameterStatus.
 * Values live in SessionState.settings (lower-case names) so the pipeline and engines see them.
 */
import { qfError } from '../../../core/errors.js';

interface VarDef {
  /** Canonical spelling (ParameterStatus name, SHOW column). */
  readonly name: string;
  /** Sent as ParameterStatus at startup and on change. */
  readonly reported: boolean;
  readonly readOnly: boolean;
  /** Default; `undefined` means taken from the connection (server_version, user). */
  readonly initial?: string;
  /** Validate and canonicalise a value; throws QueryFluxError. */
  readonly normalize?: (v: string) => string;
}

function invalid(name: string, value: string, why = ''): Error {
  return qfError('QF_INVALID_PARAMETER', { detail: `invalid value for parameter "${name}": "${value}"${why ? ` (${why})` : ''}` }, { sqlstate: '22023' });
}

function oneOf(name: string, allowed: readonly string[]): (v: string) => string {
  return (v) => {
    const hit = allowed.find((a) => a.toLowerCase() === v.trim().toLowerCase());
    if (hit === undefined) throw invalid(name, v, `supported: ${allowed.join(', ')}`);
    return hit;
  };
}

function normalizeEncoding(v: string): string {
  const e = v.trim().toUpperCase().replace(/[-_]/g, '');
  // Rows are always UTF-8; 'auto' is what libpq asks for when it wants the server to choose.
  if (e === 'UTF8' || e === 'UNICODE' || e === 'AUTO') return 'UTF8';
  if (e === 'SQLASCII') return 'SQL_ASCII';
  throw qfError('QF_FEATURE_NOT_SUPPORTED', { detail: `client_encoding "${v}": only UTF8 is supported` });
}

function normalizeDateStyle(v: string): string {
  const parts = v.split(',').map((p) => p.trim().toUpperCase()).filter((p) => p !== '');
  let order = 'MDY';
  for (const p of parts) {
    if (p === 'ISO') continue;
    if (p === 'MDY' || p === 'DMY' || p === 'YMD') order = p;
    else if (p === 'US' || p === 'NONEURO' || p === 'NONEUROPEAN') order = 'MDY';
    else if (p === 'EURO' || p === 'EUROPEAN') order = 'DMY';
    // Drivers (pgJDBC) require ISO output; other styles would need a second formatter for every date type.
    else throw qfError('QF_FEATURE_NOT_SUPPORTED', { detail: `DateStyle "${v}": only ISO output is supported` });
  }
  return `ISO, ${order}`;
}

function normalizeTimeZone(v: string): string {
  const t = v.trim();
  if (t === '') throw invalid('TimeZone', v);
  const up = t.toUpperCase();
  return up === 'UTC' || up === 'GMT' || up === 'Z' ? (up === 'Z' ? 'UTC' : up) : t;
}

function normalizeInt(name: string, min: number, max: number): (v: string) => string {
  return (v) => {
    if (!/^\s*[+-]?\d+\s*$/.test(v)) throw invalid(name, v);
    const n = Number(v);
    if (n < min || n > max) throw invalid(name, v, `must be between ${min} and ${max}`);
    return String(n);
  };
}

const UNIT_MS: Readonly<Record<string, number>> = { us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/** Duration setting (statement_timeout) → milliseconds; a bare number is milliseconds. */
export function parseDurationMs(v: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(us|ms|s|min|h|d)?\s*$/i.exec(v);
  if (m === null) throw invalid('statement_timeout', v);
  return Math.round(Number(m[1]) * UNIT_MS[(m[2] ?? 'ms').toLowerCase()]!);
}

function formatDuration(ms: number): string {
  if (ms === 0) return '0';
  for (const [unit, f] of [['d', 86_400_000], ['h', 3_600_000], ['min', 60_000], ['s', 1000]] as const) {
    if (ms % f === 0) return `${ms / f}${unit}`;
  }
  return `${ms}ms`;
}

const onOff = (name: string) => (v: string): string => {
  const t = v.trim().toLowerCase();
  if (['on', 'true', 'yes', '1', 't'].includes(t)) return 'on';
  if (['off', 'false', 'no', '0', 'f'].includes(t)) return 'off';
  throw invalid(name, v);
};

const ISOLATIONS = ['read uncommitted', 'read committed', 'repeatable read', 'serializable'] as const;

const DEFS: readonly VarDef[] = [
  { name: 'application_name', reported: true, readOnly: false, initial: '' },
  { name: 'client_encoding', reported: true, readOnly: false, initial: 'UTF8', normalize: normalizeEncoding },
  { name: 'DateStyle', reported: true, readOnly: false, initial: 'ISO, MDY', normalize: normalizeDateStyle },
  { name: 'IntervalStyle', reported: true, readOnly: false, initial: 'postgres', normalize: oneOf('IntervalStyle', ['postgres']) },
  { name: 'TimeZone', reported: true, readOnly: false, initial: 'UTC', normalize: normalizeTimeZone },
  { name: 'extra_float_digits', reported: false, readOnly: false, initial: '1', normalize: normalizeInt('extra_float_digits', -15, 3) },
  {
    name: 'standard_conforming_strings', reported: true, readOnly: false, initial: 'on',
    // Statements are split and passed on assuming standard strings; 'off' would change their meaning.
    normalize: (v) => {
      if (onOff('standard_conforming_strings')(v) !== 'on') throw qfError('QF_FEATURE_NOT_SUPPORTED', { detail: 'standard_conforming_strings = off' });
      return 'on';
    },
  },
  { name: 'statement_timeout', reported: false, readOnly: false, initial: '0', normalize: (v) => formatDuration(parseDurationMs(v)) },
  { name: 'client_min_messages', reported: false, readOnly: false, initial: 'notice', normalize: oneOf('client_min_messages', ['debug5', 'debug4', 'debug3', 'debug2', 'debug1', 'log', 'notice', 'warning', 'error']) },
  { name: 'bytea_output', reported: false, readOnly: false, initial: 'hex', normalize: oneOf('bytea_output', ['hex']) },
  { name: 'default_transaction_isolation', reported: false, readOnly: false, initial: 'read committed', normalize: oneOf('default_transaction_isolation', ISOLATIONS) },
  { name: 'transaction_isolation', reported: false, readOnly: false, initial: 'read committed', normalize: oneOf('transaction_isolation', ISOLATIONS) },
  { name: 'default_transaction_read_only', reported: true, readOnly: false, initial: 'off', normalize: onOff('default_transaction_read_only') },
  { name: 'transaction_read_only', reported: false, readOnly: false, initial: 'off', normalize: onOff('transaction_read_only') },
  { name: 'server_version', reported: true, readOnly: true },
  { name: 'server_version_num', reported: false, readOnly: true },
  { name: 'server_encoding', reported: true, readOnly: true, initial: 'UTF8' },
  { name: 'integer_datetimes', reported: true, readOnly: true, initial: 'on' },
  { name: 'is_superuser', reported: true, readOnly: true, initial: 'off' },
  { name: 'session_authorization', reported: true, readOnly: true },
  { name: 'in_hot_standby', reported: true, readOnly: true, initial: 'off' },
  { name: 'max_identifier_length', reported: false, readOnly: true, initial: '63' },
  { name: 'lc_collate', reported: false, readOnly: true, initial: 'C' },
  { name: 'lc_ctype', reported: false, readOnly: true, initial: 'C' },
];

const BY_NAME: ReadonlyMap<string, VarDef> = new Map(DEFS.map((d) => [d.name.toLowerCase(), d]));

/** True when `name` (any case) is kept by the frontend rather than passed to the engine. */
export function isLocalVariable(name: string): boolean {
  return BY_NAME.has(name.toLowerCase());
}

/** A reported variable whose value changed: send it as ParameterStatus. */
export interface ParameterChange {
  readonly name: string;
  readonly value: string;
}

/** The session's local variables, stored in `settings`. */
export class SessionVariables {
  private readonly initial = new Map<string, string>();

  constructor(
    private readonly settings: Map<string, string>,
    serverVersion: string,
    user: string,
  ) {
    const numeric = /^(\d+)(?:\.(\d+))?/.exec(serverVersion);
    const num = numeric ? String(Number(numeric[1]) * 10000 + Number(numeric[2] ?? 0)) : '150000';
    for (const d of DEFS) {
      const key = d.name.toLowerCase();
      const v = key === 'server_version' ? serverVersion : key === 'server_version_num' ? num : key === 'session_authorization' ? user : d.initial!;
      this.initial.set(key, v);
      settings.set(key, v);
    }
  }

  /** Canonical name of a local variable. */
  canonicalName(name: string): string {
    return BY_NAME.get(name.toLowerCase())?.name ?? name;
  }

  get(name: string): string {
    const key = name.toLowerCase();
    return this.settings.get(key) ?? this.initial.get(key) ?? '';
  }

  /** Every reported variable with its value (startup ParameterStatus burst). */
  reported(): ParameterChange[] {
    return DEFS.filter((d) => d.reported).map((d) => ({ name: d.name, value: this.get(d.name) }));
  }

  /** Set a variable (null = default); returns the change to report, if any. Throws on invalid values. */
  set(name: string, value: string | null): ParameterChange | undefined {
    const key = name.toLowerCase();
    const def = BY_NAME.get(key);
    if (def === undefined) throw qfError('QF_UNDEFINED_OBJECT', { detail: `unrecognized configuration parameter "${name}"` });
    if (def.readOnly) throw qfError('QF_INVALID_PARAMETER', { detail: `parameter "${def.name}" cannot be changed` }, { sqlstate: '55P02' });
    const next = value === null ? this.initial.get(key)! : def.normalize ? def.normalize(value) : value;
    const prev = this.get(key);
    this.settings.set(key, next);
    return def.reported && prev !== next ? { name: def.name, value: next } : undefined;
  }

  /** RESET ALL: back to the connection's initial values; returns the changes to report. */
  resetAll(): ParameterChange[] {
    const out: ParameterChange[] = [];
    for (const d of DEFS) {
      if (d.readOnly) continue;
      const c = this.set(d.name, null);
      if (c !== undefined) out.push(c);
    }
    return out;
  }

  /** Make the current values the ones RESET returns to (after startup parameters are applied). */
  commitInitial(): void {
    for (const d of DEFS) this.initial.set(d.name.toLowerCase(), this.get(d.name));
  }

  /** statement_timeout in milliseconds (0 = none). */
  statementTimeoutMs(): number {
    return parseDurationMs(this.get('statement_timeout'));
  }
}
