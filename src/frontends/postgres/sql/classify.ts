/** What the frontend must do with one statement before (or instead of) sending it to the gateway. */
import { isLocalVariable } from '../session/variables.js';
import { parseLocalCommand, type LocalCommand } from './local-command.js';
import { isBlank, leadingWords, skipBlank } from './split.js';

/** Effect of a statement on the transaction status the client sees. */
export type TxEffect = 'begin' | 'commit' | 'rollback' | 'rollback-to' | undefined;

export type StatementClass =
  | { readonly kind: 'empty' }
  | { readonly kind: 'engine'; readonly tx: TxEffect }
  | { readonly kind: 'local'; readonly command: LocalCommand }
  | { readonly kind: 'unsupported'; readonly reason: string }
  /** DEALLOCATE [PREPARE] name | ALL (`name` undefined): prepared statements live in the frontend. */
  | { readonly kind: 'deallocate'; readonly name: string | undefined };

const EMPTY: StatementClass = Object.freeze({ kind: 'empty' });
const PLAIN: StatementClass = Object.freeze({ kind: 'engine', tx: undefined });
const TX: Readonly<Record<Exclude<TxEffect, undefined>, StatementClass>> = {
  begin: Object.freeze({ kind: 'engine', tx: 'begin' }),
  commit: Object.freeze({ kind: 'engine', tx: 'commit' }),
  rollback: Object.freeze({ kind: 'engine', tx: 'rollback' }),
  'rollback-to': Object.freeze({ kind: 'engine', tx: 'rollback-to' }),
};
const COPY_STDIO = /\b(stdin|stdout)\b/i;
const DEALLOCATE = /^deallocate\s+(?:prepare\s+)?(?:(all)|"((?:[^"]|"")+)"|([A-Za-z_][\w$]*))\s*;?\s*$/i;

/** DEALLOCATE's target, or undefined when the statement is not one the frontend can read. */
function deallocateClass(sql: string): StatementClass | undefined {
  const m = DEALLOCATE.exec(sql.slice(skipBlank(sql)));
  if (m === null) return undefined;
  // Unquoted names fold to lower case, as in PostgreSQL.
  return { kind: 'deallocate', name: m[1] !== undefined ? undefined : m[2] !== undefined ? m[2].replace(/""/g, '"') : m[3]!.toLowerCase() };
}

/** Classify one statement (already split from its query string). */
export function classifyStatement(sql: string): StatementClass {
  const words = leadingWords(sql, 4);
  const verb = words[0];
  if (verb === undefined) return isBlank(sql) ? EMPTY : PLAIN;
  switch (verb) {
    case 'BEGIN':
      return TX.begin;
    case 'START':
      return words[1] === 'TRANSACTION' ? TX.begin : PLAIN;
    case 'COMMIT':
    case 'END':
      return words[1] === 'PREPARED' ? PLAIN : TX.commit;
    case 'ROLLBACK':
    case 'ABORT':
      if (words[1] === 'PREPARED') return PLAIN;
      return words.includes('TO') ? TX['rollback-to'] : TX.rollback;
    case 'PREPARE':
      return words[1] === 'TRANSACTION' ? TX.commit : PLAIN;
    case 'SET':
    case 'RESET':
    case 'SHOW': {
      const command = parseLocalCommand(sql, isLocalVariable);
      return command === undefined ? PLAIN : { kind: 'local', command };
    }
    case 'DEALLOCATE':
      return deallocateClass(sql) ?? PLAIN;
    case 'COPY':
      return COPY_STDIO.test(sql) ? { kind: 'unsupported', reason: 'COPY FROM STDIN / TO STDOUT is not supported by the gateway' } : PLAIN;
    default:
      return PLAIN;
  }
}
