"""psycopg 3 against a PostgreSQL-protocol server (QF_HOST, QF_PORT, QF_USER, QF_PASSWORD, QF_DB).

Checks: simple query; parameters with server-side prepared statements (prepare=True); binary
results (binary=True); a round trip of int, bigint, numeric, float, text, bool, date, timestamp,
timestamptz, bytea, uuid, json and NULL in text and binary formats, and of int[] and text[]; an SQL error (and an
error inside a transaction: 42P01 then 25P02) after which the connection is still usable; commit, rollback and
executemany on a scratch table (QF_SCRATCH, default qf_psycopg_<pid>). Prints one JSON object
(see qfcheck.py); exit 1 when a check failed, 2 when psycopg is missing.
"""
import os

from qfcheck import ARRAY_ROUND_TRIP, ROUND_TRIP, Checks, require, round_trip, settings

psycopg = require("psycopg")
from psycopg.types.json import Json  # noqa: E402

c = Checks("psycopg")
dsn = settings()
scratch = os.environ.get("QF_SCRATCH") or f"qf_psycopg_{os.getpid()}"


def param(label: str, value):
    return Json(value) if label == "json" else value


def types(conn, binary: bool, prepare: bool, items=ROUND_TRIP):
    def fetch(items):
        sql = "select " + ", ".join(f"cast(%s as {t})" for _l, t, _v in items)
        with conn.cursor(binary=binary) as cur:
            cur.execute(sql, [param(lbl, v) for lbl, _t, v in items], prepare=prepare)
            return list(cur.fetchone())

    return round_trip(fetch, items=items)


try:
    conn = psycopg.connect(**dsn, sslmode="disable", autocommit=True, application_name="qf-psycopg-check", connect_timeout=10)
except Exception as e:  # noqa: BLE001
    c.fatal(e)
    c.finish()
    raise SystemExit(1)

with conn:
    c.run("version", lambda: conn.info.server_version > 0 and conn.execute("show server_version").fetchone()[0])
    c.run("simple", lambda: list(conn.execute("select 1 as one, 'x' as t").fetchone()))

    def prepared():
        out = []
        with conn.cursor() as cur:
            for i in range(3):  # prepare=True: Parse once into a named statement, then Bind/Execute
                cur.execute("select cast(%s as integer) + 1 as a, cast(%s as varchar) as b, cast(%s as bigint) as c", [41 + i, f"v{i}", 9_000_000_000 + i], prepare=True)
                out.append(list(cur.fetchone()))
                assert [d.name for d in cur.description] == ["a", "b", "c"], cur.description
        return out

    c.run("prepared", prepared)

    def binary_fetch():
        with conn.cursor(binary=True) as cur:
            cur.execute("select cast(%s as integer) * 2 as a, cast(%s as double precision) as f, cast(%s as text) as t", [21, 0.5, "bin"])
            assert cur.pgresult.fformat(0) == 1, "server sent text for a binary column"
            return list(cur.fetchone())

    c.run("binary", binary_fetch)
    c.run("typesText", lambda: types(conn, binary=False, prepare=False))
    c.run("typesBinary", lambda: types(conn, binary=True, prepare=False))
    c.run("typesPrepared", lambda: types(conn, binary=True, prepare=True))
    c.run("typesArray", lambda: {"text": types(conn, binary=False, prepare=False, items=ARRAY_ROUND_TRIP), "binary": types(conn, binary=True, prepare=True, items=ARRAY_ROUND_TRIP)})
    c.run("many", lambda: len(conn.execute("select cast(g as integer) from generate_series(1, 5000) as t(g)").fetchall()))

    def syntax_error():
        try:
            conn.execute("selec 1")
        except psycopg.Error as e:
            return e.sqlstate
        raise AssertionError("no error for 'selec 1'")

    c.run("syntaxError", syntax_error)

    def undefined_table():
        try:
            conn.execute("select * from qf_no_such_table")
        except psycopg.Error as e:
            return e.sqlstate
        raise AssertionError("no error for a missing table")

    c.run("undefinedTable", undefined_table)
    c.run("afterError", lambda: conn.execute("select 2").fetchone()[0])

    def error_in_transaction():
        states = []
        with psycopg.connect(**dsn, sslmode="disable", connect_timeout=10) as tx:
            tx.execute("select 1")
            try:
                tx.execute("select * from qf_no_such_table")
            except psycopg.Error as e:
                states.append(e.sqlstate)
            try:
                tx.execute("select 1")
            except psycopg.Error as e:
                states.append(e.sqlstate)  # 25P02: current transaction is aborted
            tx.rollback()
            states.append(tx.execute("select 3").fetchone()[0])
        return states

    c.run("errorInTransaction", error_in_transaction)

    def transactions():
        with psycopg.connect(**dsn, sslmode="disable", connect_timeout=10) as tx:
            tx.execute(f"drop table if exists {scratch}")
            tx.execute(f"create table {scratch} (a integer, b text)")
            tx.commit()
            tx.execute(f"insert into {scratch} values (1, 'rolled back')")
            tx.rollback()
            after_rollback = tx.execute(f"select count(*) from {scratch}").fetchone()[0]
            tx.execute(f"insert into {scratch} values (2, 'committed')")
            tx.commit()
            after_commit = tx.execute(f"select count(*) from {scratch}").fetchone()[0]
            with tx.cursor() as cur:
                cur.executemany(f"insert into {scratch} values (%s, %s)", [(i, f"row {i}") for i in range(100)])
            tx.commit()
            total = tx.execute(f"select count(*), cast(sum(a) as bigint) from {scratch}").fetchone()
            tx.execute(f"drop table {scratch}")
            tx.commit()
            return {"afterRollback": after_rollback, "afterCommit": after_commit, "afterExecutemany": list(total)}

    c.run("transactions", transactions)

c.finish()
