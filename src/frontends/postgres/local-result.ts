/** A ResultStream for answers the frontend produces itself (SHOW, SET), so they flow like engine results. */
import type { Column, ResultStream, Row } from '../../core/types.js';

/** Result of a locally answered statement. */
export function localResult(columns: readonly Column[], rows: Row[], command: string): ResultStream {
  return {
    columns,
    async *batches() {
      if (rows.length > 0) yield rows;
    },
    summary: () => ({ command, rowCount: rows.length }),
    close: async () => undefined,
  };
}
