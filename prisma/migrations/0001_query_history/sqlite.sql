-- Query history (SQLite). Column types follow what Prisma's SQLite client reads and writes:
-- DateTime as ISO-8601 text, BigInt as INTEGER, Float as REAL.
CREATE TABLE IF NOT EXISTS "query_history" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "received_at" DATETIME NOT NULL,
    "finished_at" DATETIME NOT NULL,
    "protocol" TEXT NOT NULL,
    "user_name" TEXT NOT NULL,
    "database_name" TEXT,
    "client_tags" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "sql_text" TEXT NOT NULL,
    "statement_kind" TEXT,
    "tables" TEXT NOT NULL,
    "group_name" TEXT,
    "cluster" TEXT,
    "engine" TEXT,
    "rule" TEXT,
    "reason" TEXT,
    "translated_from" TEXT,
    "translated_to" TEXT,
    "status" TEXT NOT NULL,
    "error_code" TEXT,
    "queued_ms" REAL NOT NULL,
    "duration_ms" REAL NOT NULL,
    "row_count" BIGINT NOT NULL,
    "bytes_scanned" BIGINT,
    "estimates" TEXT,
    "cost_usd" REAL,
    "baseline_usd" REAL,
    "baseline_group" TEXT,
    "extra" TEXT
);
CREATE INDEX IF NOT EXISTS "query_history_received_at_idx" ON "query_history"("received_at");
CREATE INDEX IF NOT EXISTS "query_history_user_received_at_idx" ON "query_history"("user_name", "received_at");
CREATE INDEX IF NOT EXISTS "query_history_status_received_at_idx" ON "query_history"("status", "received_at");
CREATE INDEX IF NOT EXISTS "query_history_fingerprint_idx" ON "query_history"("fingerprint");
