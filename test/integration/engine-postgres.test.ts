import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { PostgresEngine } from '../../src/engines/postgres/adapter.js';
import { engineConformance, drain } from '../conformance/engine-suite.js';
import { startPostgres } from '../support/postgres-server.js';

const logger = pino({ level: 'silent' });

engineConformance('postgres', async () => {
  const server = await startPostgres();
  const engine = await PostgresEngine.create({ name: 'pg-test', engine: 'postgres', group: 'g', enabled: true, endpoint: server.url }, logger);
  return {
    engine,
    byteaLiteral: "'\\x0aff'::bytea",
    slowQuery: 'select pg_sleep(30)',
    series: (n) => `select g::integer as g from generate_series(1, ${n}) g`,
    cleanup: async () => {
      await engine.close();
      await server.stop();
    },
  };
});

describe('postgres specifics', () => {
  it('a backend that dies mid-query gives QF_ENGINE_UNAVAILABLE, and queries work again after restart', async () => {
    const server = await startPostgres();
    const engine = await PostgresEngine.create({ name: 'pg-die', engine: 'postgres', group: 'g', enabled: true, endpoint: server.url }, logger);
    // The outcome is caught at once: the backend's FATAL can arrive before the admin statement
    // below has finished, and a rejection with no handler yet is reported as unhandled.
    const pending = engine.execute({ sql: 'select pg_sleep(30)' }).then(drain).then(
      () => undefined,
      (x: unknown) => x as { code: string },
    );
    // Terminate its backend once the statement shows in pg_stat_activity (a fixed pause can end
    // before a fresh pool has connected and sent it on a loaded machine; then nothing is terminated
    // and the statement runs its full 30 s).
    const deadline = Date.now() + 30_000;
    for (;;) {
      const admin = await engine.execute({ sql: "select pg_terminate_backend(pid) from pg_stat_activity where query like 'select pg_sleep(30)%' and pid <> pg_backend_pid()" });
      if ((await drain(admin)).length > 0) break;
      if (Date.now() > deadline) throw new Error('select pg_sleep(30) never showed in pg_stat_activity');
      await new Promise((r) => setTimeout(r, 50));
    }
    const err = await pending;
    expect(err?.code).toBe('QF_ENGINE_UNAVAILABLE');
    expect(await drain(await engine.execute({ sql: 'select 1' }))).toEqual([['1']]);
    await engine.close();
    await server.stop();
  });

  it('an unreachable backend is a clear QF_ENGINE_UNAVAILABLE, not a crash', async () => {
    const engine = await PostgresEngine.create({ name: 'pg-none', engine: 'postgres', group: 'g', enabled: true, endpoint: 'postgres://x@127.0.0.1:1/db' }, logger);
    await expect(engine.execute({ sql: 'select 1' })).rejects.toMatchObject({ code: 'QF_ENGINE_UNAVAILABLE' });
    expect((await engine.health()).healthy).toBe(false);
    await engine.close();
  });
});

describe('postgres describe errors', () => {
  it('a statement that fails to parse rejects describe and the connection is reused', async () => {
    const server = await startPostgres();
    const engine = await PostgresEngine.create({ name: 'pg-d', engine: 'postgres', group: 'g', enabled: true, endpoint: server.url, poolSize: 1 }, logger);
    await expect(engine.describe({ sql: 'selec 1' })).rejects.toMatchObject({ code: 'QF_SYNTAX_ERROR' });
    await expect(engine.describe({ sql: 'select * from qf_missing' })).rejects.toMatchObject({ extras: { sqlstate: '42P01' } });
    expect((await engine.describe({ sql: 'select 1 as a' })).columns).toEqual([{ name: 'a', type: { kind: 'int4' } }]);
    await engine.close();
    await server.stop();
  });
});

describe('postgres parameters', () => {
  it('arrays (nested, with nulls, bytea, quotes) bind as PostgreSQL array text and the connection stays healthy', async () => {
    const server = await startPostgres();
    const engine = await PostgresEngine.create({ name: 'pg-arr', engine: 'postgres', group: 'g', enabled: true, endpoint: server.url, poolSize: 1 }, logger);
    try {
      const run = async (sql: string, params: unknown[]) => drain(await engine.execute({ sql, params }));
      expect(await run('select $1::int[] as a, $2::text[] as b', [[1, null, -3], ['a', 'b c', null, '"q"', 'back\\slash']])).toEqual([
        [['1', null, '-3'], ['a', 'b c', null, '"q"', 'back\\slash']],
      ]);
      expect(await run('select $1::int8[][] as a', [[[1n, 2n], [3n, null]]])).toEqual([[[['1', '2'], ['3', null]]]]);
      const bytes = (await run('select $1::bytea[] as a', [[new Uint8Array([0, 255]), null]]))[0]![0] as unknown[];
      expect(bytes.map((b) => (b === null ? null : Buffer.from(b as Uint8Array).toString('hex')))).toEqual(['00ff', null]);
      expect(await run('select $1::bool[] as a, $2::oid[] as b, cardinality($3::int[]) as c', [[true, false], [26, 1028], []])).toEqual([
        [['t', 'f'], ['26', '1028'], '0'],
      ]);
      // A value the backend rejects is a clean SQL error, never "engine unavailable"; the one connection is reused.
      await expect(run('select $1::int[]', [['x']])).rejects.toMatchObject({ code: 'QF_ENGINE_ERROR', extras: { sqlstate: '22P02' } });
      expect(await run('select $1::int + 1 as a', [41])).toEqual([['42']]);
      // oid and reg* keep their PostgreSQL identity (pg:<oid>) for the PostgreSQL frontend.
      const oid = { kind: 'unknown', name: 'pg:26' };
      expect(await engine.describe({ sql: 'select $1::oid[] as a, 1::oid as b, 23::regtype as c' })).toEqual({
        params: [{ kind: 'list', element: oid }],
        columns: [
          { name: 'a', type: { kind: 'list', element: oid } },
          { name: 'b', type: oid },
          { name: 'c', type: { kind: 'unknown', name: 'pg:2206' } },
        ],
      });
    } finally {
      await engine.close();
      await server.stop();
    }
  });
});
