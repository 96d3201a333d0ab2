-- Query history (PostgreSQL). Column types follow Prisma's PostgreSQL defaults:
-- DateTime as TIMESTAMP(3) (UTC), BigInt as BIGINT, Float as DOUBLE PRECISION.
CREATE TABLE IF NOT EXISTS "query_history" (
    "id" TEXT NOT NULL,
    "received_at" TIMESTAMP(3) NOT NULL,
    "finished_at" TIMESTAMP(3) NOT NULL,
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
    "queued_ms" DOUBLE PRECISION NOT NULL,
    "duration_ms" DOUBLE PRECISION NOT NULL,
    "row_count" BIGINT NOT NULL,
    "bytes_scanned" BIGINT,
    "estimates" TEXT,
    "cost_usd" DOUBLE PRECISION,
    "baseline_usd" DOUBLE PRECISION,
    "baseline_group" TEXT,
    "extra" TEXT,
    CONSTRAINT "query_history_pkey" PRIMARY KEY ("id")
);
CREATE INDEX IF NOT EXISTS "query_history_received_at_idx" ON "query_history"("received_at");
CREATE INDEX IF NOT EXISTS "query_history_user_received_at_idx" ON "query_history"("user_name", "received_at");
CREATE INDEX IF NOT EXISTS "query_history_status_received_at_idx" ON "query_history"("status", "received_at");
CREATE INDEX IF NOT EXISTS "query_history_fingerprint_idx" ON "query_history"("fingerprint");
