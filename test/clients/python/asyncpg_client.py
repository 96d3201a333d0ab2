"""asyncpg client check for QueryFlux (prepared statements, Describe, binary types); prints JSON."""
import asyncio
import json
import os
import sys

import asyncpg


async def main() -> dict:
    out: dict = {}
    conn = await asyncpg.connect(host=os.environ.get("QF_HOST", "127.0.0.1"), port=int(os.environ.get("QF_PORT", "5432")),
                                 user=os.environ.get("QF_USER", "postgres"), password=os.environ.get("QF_PASSWORD", ""),
                                 database=os.environ.get("QF_DB", "postgres"), ssl=False)
    try:
        out["simple"] = await conn.fetchval("select 1")
        stmt = await conn.prepare("select cast($1 as integer) + 1 as a, cast($2 as text) as b")
        out["params"] = [str(t.name) for t in stmt.get_parameters()]
        out["columns"] = [a.name for a in stmt.get_attributes()]
        out["prepared"] = [list(await stmt.fetchrow(41 + i, f"v{i}")) for i in range(3)]
        row = await conn.fetchrow("select cast(12345.67 as decimal(10,2)) as d, cast('2024-02-29' as date) as dt, cast(9000000000 as bigint) as b, cast(0.5 as double precision) as f")
        out["types"] = [str(row["d"]), row["dt"].isoformat(), row["b"], row["f"]]
        try:
            await conn.fetch("selec 1")
            out["syntaxError"] = None
        except asyncpg.PostgresError as e:
            out["syntaxError"] = e.sqlstate
        out["afterError"] = await conn.fetchval("select 2")
        out["many"] = len(await conn.fetch("select cast(g as integer) from generate_series(1, 5000) as t(g)"))
    finally:
        await conn.close()
    return out


try:
    result = asyncio.run(main())
except Exception as e:  # noqa: BLE001
    print(json.dumps({"fatal": f"{type(e).__name__}: {e}"}))
    sys.exit(1)
print(json.dumps(result, default=str))
