"""asyncpg against a PostgreSQL-protocol server (QF_HOST, QF_PORT, QF_USER, QF_PASSWORD, QF_DB).

asyncpg speaks only the extended protocol with binary formats and relies on Describe for
parameter and column types. Checks: simple fetch; prepared statements (parameter and column
types, repeated execution); a binary round trip of int, bigint, numeric, float, text, bool, date,
timestamp, timestamptz, bytea, uuid, json and NULL, and of int[] and text[]; a cursor in a transaction (portal
fetched in batches); executemany; an SQL error after which the connection is still usable.
Prints one JSON object (see qfcheck.py); exit 1 when a check failed, 2 when asyncpg is missing.
"""
import asyncio
import json

from qfcheck import ARRAY_ROUND_TRIP, Checks, around_trip, require, settings

asyncpg = require("asyncpg")

c = Checks("asyncpg")
s = settings()


def normalise(label, v):
    # asyncpg hands json back as text by default (no codec registered): decode it to compare.
    return json.loads(v) if label == "json" and isinstance(v, str) else v


async def main() -> None:
    try:
        conn = await asyncpg.connect(host=s["host"], port=s["port"], user=s["user"], password=s["password"], database=s["dbname"], ssl=False, timeout=10)
    except Exception as e:  # noqa: BLE001
        c.fatal(e)
        return
    try:
        await c.arun("simple", lambda: conn.fetchval("select 1"))

        async def prepared():
            stmt = await conn.prepare("select cast($1 as integer) + 1 as a, cast($2 as text) as b")
            rows = [list(await stmt.fetchrow(41 + i, f"v{i}")) for i in range(3)]
            return {"params": [t.name for t in stmt.get_parameters()], "columns": [[a.name, a.type.name] for a in stmt.get_attributes()], "rows": rows}

        await c.arun("prepared", prepared)

        async def fetch(items):
            sql = "select " + ", ".join(f"cast(${i + 1} as {t})" for i, (_l, t, _v) in enumerate(items))
            return list(await conn.fetchrow(sql, *[json.dumps(v) if lbl == "json" else v for lbl, _t, v in items]))

        await c.arun("types", lambda: around_trip(fetch, normalise))
        await c.arun("typesArray", lambda: around_trip(fetch, normalise, ARRAY_ROUND_TRIP))

        async def cursor():
            total, n = 0, 0
            async with conn.transaction():
                async for r in conn.cursor("select cast(g as integer) as g from generate_series(1, 1000) as t(g)", prefetch=100):
                    total += r["g"]
                    n += 1
            return [n, total]

        await c.arun("cursor", cursor)
        await c.arun("many", lambda: _len(conn.fetch("select cast(g as integer) from generate_series(1, 5000) as t(g)")))

        async def executemany():
            table = "qf_asyncpg_scratch"
            await conn.execute(f"drop table if exists {table}")
            await conn.execute(f"create table {table} (a integer, b text)")
            await conn.executemany(f"insert into {table} values ($1, $2)", [(i, f"r{i}") for i in range(50)])
            row = await conn.fetchrow(f"select count(*) as n, cast(sum(a) as bigint) as s from {table}")
            await conn.execute(f"drop table {table}")
            return [row["n"], row["s"]]

        await c.arun("executemany", executemany)

        async def syntax_error():
            try:
                await conn.fetch("selec 1")
            except asyncpg.PostgresError as e:
                return e.sqlstate
            raise AssertionError("no error for 'selec 1'")

        await c.arun("syntaxError", syntax_error)

        async def bad_param():
            try:
                await conn.fetchval("select cast($1 as integer)", "not a number")
            except (asyncpg.PostgresError, asyncpg.exceptions.DataError) as e:
                return type(e).__name__
            raise AssertionError("no error for a text parameter bound to integer")

        await c.arun("badParameter", bad_param)
        await c.arun("afterError", lambda: conn.fetchval("select 2"))
    finally:
        await conn.close()


async def _len(coro):
    return len(await coro)


asyncio.run(main())
c.finish()
