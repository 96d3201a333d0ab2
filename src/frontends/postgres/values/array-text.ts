/** PostgreSQL array literal text: '{a,"b c",NULL,{1,2}}' ↔ nested JS arrays. */
import { qfError } from '../../../core/errors.js';

function needsQuotes(s: string): boolean {
  if (s.length === 0) return true;
  if (s.length === 4 && s.toUpperCase() === 'NULL') return true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // {, }, ", \, comma, and whitespace (PostgreSQL's array_isspace set).
    if (c === 123 || c === 125 || c === 34 || c === 92 || c === 44 || c === 32 || (c >= 9 && c <= 13)) return true;
  }
  return false;
}

/** Quote one element for an array literal (null → NULL). */
export function quoteArrayElement(s: string | null): string {
  if (s === null) return 'NULL';
  if (!needsQuotes(s)) return s;
  return `"${s.replace(/[\\"]/g, '\\$&')}"`;
}

/** Format a (possibly nested) array; `element` gives the text of a non-null scalar element. */
export function formatArrayText(values: readonly unknown[], element: (v: unknown) => string, nested: boolean): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ',';
    const v = values[i];
    if (v === null || v === undefined) out += 'NULL';
    else if (nested && Array.isArray(v)) out += formatArrayText(v, element, true);
    else out += quoteArrayElement(element(v));
  }
  return out + '}';
}

function bad(s: string, why: string): Error {
  return qfError('QF_INVALID_PARAMETER', { detail: `malformed array literal: "${s}" (${why})` }, { sqlstate: '22P02' });
}

/** Parse an array literal into nested arrays of element strings (null for NULL). */
export function parseArrayText(text: string): unknown[] {
  let s = text.trim();
  // Optional dimension decoration: [1:3]={...}
  if (s.startsWith('[')) {
    const eq = s.indexOf('=');
    if (eq < 0) throw bad(text, 'dimension decoration without "="');
    s = s.slice(eq + 1).trim();
  }
  let i = 0;
  const parseLevel = (): unknown[] => {
    if (s[i] !== '{') throw bad(text, 'expected "{"');
    i++;
    const out: unknown[] = [];
    for (;;) {
      while (i < s.length && /\s/.test(s[i]!)) i++;
      if (s[i] === '}' && out.length === 0) {
        i++;
        return out;
      }
      if (s[i] === '{') out.push(parseLevel());
      else if (s[i] === '"') {
        i++;
        let v = '';
        while (i < s.length && s[i] !== '"') {
          if (s[i] === '\\') i++;
          if (i >= s.length) throw bad(text, 'unterminated quoted element');
          v += s[i++];
        }
        if (i >= s.length) throw bad(text, 'unterminated quoted element');
        i++;
        out.push(v);
      } else {
        let v = '';
        while (i < s.length && s[i] !== ',' && s[i] !== '}') {
          if (s[i] === '\\') i++;
          if (i >= s.length) throw bad(text, 'unexpected end');
          v += s[i++];
        }
        v = v.trim();
        if (v === '') throw bad(text, 'empty element');
        out.push(v.toUpperCase() === 'NULL' ? null : v);
      }
      while (i < s.length && /\s/.test(s[i]!)) i++;
      if (s[i] === ',') {
        i++;
        continue;
      }
      if (s[i] === '}') {
        i++;
        return out;
      }
      throw bad(text, 'expected "," or "}"');
    }
  };
  const r = parseLevel();
  if (s.slice(i).trim() !== '') throw bad(text, 'junk after closing "}"');
  return r;
}
