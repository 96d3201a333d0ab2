/** CommandComplete tags as PostgreSQL writes them ('SELECT 5', 'INSERT 0 1', 'UPDATE 3', 'CREATE TABLE'). */
import type { StatementSummary } from '../../core/types.js';

const COUNTED = new Set(['SELECT', 'UPDATE', 'DELETE', 'MERGE', 'FETCH', 'MOVE', 'COPY']);
/** Verbs of row-returning statements that PostgreSQL tags as SELECT. */
const SELECT_LIKE = new Set(['WITH', 'VALUES', 'TABLE', 'FROM', '']);

/** The tag for a finished statement; `rowsSent` counts rows this Execute sent (used for SELECT). */
export function commandTag(summary: StatementSummary, hasColumns: boolean, rowsSent: number): string {
  let cmd = summary.command.trim().toUpperCase();
  if (hasColumns && SELECT_LIKE.has(cmd)) cmd = 'SELECT';
  if (cmd === 'SELECT') return `SELECT ${hasColumns ? rowsSent : (summary.rowCount ?? rowsSent)}`;
  if (cmd === 'INSERT') return `INSERT 0 ${summary.rowCount ?? 0}`;
  if (COUNTED.has(cmd)) return `${cmd} ${summary.rowCount ?? rowsSent}`;
  if (cmd === 'CREATE TABLE AS' || cmd === 'SELECT INTO') return `SELECT ${summary.rowCount ?? 0}`;
  return cmd === '' ? 'SELECT 0' : cmd;
}
