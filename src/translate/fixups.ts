/** Built-in per-pair fix-ups and per-engine preparation needed by frontends. */
import type { Engine } from '../engines/engine.js';
import type { Translator } from './translator.js';

/** Register the fix-ups every gateway needs. */
export function registerDefaultFixups(_t: Translator): void {
  // PostgreSQL catalog queries onto DuckDB are registered here once the catalog emulation lands.
}

/** Install what frontends rely on inside an engine. */
export async function prepareEngine(_engine: Engine): Promise<void> {
  // pg_catalog emulation for DuckDB is installed here once it lands.
}
