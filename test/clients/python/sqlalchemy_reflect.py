"""SQLAlchemy 2 (postgresql+psycopg) reflection against a PostgreSQL-protocol server
(QF_HOST, QF_PORT, QF_USER, QF_PASSWORD, QF_DB) on the table named by QF_TABLE (default orders):
get_table_names, has_table, get_columns, get_pk_constraint, get_indexes, get_foreign_keys, and a
Core select with a bound parameter. These run the pg_catalog queries SQLAlchemy ships.
Prints one JSON object (see qfcheck.py); exit 1 when a check failed, 2 when a module is missing.
"""
import os

from qfcheck import Checks, require, settings

require("psycopg")
sqlalchemy = require("sqlalchemy")
from sqlalchemy import create_engine, inspect, text  # noqa: E402
from sqlalchemy.engine import URL  # noqa: E402

c = Checks("sqlalchemy")
s = settings()
table = os.environ.get("QF_TABLE") or "orders"
url = URL.create("postgresql+psycopg", username=s["user"], password=s["password"], host=s["host"], port=s["port"], database=s["dbname"], query={"sslmode": "disable"})

try:
    engine = create_engine(url, pool_pre_ping=False)
    insp = inspect(engine)  # connects: first_connect runs the dialect's version and setting queries
except Exception as e:  # noqa: BLE001
    c.fatal(e)
    c.finish()
    raise SystemExit(1)


def count():
    with engine.connect() as conn:
        return conn.execute(text(f"select count(*) from {table}")).scalar()


def select_param():
    with engine.connect() as conn:
        return conn.execute(text(f"select count(*) from {table} where o_orderkey <= :k"), {"k": 10}).scalar()


c.run("count", count)
c.run("selectParam", select_param)
c.run("tables", lambda: sorted(insp.get_table_names()))
c.run("hasTable", lambda: insp.has_table(table))
c.run("columns", lambda: [[col["name"], str(col["type"]), col["nullable"]] for col in insp.get_columns(table)])
c.run("pk", lambda: insp.get_pk_constraint(table).get("constrained_columns"))
c.run("indexes", lambda: len(insp.get_indexes(table)))
c.run("foreignKeys", lambda: len(insp.get_foreign_keys(table)))
engine.dispose()
c.finish()
