import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { newSession } from '../../src/core/types.js';
import { DuckDbEngine } from '../../src/engines/duckdb/adapter.js';
import { engineConformance, drain } from '../conformance/engine-suite.js';

const logger = pino({ level: 'silent' });
const cluster = (extra: object = {}) => ({ name: 'duck-test', engine: 'duckdb' as const, group: 'g', enabled: true, ...extra });

engineConformance('duckdb', async () => {
  const engine = await DuckDbEngine.create(cluster(), logger);
  return {
    engine,
    byteaLiteral: "'\\x0A\\xFF'::blob",
    slowQuery: 'select sum(a.range * b.range) from range(1000000) a, range(1000000) b',
    series: (n) => `select cast(g as integer) as g from range(1, ${n + 1}) t(g)`,
    cleanup: () => engine.close(),
  };
});

describe('duckdb specifics', () => {
  it('maps nested and wide types to the value convention', async () => {
    const e = await DuckDbEngine.create(cluster(), logger);
    const s = await e.execute({ sql: "select 12345678901234567890123::hugeint h, {'a': 1, 'b': 'x'} st, map {'k': 2} m, interval '1 year 2 months 3 days' iv, date '0044-03-15' - interval 0 day as d, 'infinity'::date inf" });
    const [row] = await drain(s);
    expect(s.columns.map((c) => c.type.kind)).toEqual(['int128', 'struct', 'map', 'interval', 'timestamp', 'date']);
    expect(row).toEqual([12345678901234567890123n, { a: 1, b: 'x' }, [['k', 2]], '1 year 2 mons 3 days', '0044-03-15 00:00:00', 'infinity']);
    await e.close();
  });

  it('runs initSql files and reports a broken one clearly', async () => {
    const e = await DuckDbEngine.create(cluster({ initSql: ['examples/demo/tpch.sql'] }), logger);
    expect(await drain(await e.execute({ sql: 'select count(*) from orders' }))).toEqual([[15000n]]);
    await e.close();
    await expect(DuckDbEngine.create(cluster({ initSql: ['no/such/file.sql'] }), logger)).rejects.toThrow(/cannot read initSql file no\/such\/file.sql/);
  });

  it('repeated queries reuse their prepared statement and still see schema changes, new parameters and new tables', async () => {
    const e = await DuckDbEngine.create(cluster(), logger);
    const a = newSession();
    const b = newSession();
    await drain(await e.execute({ sql: 'create table cached_t (x integer)', session: b }));
    await drain(await e.execute({ sql: 'insert into cached_t values (1), (2)', session: b }));
    const q = { sql: 'select * from cached_t order by 1', session: a };
    expect(await drain(await e.execute(q))).toEqual([[1], [2]]);
    expect(await drain(await e.execute(q))).toEqual([[1], [2]]);
    // Another session changes the table: the cached statement re-binds.
    await drain(await e.execute({ sql: 'alter table cached_t add column y varchar default \'d\'', session: b }));
    const s = await e.execute(q);
    expect(s.columns.map((c) => c.name)).toEqual(['x', 'y']);
    expect(await drain(s)).toEqual([[1, 'd'], [2, 'd']]);
    // Dropped: a clear error; re-created with other columns: the query works again.
    await drain(await e.execute({ sql: 'drop table cached_t', session: b }));
    await expect(e.execute(q)).rejects.toThrow(/cached_t/);
    await drain(await e.execute({ sql: "create table cached_t as select 'z' as z", session: b }));
    expect(await drain(await e.execute(q))).toEqual([['z']]);
    // Parameters: each execution binds its own values.
    const p = (v: number) => e.execute({ sql: 'select $1::integer * 2', params: [v], session: a });
    expect(await drain(await p(2))).toEqual([[4]]);
    expect(await drain(await p(5))).toEqual([[10]]);
    await expect(e.execute({ sql: 'select $1::integer * 2', params: [], session: a })).rejects.toThrow(/parameters/);
    expect(await drain(await p(7))).toEqual([[14]]);
    await e.close();
  });
});
