/**
 * PostgreSQL numeric binary format ↔ canonical decimal text. The wire form is base-10000 digits:
 * int16 ndigits, int16 weight, uint16 sign, int16 dscale, then ndigits int16 digits.
 */
import { qfError } from '../../../core/errors.js';
import type { PgWriter } from '../protocol/writer.js';

const NUMERIC_POS = 0x0000;
const NUMERIC_NEG = 0x4000;
const NUMERIC_NAN = 0xc000;
const NUMERIC_PINF = 0xd000;
const NUMERIC_NINF = 0xf000;

const NUMERIC_RE = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

function invalid(s: string): Error {
  return qfError('QF_INVALID_PARAMETER', { detail: `invalid input syntax for type numeric: "${s}"` }, { sqlstate: '22P02' });
}

/** Write the binary numeric body for a decimal text (also NaN / ±Infinity). */
export function writeNumericBinary(w: PgWriter, text: string): void {
  const s = text.trim();
  const lower = s.toLowerCase();
  if (lower === 'nan' || lower === 'infinity' || lower === '+infinity' || lower === '-infinity' || lower === 'inf' || lower === '-inf') {
    w.int16(0);
    w.int16(0);
    w.uint16(lower === 'nan' ? NUMERIC_NAN : lower.startsWith('-') ? NUMERIC_NINF : NUMERIC_PINF);
    w.int16(0);
    return;
  }
  const m = NUMERIC_RE.exec(s);
  if (m === null || (m[2] === '' && (m[3] === undefined || m[3] === ''))) throw invalid(text);
  const negative = m[1] === '-';
  let intPart = m[2]!;
  let fracPart = m[3] ?? '';
  const exp = m[4] === undefined ? 0 : Number(m[4]);
  if (exp > 0) {
    const move = fracPart.slice(0, exp).padEnd(exp, '0');
    intPart += move;
    fracPart = fracPart.slice(exp);
  } else if (exp < 0) {
    const n = -exp;
    const padded = intPart.padStart(n, '0');
    fracPart = padded.slice(padded.length - n) + fracPart;
    intPart = padded.slice(0, padded.length - n);
  }
  const dscale = fracPart.length;
  intPart = intPart.replace(/^0+/, '');
  const intPadded = intPart.padStart(Math.ceil(intPart.length / 4) * 4, '0');
  const fracPadded = fracPart.padEnd(Math.ceil(fracPart.length / 4) * 4, '0');
  const groups: number[] = [];
  for (let i = 0; i < intPadded.length; i += 4) groups.push(Number(intPadded.slice(i, i + 4)));
  const intGroups = groups.length;
  for (let i = 0; i < fracPadded.length; i += 4) groups.push(Number(fracPadded.slice(i, i + 4)));
  let weight = intGroups - 1;
  let first = 0;
  while (first < groups.length && groups[first] === 0) {
    first++;
    weight--;
  }
  let last = groups.length;
  while (last > first && groups[last - 1] === 0) last--;
  const ndigits = last - first;
  w.int16(ndigits);
  w.int16(ndigits === 0 ? 0 : weight);
  w.uint16(ndigits === 0 || !negative ? NUMERIC_POS : NUMERIC_NEG);
  w.int16(dscale);
  for (let i = first; i < last; i++) w.int16(groups[i]!);
}

/** Decode a binary numeric body to canonical decimal text. */
export function readNumericBinary(b: Buffer): string {
  if (b.length < 8) throw qfError('QF_INVALID_PARAMETER', { detail: 'binary numeric value is truncated' }, { sqlstate: '22P03' });
  const ndigits = b.readInt16BE(0);
  const weight = b.readInt16BE(2);
  const sign = b.readUInt16BE(4);
  const dscale = b.readInt16BE(6);
  if (sign === NUMERIC_NAN) return 'NaN';
  if (sign === NUMERIC_PINF) return 'Infinity';
  if (sign === NUMERIC_NINF) return '-Infinity';
  if (ndigits < 0 || b.length !== 8 + ndigits * 2 || dscale < 0 || (sign !== NUMERIC_POS && sign !== NUMERIC_NEG)) {
    throw qfError('QF_INVALID_PARAMETER', { detail: 'invalid binary numeric value' }, { sqlstate: '22P03' });
  }
  const digit = (i: number): number => (i >= 0 && i < ndigits ? b.readInt16BE(8 + i * 2) : 0);
  let int = '';
  if (weight < 0) int = '0';
  else {
    for (let i = 0; i <= weight; i++) {
      const d = digit(i);
      int += i === 0 ? String(d) : String(d).padStart(4, '0');
    }
  }
  let frac = '';
  if (dscale > 0) {
    for (let i = weight + 1; frac.length < dscale; i++) frac += String(digit(i)).padStart(4, '0');
    frac = frac.slice(0, dscale);
  }
  const neg = sign === NUMERIC_NEG && (/[1-9]/.test(int) || /[1-9]/.test(frac));
  return `${neg ? '-' : ''}${int}${frac === '' ? '' : `.${frac}`}`;
}
