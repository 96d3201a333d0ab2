-- "lake" engine of the savings benchmark: views over the Parquet files, read at query time, as a
-- serverless engine over object storage reads them. {{DIR}} is the data directory.
CREATE VIEW events AS FROM read_parquet('{{DIR}}/events.parquet');
CREATE VIEW users AS FROM read_parquet('{{DIR}}/users.parquet');
CREATE VIEW items AS FROM read_parquet('{{DIR}}/items.parquet');
