/**
 * Real PostgreSQL client programs (psycopg 3, asyncpg, SQLAlchemy reflection, pgJDBC) against every
 * target of clientTargets(): each program runs once per target and reports named checks; each
 * check is one test here, so a failure names the client, the check and the target.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runClient, type ClientName, type ClientReport } from './run-client.js';
import { clientTargets, FIXTURE_ROWS } from './targets.js';

/** Values every round trip reports alike (the rest differ in form between drivers). */
const ROUND_TRIP = {
  int: -2147483648,
  bigint: 9000000000000000,
  numeric: '-12345.67',
  float: 0.30000000000000004,
  bool: true,
  date: '2024-02-29',
  uuid: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
  null: null,
};
const pyRoundTrip = expect.objectContaining({ ...ROUND_TRIP, bytea: '\\x0001feff275c', json: { a: [1, 2.5, null], b: 'ü' } });
const PY_ARRAYS = { 'int[]': [1, null, -3], 'text[]': ['a', 'b c', null, '"q"'] };

/** Expected value of every check each program reports (the programs compare round trips themselves). */
const EXPECTED: Record<ClientName, Record<string, unknown>> = {
  psycopg: {
    version: expect.any(String),
    simple: [1, 'x'],
    prepared: [
      [42, 'v0', 9000000000],
      [43, 'v1', 9000000001],
      [44, 'v2', 9000000002],
    ],
    binary: [42, 0.5, 'bin'],
    typesText: pyRoundTrip,
    typesBinary: pyRoundTrip,
    typesPrepared: pyRoundTrip,
    typesArray: { text: PY_ARRAYS, binary: PY_ARRAYS },
    many: 5000,
    syntaxError: '42601',
    undefinedTable: '42P01',
    afterError: 2,
    errorInTransaction: ['42P01', '25P02', 3],
    transactions: { afterRollback: 0, afterCommit: 1, afterExecutemany: [101, 4952] },
  },
  asyncpg: {
    simple: 1,
    prepared: {
      params: ['int4', 'text'],
      columns: [
        ['a', 'int4'],
        ['b', 'text'],
      ],
      rows: [
        [42, 'v0'],
        [43, 'v1'],
        [44, 'v2'],
      ],
    },
    types: pyRoundTrip,
    typesArray: PY_ARRAYS,
    cursor: [1000, 500500],
    many: 5000,
    executemany: [50, 1225],
    syntaxError: '42601',
    badParameter: 'DataError',
    afterError: 2,
  },
  sqlalchemy: {
    count: FIXTURE_ROWS,
    selectParam: 10,
    tables: expect.arrayContaining(['orders']),
    hasTable: true,
    columns: [
      ['o_orderkey', 'INTEGER', false],
      ['o_custkey', 'INTEGER', false],
      ['o_totalprice', 'NUMERIC(15, 2)', true],
      ['o_orderdate', 'DATE', true],
      ['o_comment', 'TEXT', true],
    ],
    pk: ['o_orderkey'],
    indexes: 0,
    foreignKeys: 0,
  },
  pgjdbc: {
    product: expect.stringMatching(/^PostgreSQL /),
    simple: '1,x,one',
    prepared: ['42,v0,9000000000', '43,v1,9000000001', '44,v2,9000000002'],
    types: expect.objectContaining({ ...ROUND_TRIP, bytea: '[0, 1, -2, -1, 39, 92]', null: true }),
    typesAgain: expect.objectContaining({ ...ROUND_TRIP, bytea: '[0, 1, -2, -1, 39, 92]', null: true }),
    typesArray: { 'int[]': '[1, null, -3]', 'text[]': '[a, b c, null, "q"]' },
    fetchSize: '1000,500500',
    batch: '100,4950',
    syntaxError: '42601',
    afterError: 2,
    errorInTransaction: ['42P01', '25P02', 3],
    tables: expect.arrayContaining(['orders']),
    columns: ['o_orderkey:int4:4', 'o_custkey:int4:4', 'o_totalprice:numeric:2', 'o_orderdate:date:91', 'o_comment:text:12'],
    primaryKeys: ['o_orderkey'],
  },
};

const CLIENTS = Object.keys(EXPECTED) as ClientName[];

for (const target of clientTargets()) {
  describe(`clients → ${target.name}`, () => {
    beforeAll(() => target.start());
    afterAll(() => target.stop());

    for (const client of CLIENTS) {
      describe(client, () => {
        const notRun = Object.keys(EXPECTED[client]).filter((check) => target.notRun[`${client}.${check}`] !== undefined);
        let report: Promise<ClientReport> | undefined;
        const get = () => (report ??= runClient(client, target.endpoint(), { QF_TABLE: 'orders', QF_SKIP_CHECKS: notRun.join(',') }));

        for (const [check, want] of Object.entries(EXPECTED[client])) {
          const skipped = target.notRun[`${client}.${check}`];
          if (skipped !== undefined) {
            it.skip(`${check} (not run here: ${skipped})`, () => {});
            continue;
          }
          const gap = target.knownGaps[`${client}.${check}`];
          const test = gap ? it.fails : it;
          test(gap ? `${check} (known gap: ${gap})` : check, async () => {
            const res = (await get()).checks[check];
            if (res === undefined) throw new Error(`${client} reported no check "${check}"`);
            if (!res.ok) throw new Error(`${client} check "${check}" failed on ${target.name}: ${res.error}`);
            expect(res.value, `${client} check "${check}" on ${target.name}`).toEqual(want);
          });
        }

        it('reports exactly the checks expected here', async () => {
          const r = await get();
          expect(Object.keys(r.checks).sort()).toEqual(Object.keys(EXPECTED[client]).filter((k) => !notRun.includes(k)).sort());
        });
      });
    }
  });
}
