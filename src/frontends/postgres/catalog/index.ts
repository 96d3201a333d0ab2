/** PostgreSQL catalog emulation for non-PostgreSQL engines (today: DuckDB). */
export { catalogSetupSql } from './setup-sql.js';
export { rewriteForDuckDb } from './rewrite.js';
