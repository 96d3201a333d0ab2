/** DuckDB error messages → registry errors with a PostgreSQL SQLSTATE and a position. */
import { QueryFluxError, qfError } from '../../core/errors.js';

/** Error-type prefixes DuckDB puts before ': ' → SQLSTATE. */
const SQLSTATE_BY_TYPE: Readonly<Record<string, string>> = {
  'Parser Error': '42601',
  'Binder Error': '42703',
  'Conversion Error': '22P02',
  'Invalid Input Error': '22P02',
  'Out of Range Error': '22003',
  'Constraint Error': '23505',
  'Transaction Error': '25000',
  'TransactionContext Error': '25000',
  'Dependency Error': '2BP01',
  'Permission Error': '42501',
  'Not implemented Error': '0A000',
  'Out of Memory Error': '53200',
  'IO Error': '58030',
  'Syntax Error': '42601',
};

/** Position (1-based char offset) from DuckDB's "LINE n: ...\n   ^" trailer. */
function positionOf(message: string, sql: string | undefined): number | undefined {
  const m = /LINE (\d+): (.*)\n( *)\^/.exec(message);
  if (!m || sql === undefined) return undefined;
  const line = Number(m[1]);
  let col = m[3]!.length - `LINE ${m[1]}: `.length;
  // DuckDB prints a window of long lines starting with "..."; positions then are not reliable.
  if (m[2]!.startsWith('...') || col < 0) return undefined;
  let offset = 0;
  for (let l = 1; l < line; l++) offset = sql.indexOf('\n', offset) + 1;
  col = Math.min(col, sql.length);
  return offset + col + 1;
}

/** Map a DuckDB error to a QueryFluxError; `aborted` turns an interrupt into QF_QUERY_CANCELED. */
export function mapDuckDbError(err: unknown, sql?: string, aborted = false): QueryFluxError {
  if (err instanceof QueryFluxError) return err;
  const raw = err instanceof Error ? err.message : String(err);
  if (aborted || raw.startsWith('INTERRUPT Error')) return qfError('QF_QUERY_CANCELED');
  // The node API may wrap the engine's message ("Failed to extract statements: Parser Error: ...").
  const m = /(?:^|: )([A-Z][A-Za-z]*(?: [A-Za-z]+)? Error): /.exec(raw);
  const type = m ? m[1]! : '';
  const message = m ? raw.slice(m.index + m[0].length) : raw;
  // Keep the first line(s) before the LINE trailer as the message; the caret goes to `position`.
  const text = message.split(/\n\nLINE \d+:/)[0]!.trim();
  let sqlstate = SQLSTATE_BY_TYPE[type] ?? 'XX000';
  if (type === 'Catalog Error') sqlstate = /^Table|^Table Function|^View/.test(text) ? '42P01' : /^Schema/.test(text) ? '3F000' : /^Scalar Function|^Function|^Macro/.test(text) ? '42883' : '42704';
  if (type === 'Binder Error' && /No function matches|function .* does not exist/i.test(text)) sqlstate = '42883';
  if (type === 'Binder Error' && /Referenced column .* not found|column .* not found|does not have a column/i.test(text)) sqlstate = '42703';
  if (type === 'Constraint Error' && /NOT NULL/i.test(text)) sqlstate = '23502';
  if (type === 'Out of Range Error' && /division by zero/i.test(text)) sqlstate = '22012';
  const extras = { sqlstate, position: positionOf(raw, sql), cause: err };
  return new QueryFluxError(sqlstate === '42601' ? 'QF_SYNTAX_ERROR' : 'QF_ENGINE_ERROR', text, extras);
}
