/**
 * Frontend conformance suite, written once and run against every frontend: type round-trips,
 * errors, cancel, and that an error leaves the connection usable. A frontend joins by providing
 * a FrontendClient adapter (one per protocol) and calling frontendConformance() in one line.
 * The backend is whatever the target gateway routes to (DuckDB demo data, real PostgreSQL).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** Error as a client library surfaces it, reduced to what the suite checks. */
export interface ClientError {
  /** SQLSTATE (PG, MySQL) or error name (Trino, Flight). */
  readonly code: string;
  readonly message: string;
}

/** What the suite needs from a protocol's real client library. */
export interface FrontendClient {
  /** Run one statement; values come back as the client library gives them, normalised to text by `text()`. */
  query(sql: string, params?: readonly unknown[]): Promise<{ columns: string[]; rows: unknown[][] }>;
  /** Start a query and cancel it from the client side after `afterMs`; resolves with the error. */
  cancelDuring(sql: string, afterMs: number): Promise<ClientError>;
  /** Normalise a client-library value to canonical text for comparison. */
  text(value: unknown): string | null;
  /** Extract code and message from a thrown client error. */
  error(err: unknown): ClientError;
  close(): Promise<void>;
}

export interface FrontendTarget {
  /** Open a new client connection. */
  connect(): Promise<FrontendClient>;
  /** Expected error code for a registry code on this protocol (e.g. QF_SYNTAX_ERROR → 42601). */
  /** `divisionByZero` is an error code, or `{ value }` when the backend returns a value (DuckDB: Infinity). */
  readonly codes: { syntax: string; undefinedTable: string; canceled: string; divisionByZero: string | { value: string | null } };
  /** A query that runs for several seconds on the target's backend. */
  readonly slowQuery: string;
  close(): Promise<void>;
}

/** Type cases: SQL expression → canonical text the client must show (PostgreSQL text conventions). */
export const TYPE_CASES: readonly (readonly [string, string, string | null])[] = [
  ['boolean true', 'true', 'true'],
  ['smallint', 'cast(-32768 as smallint)', '-32768'],
  ['integer', 'cast(2147483647 as integer)', '2147483647'],
  ['bigint', 'cast(9223372036854775807 as bigint)', '9223372036854775807'],
  ['numeric exact', 'cast(12345678901234567890.123456789 as decimal(38,9))', '12345678901234567890.123456789'],
  ['double', 'cast(0.5 as double precision)', '0.5'],
  ['text unicode', "'héllo wörld ✓ 日本'", 'héllo wörld ✓ 日本'],
  ['text with quotes', "'it''s \"quoted\"'", 'it\'s "quoted"'],
  ['date', "cast('2024-02-29' as date)", '2024-02-29'],
  ['timestamp', "cast('2024-02-29 13:14:15.123456' as timestamp)", '2024-02-29 13:14:15.123456'],
  ['null', 'cast(null as integer)', null],
];

/** Define the conformance tests for one frontend target. */
export function frontendConformance(name: string, makeTarget: () => Promise<FrontendTarget>): void {
  describe(`frontend conformance: ${name}`, () => {
    let target: FrontendTarget;
    let client: FrontendClient;

    beforeAll(async () => {
      target = await makeTarget();
      client = await target.connect();
    });
    afterAll(async () => {
      await client?.close();
      await target?.close();
    });

    for (const [label, expr, expected] of TYPE_CASES) {
      it(`round-trips ${label}`, async () => {
        const r = await client.query(`select ${expr} as v`);
        expect(r.columns).toEqual(['v']);
        expect(r.rows.length).toBe(1);
        expect(client.text(r.rows[0]![0])).toBe(expected);
      });
    }

    it('returns many rows in order', async () => {
      const r = await client.query('select cast(g as integer) as g from generate_series(1, 5000) as t(g) order by g');
      expect(r.rows.length).toBe(5000);
      expect(client.text(r.rows[4999]![0])).toBe('5000');
    });

    it('binds parameters', async () => {
      const r = await client.query('select cast($1 as integer) + 1 as a, cast($2 as varchar) as b', [41, 'x']);
      expect(r.rows[0]!.map((v) => client.text(v))).toEqual(['42', 'x']);
    });

    it('leaves untyped parameters to the server to coerce (pgJDBC setDate: "2024-02-29 +00")', async () => {
      const r = await client.query('select cast($1 as date) as d, cast($2 as timestamp) as t', ['2024-02-29 +00', '2024-02-29 13:14:15']);
      expect(r.rows[0]!.map((v) => client.text(v))).toEqual(['2024-02-29', '2024-02-29 13:14:15']);
    });

    it('binds array parameters, and a bad one is an SQL error on a connection that stays usable', async () => {
      const r = await client.query('select cast($1 as integer[]) as a, cast($2 as text[]) as b', [[1, null, -3], ['a', 'b c', null]]);
      expect(r.rows[0]!.map((v) => client.text(v))).toEqual(['{1,NULL,-3}', '{a,"b c",NULL}']);
      const err = await client.query('select cast($1 as integer[]) as a', [['x']]).then(() => undefined, (e: unknown) => client.error(e));
      expect(err?.code).toMatch(/^22/);
      const again = await client.query('select 4 as four');
      expect(client.text(again.rows[0]![0])).toBe('4');
    });

    it('syntax error has the protocol code and the connection stays usable', async () => {
      const err = await client.query('selec 1').then(() => undefined, (e: unknown) => client.error(e));
      expect(err?.code).toBe(target.codes.syntax);
      const r = await client.query('select 1 as one');
      expect(client.text(r.rows[0]![0])).toBe('1');
    });

    it('undefined table error', async () => {
      const err = await client.query('select * from no_such_table_qf').then(() => undefined, (e: unknown) => client.error(e));
      expect(err?.code).toBe(target.codes.undefinedTable);
      expect(err?.message).toMatch(/no_such_table_qf/);
    });

    it('division by zero follows the backend: an error code, or its value', async () => {
      const outcome = await client.query('select 1 / cast(0 as integer) as x').then(
        (r) => ({ value: client.text(r.rows[0]![0]), code: undefined }),
        (e: unknown) => ({ value: undefined, code: client.error(e).code }),
      );
      const expected = target.codes.divisionByZero;
      if (typeof expected === 'string') expect(outcome.code).toBe(expected);
      else expect(outcome).toEqual({ value: expected.value, code: undefined });
    });

    it('cancel aborts a running query and the connection stays usable', async () => {
      const err = await client.cancelDuring(target.slowQuery, 300);
      expect(err.code).toBe(target.codes.canceled);
      const r = await client.query('select 2 as two');
      expect(client.text(r.rows[0]![0])).toBe('2');
    });

    it('other connections keep working while one fails', async () => {
      const other = await target.connect();
      try {
        await client.query('select * from no_such_table_qf').catch(() => undefined);
        const r = await other.query('select 3 as three');
        expect(other.text(r.rows[0]![0])).toBe('3');
      } finally {
        await other.close();
      }
    });
  });
}
