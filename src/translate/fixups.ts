/** Built-in per-pair fix-ups and per-engine preparation needed by frontends. */
import type { Engine } from '../engines/engine.js';
import { catalogSetupSql, rewriteForDuckDb } from '../frontends/postgres/catalog/index.js';
import type { Translator } from './translator.js';

/** Register the fix-ups every gateway needs (PostgreSQL catalog queries onto DuckDB, ...). */
export function registerDefaultFixups(t: Translator): void {
  t.addFixup('postgres', 'duckdb', rewriteForDuckDb);
}

/** Install what frontends rely on inside an engine (pg_catalog emulation in DuckDB). */
export async function prepareEngine(engine: Engine): Promise<void> {
  if (engine.dialect !== 'duckdb') return;
  for (const sql of catalogSetupSql()) {
    const stream = await engine.execute({ sql });
    await stream.close();
  }
}
