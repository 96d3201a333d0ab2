"""psycopg 3 client check for QueryFlux; prints one JSON object; exit 1 on unexpected failure."""
import datetime
import decimal
import json
import os
import sys
import uuid

import psycopg

out = {}
dsn = dict(host=os.environ.get("QF_HOST", "127.0.0.1"), port=os.environ.get("QF_PORT", "5432"), user=os.environ.get("QF_USER", "postgres"),
           password=os.environ.get("QF_PASSWORD", ""), dbname=os.environ.get("QF_DB", "postgres"), sslmode="disable")
try:
    with psycopg.connect(**dsn, autocommit=True) as conn:
        out["simple"] = conn.execute("select 1 as one, 'x' as t").fetchone()
        cur = conn.execute("select cast(%s as integer) + 1, cast(%s as varchar), cast(%s as bigint)", [41, "v", 9_000_000_000], prepare=True)
        out["prepared"] = list(cur.fetchone())
        with conn.cursor(binary=True) as bc:
            bc.execute("select cast(%s as integer) * 2 as a, cast(%s as double precision) as f, cast(%s as text) as t", [21, 0.5, "bin"])
            out["binary"] = list(bc.fetchone())
        row = conn.execute(
            "select cast(12345.67 as decimal(10,2)), cast('2024-02-29 13:14:15' as timestamp), cast('2024-02-29' as date), true, "
            "cast('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11' as uuid)").fetchone()
        out["types"] = [str(row[0]), row[1].isoformat(), row[2].isoformat(), row[3], str(row[4])]
        assert isinstance(row[0], decimal.Decimal) and isinstance(row[1], datetime.datetime) and isinstance(row[4], uuid.UUID)
        try:
            conn.execute("selec 1")
            out["syntaxError"] = None
        except psycopg.Error as e:
            out["syntaxError"] = e.sqlstate
        out["afterError"] = conn.execute("select 2").fetchone()[0]
        out["many"] = len(conn.execute("select cast(g as integer) from generate_series(1, 5000) as t(g)").fetchall())
    with psycopg.connect(**dsn) as conn:
        table = os.environ.get("QF_SCRATCH", "qf_psycopg_tx")
        conn.execute(f"create table if not exists {table} (a integer)")
        conn.commit()
        conn.execute(f"insert into {table} values (1)")
        conn.rollback()
        out["afterRollback"] = conn.execute(f"select count(*) from {table}").fetchone()[0]
        conn.execute(f"insert into {table} values (2)")
        conn.commit()
        out["afterCommit"] = conn.execute(f"select count(*) from {table}").fetchone()[0]
        conn.execute(f"drop table {table}")
        conn.commit()
except Exception as e:  # noqa: BLE001 - report anything unexpected as the failure
    out["fatal"] = f"{type(e).__name__}: {e}"
    print(json.dumps(out, default=str))
    sys.exit(1)
print(json.dumps(out, default=str))
