"""SQLAlchemy 2 reflection through QueryFlux (postgresql+psycopg); prints JSON."""
import json
import os
import sys

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL

url = URL.create("postgresql+psycopg", username=os.environ.get("QF_USER", "postgres"), password=os.environ.get("QF_PASSWORD", ""),
                 host=os.environ.get("QF_HOST", "127.0.0.1"), port=int(os.environ.get("QF_PORT", "5432")), database=os.environ.get("QF_DB", "postgres"),
                 query={"sslmode": "disable"})
table = os.environ.get("QF_TABLE", "orders")
out = {}
try:
    engine = create_engine(url)
    with engine.connect() as conn:
        out["count"] = conn.execute(text(f"select count(*) from {table}")).scalar()
    insp = inspect(engine)
    out["tables"] = sorted(insp.get_table_names())
    out["hasTable"] = insp.has_table(table)
    out["columns"] = [[c["name"], str(c["type"]), c["nullable"]] for c in insp.get_columns(table)]
    out["pk"] = insp.get_pk_constraint(table).get("constrained_columns")
    out["indexes"] = len(insp.get_indexes(table))
    out["fks"] = len(insp.get_foreign_keys(table))
except Exception as e:  # noqa: BLE001
    out["fatal"] = f"{type(e).__name__}: {e}"
    print(json.dumps(out, default=str))
    sys.exit(1)
print(json.dumps(out, default=str))
