-- "warm" cluster of the savings benchmark: the data loaded into DuckDB's native tables (in
-- memory), as on a compute cluster that keeps its tables hot. {{DIR}} is the data directory.
CREATE TABLE events AS FROM read_parquet('{{DIR}}/events.parquet');
CREATE TABLE users AS FROM read_parquet('{{DIR}}/users.parquet');
CREATE TABLE items AS FROM read_parquet('{{DIR}}/items.parquet');
