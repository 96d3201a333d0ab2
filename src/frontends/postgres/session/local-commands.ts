/** Run the SET / RESET / SHOW statements the frontend answers itself, as ResultStreams. */
import type { Column, ResultStream, SessionState, SqlType } from '../../../core/types.js';
import { localResult } from '../local-result.js';
import type { PgWriter } from '../protocol/writer.js';
import type { LocalCommand } from '../sql/local-command.js';
import type { SessionVariables } from './variables.js';

const TEXT_TYPE: SqlType = Object.freeze({ kind: 'text' });
const NO_COLUMNS: readonly Column[] = Object.freeze([]);

/** What a local command may touch: the variables, and the writer for ParameterStatus / notices. */
export interface LocalCommandContext {
  readonly vars: SessionVariables;
  readonly writer: PgWriter;
  readonly txStatus: SessionState['txStatus'];
}

/** Result columns of a local command (one text column for SHOW, none otherwise). */
export function localColumns(cmd: LocalCommand, vars: SessionVariables): readonly Column[] {
  return cmd.kind === 'show' ? [{ name: vars.canonicalName(cmd.name), type: TEXT_TYPE }] : NO_COLUMNS;
}

/** Apply a local command; reported variables that change are written as ParameterStatus. Throws on invalid values. */
export function runLocalCommand(cmd: LocalCommand, ctx: LocalCommandContext): ResultStream {
  const { vars, writer } = ctx;
  switch (cmd.kind) {
    case 'show':
      return localResult(localColumns(cmd, vars), [[vars.get(cmd.name)]], 'SHOW');
    case 'set':
    case 'reset': {
      const change = vars.set(cmd.name, cmd.kind === 'set' ? cmd.value : null);
      if (change !== undefined) writer.parameterStatus(change.name, change.value);
      return localResult(NO_COLUMNS, [], cmd.kind === 'set' ? 'SET' : 'RESET');
    }
    case 'reset-all':
      for (const c of vars.resetAll()) writer.parameterStatus(c.name, c.value);
      return localResult(NO_COLUMNS, [], 'RESET');
    case 'set-transaction': {
      if (!cmd.session && ctx.txStatus === 'idle') {
        // PostgreSQL only warns here; the setting would not outlive the (absent) transaction.
        writer.noticeResponse({ severity: 'WARNING', code: '25P01', message: 'SET TRANSACTION can only be used in transaction blocks' });
      } else {
        const prefix = cmd.session ? 'default_' : '';
        if (cmd.isolation !== undefined) vars.set(`${prefix}transaction_isolation`, cmd.isolation);
        if (cmd.readOnly !== undefined) vars.set(`${prefix}transaction_read_only`, cmd.readOnly ? 'on' : 'off');
      }
      return localResult(NO_COLUMNS, [], 'SET');
    }
  }
}
