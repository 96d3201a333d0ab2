/** Map anything thrown to ErrorResponse fields (QueryFluxError via its sqlstate getter; else XX000). */
import { QueryFluxError } from '../../core/errors.js';
import type { ErrorFields } from './protocol/messages.js';

/** ErrorResponse fields for `err`; `positionOffset` shifts positions of one statement of a multi-statement query. */
export function errorFields(err: unknown, severity: 'ERROR' | 'FATAL' = 'ERROR', positionOffset = 0): ErrorFields {
  if (err instanceof QueryFluxError) {
    const x = err.extras;
    return {
      severity,
      code: err.sqlstate,
      message: err.message,
      detail: x.detail,
      hint: x.hint,
      position: x.position === undefined ? undefined : x.position + positionOffset,
    };
  }
  return { severity, code: 'XX000', message: err instanceof Error ? err.message : String(err) };
}
