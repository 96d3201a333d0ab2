/**
 * Engine conformance suite, written once and run against every engine adapter: types and the
 * value convention, streaming and early release, parameters, describe, cancel, errors,
 * transactions, health. An engine joins with one engineConformance(...) line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryFluxError } from '../../src/core/errors.js';
import { newSession, type ResultStream, type Row, type SqlTypeKind } from '../../src/core/types.js';
import type { Engine, EngineQuery } from '../../src/engines/engine.js';

export interface EngineTarget {
  readonly engine: Engine;
  /** A query that runs for many seconds. */
  readonly slowQuery: string;
  /** A bytea/blob literal holding the bytes 0x0a 0xff (literal syntax differs per engine). */
  readonly byteaLiteral: string;
  /** SQL producing `n` rows with one integer column `g` (1..n). */
  series(n: number): string;
  cleanup(): Promise<void>;
}

/** Drain a stream into rows. */
export async function drain(stream: ResultStream): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const b of stream.batches()) rows.push(...b);
  return rows;
}

async function run(engine: Engine, q: EngineQuery | string): Promise<{ stream: ResultStream; rows: Row[] }> {
  const stream = await engine.execute(typeof q === 'string' ? { sql: q } : q);
  return { stream, rows: await drain(stream) };
}

/** Canonical text of a value in the convention, for comparisons across engines. */
function text(v: unknown): unknown {
  if (v === null) return null;
  if (typeof v === 'bigint' || typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (v === 't' || v === 'f') return v;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  return v;
}

/** [label, SQL expression (PostgreSQL and DuckDB both accept it), kind, canonical text]. */
const TYPES: readonly (readonly [string, string, SqlTypeKind, unknown])[] = [
  ['bool', 'true', 'bool', 't'],
  ['smallint', 'cast(-7 as smallint)', 'int2', '-7'],
  ['integer', 'cast(2147483647 as integer)', 'int4', '2147483647'],
  ['bigint', 'cast(-9223372036854775808 as bigint)', 'int8', '-9223372036854775808'],
  ['numeric exact', 'cast(123456789012345678.123456789 as decimal(38,9))', 'decimal', '123456789012345678.123456789'],
  ['real', 'cast(1.5 as real)', 'float4', '1.5'],
  ['double', 'cast(0.125 as double precision)', 'float8', '0.125'],
  ['text unicode', "'héllo ✓ 日本'", 'text', 'héllo ✓ 日本'],
  ['date', "cast('2024-02-29' as date)", 'date', '2024-02-29'],
  ['time', "cast('13:14:15.5' as time)", 'time', '13:14:15.5'],
  ['timestamp', "cast('2024-02-29 13:14:15.123456' as timestamp)", 'timestamp', '2024-02-29 13:14:15.123456'],
  ['timestamptz', "cast('2024-02-29 13:14:15+00' as timestamptz)", 'timestamptz', '2024-02-29 13:14:15+00'],
  ['interval', "cast('1 day 02:00:00' as interval)", 'interval', '1 day 02:00:00'],
  ['uuid', "cast('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11' as uuid)", 'uuid', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'],
  ['null', 'cast(null as integer)', 'int4', null],
];

/** Define the conformance tests for one engine. */
export function engineConformance(name: string, make: () => Promise<EngineTarget>): void {
  describe(`engine conformance: ${name}`, () => {
    let t: EngineTarget;
    let e: Engine;
    beforeAll(async () => {
      t = await make();
      e = t.engine;
    });
    afterAll(async () => {
      await t?.cleanup();
    });

    for (const [label, expr, kind, expected] of TYPES) {
      it(`type ${label}`, async () => {
        const { stream, rows } = await run(e, `select ${expr} as v`);
        expect(stream.columns).toEqual([{ name: 'v', type: expect.objectContaining({ kind }) }]);
        expect(text(rows[0]![0])).toEqual(expected);
      });
    }

    it('type bytea', async () => {
      const { stream, rows } = await run(e, `select ${t.byteaLiteral} as v`);
      expect(stream.columns[0]!.type.kind).toBe('bytea');
      expect(rows[0]![0]).toBeInstanceOf(Uint8Array);
      expect(text(rows[0]![0])).toBe('0aff');
    });

    it('decimal carries precision and scale', async () => {
      const { stream } = await run(e, 'select cast(1.5 as decimal(10,2)) as v');
      expect(stream.columns[0]!.type).toEqual({ kind: 'decimal', precision: 10, scale: 2 });
    });

    it('lists arrive as arrays', async () => {
      const { stream, rows } = await run(e, 'select array[1, 2, null] as v');
      expect(stream.columns[0]!.type).toEqual({ kind: 'list', element: { kind: 'int4' } });
      expect((rows[0]![0] as unknown[]).map(text)).toEqual(['1', '2', null]);
    });

    it('streams a large result in several batches', async () => {
      const stream = await e.execute({ sql: t.series(200_000) });
      let batches = 0;
      let rows = 0;
      let last: unknown;
      for await (const b of stream.batches()) {
        batches++;
        rows += b.length;
        last = b[b.length - 1]![0];
      }
      expect(rows).toBe(200_000);
      expect(batches).toBeGreaterThan(1);
      expect(text(last)).toBe('200000');
      expect(stream.summary()).toMatchObject({ command: 'SELECT' });
    });

    it('breaking out early releases the engine', async () => {
      for (let i = 0; i < 20; i++) {
        const stream = await e.execute({ sql: t.series(500_000) });
        for await (const b of stream.batches()) {
          expect(b.length).toBeGreaterThan(0);
          break;
        }
      }
      const { rows } = await run(e, 'select 1 as one');
      expect(text(rows[0]![0])).toBe('1');
    });

    it('close() without reading releases the engine', async () => {
      for (let i = 0; i < 20; i++) await (await e.execute({ sql: t.series(100_000) })).close();
      expect(text((await run(e, 'select 2 as two')).rows[0]![0])).toBe('2');
    });

    it('binds parameters given as text and as native values', async () => {
      const { rows } = await run(e, { sql: 'select cast($1 as integer) + 1 as a, cast($2 as varchar) as b, cast($3 as date) as c', params: ['41', 'x', '2024-01-02'] });
      expect(rows[0]!.map(text)).toEqual(['42', 'x', '2024-01-02']);
      const n = await run(e, { sql: 'select cast($1 as bigint) * 2 as a, cast($2 as boolean) as b', params: [21n, true] });
      expect(n.rows[0]!.map(text)).toEqual(['42', 't']);
    });

    it('describes parameters and columns without executing', async () => {
      await run(e, 'create table qf_conf_describe (id integer, name varchar)');
      const d = await e.describe({ sql: 'insert into qf_conf_describe values ($1, $2)' });
      expect(d.params.map((p) => p.kind)).toEqual(['int4', 'text']);
      expect(d.columns).toEqual([]);
      const s = await e.describe({ sql: 'select id, name from qf_conf_describe where id = $1' });
      expect(s.columns.map((c) => [c.name, c.type.kind])).toEqual([['id', 'int4'], ['name', 'text']]);
      expect((await run(e, 'select count(*) as n from qf_conf_describe')).rows[0]!.map(text)).toEqual(['0']);
    });

    it('reports affected rows for writes', async () => {
      await run(e, 'create table qf_conf_writes (a integer)');
      const ins = await run(e, 'insert into qf_conf_writes values (1), (2), (3)');
      expect(ins.stream.columns).toEqual([]);
      expect(ins.stream.summary()).toEqual({ command: 'INSERT', rowCount: 3 });
      expect((await run(e, 'update qf_conf_writes set a = a + 1 where a > 1')).stream.summary()).toEqual({ command: 'UPDATE', rowCount: 2 });
      expect((await run(e, 'delete from qf_conf_writes')).stream.summary()).toEqual({ command: 'DELETE', rowCount: 3 });
    });

    it('cancels a running query through the AbortSignal and keeps serving', async () => {
      const ac = new AbortController();
      const t0 = performance.now();
      setTimeout(() => ac.abort(), 200);
      const err = await e
        .execute({ sql: t.slowQuery }, ac.signal)
        .then((s) => drain(s))
        .then(
          () => undefined,
          (x: unknown) => x,
        );
      expect(err).toBeInstanceOf(QueryFluxError);
      expect((err as QueryFluxError).code).toBe('QF_QUERY_CANCELED');
      // Generous bound: only proves the engine stopped instead of running to completion.
      expect(performance.now() - t0).toBeLessThan(10_000);
      expect(text((await run(e, 'select 3 as three')).rows[0]![0])).toBe('3');
    });

    it('errors carry SQLSTATE and the engine keeps serving', async () => {
      const errOf = (sql: string) => run(e, sql).then(() => undefined, (x: unknown) => x as QueryFluxError);
      const syntax = await errOf('selec 1');
      expect(syntax).toMatchObject({ code: 'QF_SYNTAX_ERROR' });
      expect(syntax!.sqlstate).toBe('42601');
      expect(syntax!.extras.position).toBe(1);
      expect((await errOf('select * from qf_no_such_table'))!.sqlstate).toBe('42P01');
      expect((await errOf("select cast('abc' as integer)"))!.sqlstate).toBe('22P02');
      expect(text((await run(e, 'select 4 as four')).rows[0]![0])).toBe('4');
    });

    it('transactions stay on one connection per session; rollback leaves nothing', async () => {
      await run(e, 'create table qf_conf_tx (a integer)');
      const session = newSession();
      const other = newSession();
      await run(e, { sql: 'begin', session });
      await run(e, { sql: 'insert into qf_conf_tx values (1)', session });
      expect((await run(e, { sql: 'select count(*) from qf_conf_tx', session })).rows[0]!.map(text)).toEqual(['1']);
      expect((await run(e, { sql: 'select count(*) from qf_conf_tx', session: other })).rows[0]!.map(text)).toEqual(['0']);
      await run(e, { sql: 'rollback', session });
      expect((await run(e, 'select count(*) from qf_conf_tx')).rows[0]!.map(text)).toEqual(['0']);
      await run(e, { sql: 'begin', session });
      await run(e, { sql: 'insert into qf_conf_tx values (2)', session });
      await e.endSession!(session);
      expect((await run(e, 'select count(*) from qf_conf_tx')).rows[0]!.map(text)).toEqual(['0']);
    });

    it('reports health', async () => {
      expect(await e.health()).toMatchObject({ healthy: true });
    });
  });
}
