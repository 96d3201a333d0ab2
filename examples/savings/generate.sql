-- Savings benchmark dataset (bench/savings). Rendered by the bench with {{DIR}} = the data
-- directory and {{EVENTS}} = the number of events, then run in a fresh DuckDB.
-- Deterministic: every "random" value is hash(row number, salt), never random(), so the files
-- are the same whatever the thread count (DuckDB's setseed() + random() is only repeatable on a
-- single thread). Column names carry a table prefix (e_, u_, i_) so a column in a query plan
-- names its table.

-- items: a small dimension (products).
COPY (
  SELECT i AS i_id,
         'cat-' || (hash(i, 11) % 40) AS i_category,
         'brand-' || (hash(i, 12) % 900) AS i_brand,
         round(1 + (hash(i, 13) % 50000) / 100.0, 2) AS i_price
  FROM range(20000) t(i)
) TO '{{DIR}}/items.parquet' (FORMAT parquet, COMPRESSION zstd);

-- users: a medium dimension.
COPY (
  SELECT i AS u_id,
         DATE '2019-01-01' + (hash(i, 21) % 1900)::INT AS u_signup,
         'c' || lpad(((hash(i, 22) % 1000) * (hash(i, 22) % 1000) // 33334)::VARCHAR, 2, '0') AS u_country,
         ['free', 'free', 'free', 'basic', 'pro', 'team'][1 + (hash(i, 23) % 6)::INT] AS u_plan,
         (16 + hash(i, 24) % 60)::INT AS u_age,
         'user-' || i || '-' || substr(md5(i::VARCHAR), 1, 10) AS u_name
  FROM range(400000) t(i)
) TO '{{DIR}}/users.parquet' (FORMAT parquet, COMPRESSION zstd);

-- events: the fact table, in time order (row groups of 122,880 rows cover short time ranges,
-- so a time-range predicate skips most of them), 2024-01-01 onwards, about 50 events a minute.
COPY (
  SELECT i AS e_id,
         -- a skewed user distribution: some users are far more active than others
         ((hash(i, 31) % 400000) * (hash(i, 32) % 1000) // 1000)::INT AS e_user,
         ((hash(i, 33) % 20000) * (hash(i, 33) % 20000) // 20000)::INT AS e_item,
         TIMESTAMP '2024-01-01' + to_milliseconds((i * 1200 + hash(i, 34) % 1200)::BIGINT) AS e_ts,
         ['view', 'view', 'view', 'view', 'click', 'click', 'cart', 'buy'][1 + (hash(i, 35) % 8)::INT] AS e_kind,
         ['web', 'ios', 'android'][1 + (hash(i, 36) % 3)::INT] AS e_device,
         round((hash(i, 37) % 100000) / 100.0, 2)::DOUBLE AS e_amount,
         (hash(i, 38) % 60000)::INT AS e_duration_ms,
         -- an opaque client payload: wide and incompressible, as JSON blobs and user agents are
         md5((i * 7919)::VARCHAR) || md5(i::VARCHAR) AS e_payload
  FROM range({{EVENTS}}) t(i)
  ORDER BY i
) TO '{{DIR}}/events.parquet' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880);
