/**
 * Parse SET / RESET / SHOW statements far enough to tell whether they touch a variable the
 * frontend keeps itself (client-session settings) and, if so, what they ask for.
 */
import { skipBlank } from './split.js';

/** A SET/RESET/SHOW the frontend answers without the engine. */
export type LocalCommand =
  | { readonly kind: 'set'; readonly name: string; /** null means DEFAULT */ readonly value: string | null }
  | { readonly kind: 'reset'; readonly name: string }
  | { readonly kind: 'reset-all' }
  | { readonly kind: 'show'; readonly name: string }
  | { readonly kind: 'set-transaction'; readonly session: boolean; readonly isolation?: string; readonly readOnly?: boolean };

interface Token {
  readonly kind: 'word' | 'string' | 'number' | 'punct';
  readonly text: string;
}

function tokenize(sql: string): Token[] | undefined {
  const out: Token[] = [];
  let i = 0;
  const n = sql.length;
  for (;;) {
    i = skipBlank(sql, i);
    if (i >= n) return out;
    const c = sql[i]!;
    if (c === "'" || ((c === 'E' || c === 'e') && sql[i + 1] === "'")) {
      const escaped = c !== "'";
      let j = i + (escaped ? 2 : 1);
      let v = '';
      for (;;) {
        if (j >= n) return undefined;
        const d = sql[j]!;
        if (escaped && d === '\\' && j + 1 < n) {
          v += sql[j + 1];
          j += 2;
        } else if (d === "'") {
          if (sql[j + 1] === "'") {
            v += "'";
            j += 2;
          } else {
            j++;
            break;
          }
        } else {
          v += d;
          j++;
        }
      }
      out.push({ kind: 'string', text: v });
      i = j;
    } else if (c === '"') {
      const e = sql.indexOf('"', i + 1);
      if (e < 0) return undefined;
      out.push({ kind: 'word', text: sql.slice(i + 1, e) });
      i = e + 1;
    } else if (/[0-9.]/.test(c)) {
      const m = /^[0-9.]+(?:[eE][+-]?\d+)?[A-Za-z]*/.exec(sql.slice(i))!;
      out.push({ kind: 'number', text: m[0] });
      i += m[0].length;
    } else if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      const m = /^[A-Za-z_\u0080-\uffff][\w$\u0080-\uffff.]*/.exec(sql.slice(i))!;
      out.push({ kind: 'word', text: m[0].toLowerCase() });
      i += m[0].length;
    } else {
      out.push({ kind: 'punct', text: c });
      i++;
    }
  }
}

function parseValue(tokens: readonly Token[], from: number): string | null | undefined {
  const parts: string[] = [];
  let i = from;
  if (i >= tokens.length) return undefined;
  if (tokens.length === i + 1 && tokens[i]!.kind === 'word' && tokens[i]!.text === 'default') return null;
  while (i < tokens.length) {
    let t = tokens[i]!;
    let prefix = '';
    if (t.kind === 'punct' && (t.text === '-' || t.text === '+') && tokens[i + 1]?.kind === 'number') {
      prefix = t.text === '-' ? '-' : '';
      t = tokens[++i]!;
    }
    if (t.kind === 'punct') return undefined;
    parts.push(prefix + t.text);
    i++;
    if (i < tokens.length) {
      if (tokens[i]!.kind !== 'punct' || tokens[i]!.text !== ',') return undefined;
      i++;
    }
  }
  return parts.join(', ');
}

const ISOLATION: Readonly<Record<string, string>> = {
  'read uncommitted': 'read uncommitted',
  'read committed': 'read committed',
  'repeatable read': 'repeatable read',
  serializable: 'serializable',
};

function parseTransactionModes(tokens: readonly Token[], from: number, session: boolean): LocalCommand | undefined {
  let isolation: string | undefined;
  let readOnly: boolean | undefined;
  const words = tokens.slice(from).filter((t) => !(t.kind === 'punct' && t.text === ','));
  for (let i = 0; i < words.length; ) {
    const w = words[i]!.text;
    if (w === 'isolation' && words[i + 1]?.text === 'level') {
      const one = words[i + 2]?.text ?? '';
      const two = `${one} ${words[i + 3]?.text ?? ''}`;
      if (ISOLATION[two] !== undefined) {
        isolation = ISOLATION[two];
        i += 4;
      } else if (ISOLATION[one] !== undefined) {
        isolation = ISOLATION[one];
        i += 3;
      } else return undefined;
    } else if (w === 'read' && (words[i + 1]?.text === 'only' || words[i + 1]?.text === 'write')) {
      readOnly = words[i + 1]!.text === 'only';
      i += 2;
    } else if (w === 'deferrable') i += 1;
    else if (w === 'not' && words[i + 1]?.text === 'deferrable') i += 2;
    else return undefined;
  }
  return { kind: 'set-transaction', session, isolation, readOnly };
}

/**
 * The local command in `sql`, or undefined when the statement is not a SET/RESET/SHOW of a
 * variable `isLocal` accepts (the statement then goes to the engine).
 */
export function parseLocalCommand(sql: string, isLocal: (name: string) => boolean): LocalCommand | undefined {
  const tokens = tokenize(sql);
  if (tokens === undefined || tokens.length < 2) return undefined;
  const verb = tokens[0]!.text;
  let i = 1;
  if (verb === 'set') {
    let scoped = false;
    if (tokens[i]!.text === 'session' || tokens[i]!.text === 'local') {
      if (tokens[i]!.text === 'session' && tokens[i + 1]?.text === 'characteristics') {
        if (tokens[i + 2]?.text !== 'as' || tokens[i + 3]?.text !== 'transaction') return undefined;
        return parseTransactionModes(tokens, i + 4, true);
      }
      scoped = true;
      i++;
    }
    if (tokens[i]?.text === 'transaction' && !scoped) return parseTransactionModes(tokens, i + 1, false);
    if (tokens[i]?.text === 'time' && tokens[i + 1]?.text === 'zone') {
      const value = parseValue(tokens, i + 2);
      if (value === undefined) return undefined;
      return { kind: 'set', name: 'timezone', value: value === 'local' ? null : value };
    }
    const nameTok = tokens[i];
    if (nameTok === undefined || nameTok.kind !== 'word') return undefined;
    const name = nameTok.text.toLowerCase();
    if (!isLocal(name)) return undefined;
    const op = tokens[i + 1];
    if (op === undefined || !((op.kind === 'word' && op.text === 'to') || (op.kind === 'punct' && op.text === '='))) return undefined;
    const value = parseValue(tokens, i + 2);
    if (value === undefined) return undefined;
    return { kind: 'set', name, value };
  }
  if (verb === 'reset') {
    if (tokens.length === 2 && tokens[1]!.text === 'all') return { kind: 'reset-all' };
    if (tokens.length === 3 && tokens[1]!.text === 'time' && tokens[2]!.text === 'zone') return { kind: 'reset', name: 'timezone' };
    if (tokens.length !== 2 || tokens[1]!.kind !== 'word') return undefined;
    const name = tokens[1]!.text.toLowerCase();
    return isLocal(name) ? { kind: 'reset', name } : undefined;
  }
  if (verb === 'show') {
    const words = tokens.slice(1).map((t) => t.text.toLowerCase()).join(' ');
    const name = words === 'time zone' ? 'timezone' : words === 'transaction isolation level' ? 'transaction_isolation' : words;
    if (tokens.length > 2 && name === words) return undefined;
    return isLocal(name) ? { kind: 'show', name } : undefined;
  }
  return undefined;
}
