/**
 * Date/time values: PostgreSQL canonical text (ISO DateStyle, postgres IntervalStyle) ↔ the
 * binary wire forms (integer_datetimes: microseconds and days counted from 2000-01-01).
 */
import { qfError } from '../../../core/errors.js';

/** Days from 1970-01-01 to 2000-01-01 (the PostgreSQL epoch). */
const PG_EPOCH_DAYS = 10957;
const US_PER_DAY = 86_400_000_000n;
export const INT64_MAX = 0x7fffffffffffffffn;
export const INT64_MIN = -0x8000000000000000n;
export const INT32_MAX = 0x7fffffff;
export const INT32_MIN = -0x80000000;

function bad(type: string, s: string): Error {
  return qfError('QF_INVALID_PARAMETER', { detail: `invalid input syntax for type ${type}: "${s}"` }, { sqlstate: '22007' });
}

/** Days since 1970-01-01 of a proleptic Gregorian date (astronomical year: 0 = 1 BC). */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Inverse of daysFromCivil. */
export function civilFromDays(z: number): [number, number, number] {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

function formatDateParts(y: number, m: number, d: number): string {
  const bc = y <= 0;
  const yy = bc ? 1 - y : y;
  return `${String(yy).padStart(4, '0')}-${pad2(m)}-${pad2(d)}${bc ? ' BC' : ''}`;
}

const DATE_RE = /^\s*(\d{1,7})-(\d{1,2})-(\d{1,2})/;

function parseDatePart(s: string, type: string): { days: number; rest: string } {
  const m = DATE_RE.exec(s);
  if (m === null) throw bad(type, s);
  let rest = s.slice(m[0].length);
  let y = Number(m[1]);
  const bc = /\s*BC\s*$/i.test(rest);
  if (bc) {
    rest = rest.replace(/\s*BC\s*$/i, '');
    y = 1 - y;
  }
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1 || d > 31) throw bad(type, s);
  return { days: daysFromCivil(y, mo, d), rest };
}

/** 'YYYY-MM-DD' → days since 2000-01-01 ('infinity' → INT32_MAX). */
export function dateTextToDays(s: string): number {
  const t = s.trim().toLowerCase();
  if (t === 'infinity' || t === '+infinity') return INT32_MAX;
  if (t === '-infinity') return INT32_MIN;
  const { days, rest } = parseDatePart(s, 'date');
  if (rest.trim() !== '') throw bad('date', s);
  return days - PG_EPOCH_DAYS;
}

/** Days since 2000-01-01 → 'YYYY-MM-DD'. */
export function daysToDateText(days: number): string {
  if (days === INT32_MAX) return 'infinity';
  if (days === INT32_MIN) return '-infinity';
  const [y, m, d] = civilFromDays(days + PG_EPOCH_DAYS);
  return formatDateParts(y, m, d);
}

const TIME_RE = /^\s*(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?/;

function parseTimePart(s: string, type: string, whole: string): { micros: bigint; rest: string } {
  const m = TIME_RE.exec(s);
  if (m === null) throw bad(type, whole);
  const h = Number(m[1]);
  const mi = Number(m[2]);
  const sec = m[3] === undefined ? 0 : Number(m[3]);
  const frac = m[4] === undefined ? 0 : Number(m[4].slice(0, 6).padEnd(6, '0'));
  if (h > 24 || mi > 59 || sec > 60) throw bad(type, whole);
  const micros = BigInt(((h * 60 + mi) * 60 + sec) * 1_000_000 + frac);
  return { micros, rest: s.slice(m[0].length) };
}

/** Offset '+HH[:MM[:SS]]' / 'Z' → seconds east of UTC, or undefined when absent. */
function parseOffset(s: string, type: string, whole: string): number | undefined {
  const t = s.trim();
  if (t === '') return undefined;
  if (t === 'Z' || t.toUpperCase() === 'UTC') return 0;
  const m = /^([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?$/.exec(t);
  if (m === null) throw bad(type, whole);
  const secs = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
  return m[1] === '-' ? -secs : secs;
}

function formatMicrosOfDay(us: bigint): string {
  let n = Number(us);
  const frac = n % 1_000_000;
  n = (n - frac) / 1_000_000;
  const s = n % 60;
  n = (n - s) / 60;
  const mi = n % 60;
  const h = (n - mi) / 60;
  let out = `${pad2(h)}:${pad2(mi)}:${pad2(s)}`;
  if (frac !== 0) out += `.${String(frac).padStart(6, '0').replace(/0+$/, '')}`;
  return out;
}

function formatOffset(eastSeconds: number): string {
  const sign = eastSeconds < 0 ? '-' : '+';
  let a = Math.abs(eastSeconds);
  const s = a % 60;
  a = (a - s) / 60;
  const m = a % 60;
  const h = (a - m) / 60;
  return `${sign}${pad2(h)}${m !== 0 || s !== 0 ? `:${pad2(m)}` : ''}${s !== 0 ? `:${pad2(s)}` : ''}`;
}

/** 'HH:MM:SS[.ffffff]' → microseconds since midnight. */
export function timeTextToMicros(s: string): bigint {
  const { micros, rest } = parseTimePart(s, 'time', s);
  if (rest.trim() !== '') throw bad('time', s);
  return micros;
}

/** Microseconds since midnight → 'HH:MM:SS[.ffffff]'. */
export function microsToTimeText(us: bigint): string {
  return formatMicrosOfDay(us);
}

/** 'HH:MM:SS[.ffffff]+HH[:MM]' → local microseconds and offset east of UTC in seconds. */
export function timetzTextToParts(s: string): { micros: bigint; offsetSeconds: number } {
  const { micros, rest } = parseTimePart(s, 'time with time zone', s);
  return { micros, offsetSeconds: parseOffset(rest, 'time with time zone', s) ?? 0 };
}

/** Local microseconds + offset east of UTC → canonical timetz text. */
export function timetzPartsToText(micros: bigint, offsetSeconds: number): string {
  return formatMicrosOfDay(micros) + formatOffset(offsetSeconds);
}

/** Timestamp text (offset honoured when `tz`) → microseconds since 2000-01-01 (UTC when `tz`). */
export function timestampTextToMicros(s: string, tz: boolean): bigint {
  const type = tz ? 'timestamp with time zone' : 'timestamp';
  const t = s.trim().toLowerCase();
  if (t === 'infinity' || t === '+infinity') return INT64_MAX;
  if (t === '-infinity') return INT64_MIN;
  let bc = false;
  let body = s;
  if (/\s*BC\s*$/i.test(body)) {
    bc = true;
    body = body.replace(/\s*BC\s*$/i, '');
  }
  const d = parseDatePart(body, type);
  let days = d.days;
  if (bc) {
    const [y, m, dd] = civilFromDays(days);
    days = daysFromCivil(1 - y, m, dd);
  }
  let rest = d.rest.replace(/^[T\s]/, '');
  let micros = 0n;
  if (rest.trim() !== '') {
    const tp = parseTimePart(rest, type, s);
    micros = tp.micros;
    rest = tp.rest;
  }
  const off = parseOffset(rest, type, s);
  let total = BigInt(days - PG_EPOCH_DAYS) * US_PER_DAY + micros;
  if (off !== undefined && tz) total -= BigInt(off) * 1_000_000n;
  return total;
}

/** Microseconds since 2000-01-01 → canonical timestamp text ('+00' appended when `tz`: values are UTC). */
export function microsToTimestampText(us: bigint, tz: boolean): string {
  if (us === INT64_MAX) return 'infinity';
  if (us === INT64_MIN) return '-infinity';
  let days = us / US_PER_DAY;
  let rem = us % US_PER_DAY;
  if (rem < 0n) {
    rem += US_PER_DAY;
    days -= 1n;
  }
  const [y, m, d] = civilFromDays(Number(days) + PG_EPOCH_DAYS);
  const bc = y <= 0;
  const date = formatDateParts(y, m, d).replace(' BC', '');
  return `${date} ${formatMicrosOfDay(rem)}${tz ? '+00' : ''}${bc ? ' BC' : ''}`;
}

/** Interval as PostgreSQL stores it. */
export interface IntervalParts {
  readonly months: number;
  readonly days: number;
  readonly micros: bigint;
}

const UNIT_MONTHS: Readonly<Record<string, number>> = { year: 12, years: 12, y: 12, yr: 12, yrs: 12, mon: 1, mons: 1, month: 1, months: 1, decade: 120, decades: 120, century: 1200, centuries: 1200, millennium: 12000, millennia: 12000 };
const UNIT_DAYS: Readonly<Record<string, number>> = { day: 1, days: 1, d: 1, week: 7, weeks: 7, w: 7 };
const UNIT_MICROS: Readonly<Record<string, number>> = {
  hour: 3_600_000_000, hours: 3_600_000_000, h: 3_600_000_000, hr: 3_600_000_000, hrs: 3_600_000_000,
  minute: 60_000_000, minutes: 60_000_000, min: 60_000_000, mins: 60_000_000, m: 60_000_000,
  second: 1_000_000, seconds: 1_000_000, sec: 1_000_000, secs: 1_000_000, s: 1_000_000,
  millisecond: 1000, milliseconds: 1000, ms: 1000, microsecond: 1, microseconds: 1, us: 1,
};

/** Parse interval text (postgres style output, and the verbose unit forms engines print). */
export function intervalTextToParts(s: string): IntervalParts {
  let months = 0;
  let days = 0;
  let micros = 0n;
  let text = s.trim().toLowerCase();
  let ago = false;
  if (text.startsWith('@')) text = text.slice(1).trim();
  if (text.endsWith(' ago')) {
    ago = true;
    text = text.slice(0, -4);
  }
  const tokens = text.split(/\s+/).filter((t) => t !== '');
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    const tm = /^([+-])?(\d+):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,9}))?)?$/.exec(tok);
    if (tm !== null) {
      const frac = tm[5] === undefined ? 0 : Number(tm[5].slice(0, 6).padEnd(6, '0'));
      const us = BigInt(((Number(tm[2]) * 60 + Number(tm[3])) * 60 + Number(tm[4] ?? 0)) * 1_000_000 + frac);
      micros += tm[1] === '-' ? -us : us;
      continue;
    }
    let numText = tok;
    let unit = '';
    const joined = /^([+-]?\d+(?:\.\d+)?)([a-z]+)$/.exec(tok);
    if (joined !== null) {
      numText = joined[1]!;
      unit = joined[2]!;
    } else {
      unit = tokens[++i] ?? '';
    }
    const n = Number(numText);
    if (!/^[+-]?\d+(?:\.\d+)?$/.test(numText) || Number.isNaN(n)) throw bad('interval', s);
    unit = unit.replace(/,$/, '');
    if (unit in UNIT_MONTHS) {
      const total = n * UNIT_MONTHS[unit]!;
      const whole = Math.trunc(total);
      months += whole;
      days += Math.round((total - whole) * 30);
    } else if (unit in UNIT_DAYS) {
      const total = n * UNIT_DAYS[unit]!;
      const whole = Math.trunc(total);
      days += whole;
      micros += BigInt(Math.round((total - whole) * 86_400_000_000));
    } else if (unit in UNIT_MICROS) {
      micros += BigInt(Math.round(n * UNIT_MICROS[unit]!));
    } else throw bad('interval', s);
  }
  if (tokens.length === 0) throw bad('interval', s);
  return ago ? { months: -months, days: -days, micros: -micros } : { months, days, micros };
}

/** Interval parts → postgres-style text ('1 year 2 mons 3 days 04:05:06', '-1 days +02:00:00'). */
export function intervalPartsToText(p: IntervalParts): string {
  const parts: string[] = [];
  let before = false;
  const add = (v: number, unit: string): void => {
    if (v === 0) return;
    parts.push(`${before && v > 0 ? '+' : ''}${v} ${unit}${v === 1 ? '' : 's'}`);
    before = v < 0;
  };
  const years = Math.trunc(p.months / 12);
  add(years, 'year');
  add(p.months - years * 12, 'mon');
  add(p.days, 'day');
  if (parts.length === 0 || p.micros !== 0n) {
    const neg = p.micros < 0n;
    const abs = neg ? -p.micros : p.micros;
    const frac = Number(abs % 1_000_000n);
    let secs = abs / 1_000_000n;
    const s = Number(secs % 60n);
    secs /= 60n;
    const m = Number(secs % 60n);
    const h = secs / 60n;
    let t = `${neg ? '-' : before ? '+' : ''}${h < 10n ? '0' : ''}${h}:${pad2(m)}:${pad2(s)}`;
    if (frac !== 0) t += `.${String(frac).padStart(6, '0').replace(/0+$/, '')}`;
    parts.push(t);
  }
  return parts.join(' ');
}

/** A JS Date → canonical text of the given kind (engines should send strings; this is leniency). */
export function dateObjectToText(d: Date, kind: 'date' | 'timestamp' | 'timestamptz'): string {
  const ms = d.getTime();
  const days = Math.floor(ms / 86_400_000);
  if (kind === 'date') return daysToDateText(days - PG_EPOCH_DAYS);
  const us = BigInt(ms - PG_EPOCH_DAYS * 86_400_000) * 1000n;
  return microsToTimestampText(us, kind === 'timestamptz');
}
