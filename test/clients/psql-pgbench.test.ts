/**
 * psql and pgbench (the real binaries from Debian's PostgreSQL 15) against every target of
 * clientTargets(). pgbench's own tables are created with `pgbench -i` on the real PostgreSQL behind
 * a target; every target also runs a custom pgbench script on the fixture table `orders`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, runPgbench, runPsql, type Endpoint } from '../support/clients.js';
import { clientEnv, SETUP_HINT } from './run-client.js';
import { clientTargets, FIXTURE_ROWS } from './targets.js';

/** psql that is expected to fail: returns its exit status and stderr. */
async function psqlFails(ep: Endpoint, command: string): Promise<{ status: number | null; stderr: string }> {
  const r = await run('psql', ['-h', ep.host, '-p', String(ep.port), '-U', ep.user, '-d', ep.database, '-X', '-w', '-v', 'ON_ERROR_STOP=1', '-c', command], clientEnv(ep), 60_000);
  if (r.error) throw new Error(`psql could not start (${r.error.message}); ${SETUP_HINT}`);
  return { status: r.status, stderr: r.stderr };
}

/**
 * Transactions processed and failed, from pgbench's summary. Runs use a fixed number of
 * transactions (-t), not a duration (-T): a count of transactions done in N seconds measures the
 * machine's speed, which a loaded CI runner makes several times lower; all of a fixed count done,
 * none failed, is the same on any machine.
 */
function summary(out: string): { processed: number; failed: number; tps: number } {
  const processed = Number(/number of transactions actually processed: (\d+)/.exec(out)?.[1] ?? NaN);
  const failed = Number(/number of failed transactions: (\d+)/.exec(out)?.[1] ?? NaN);
  const tps = Number(/tps = ([\d.]+)/.exec(out)?.[1] ?? NaN);
  return { processed, failed, tps };
}

const scriptDir = mkdtempSync(join(tmpdir(), 'qf-pgbench-'));
const ORDERS_SCRIPT = join(scriptDir, 'orders.sql');
writeFileSync(ORDERS_SCRIPT, `\\set k random(1, ${FIXTURE_ROWS})\nSELECT o_totalprice, o_orderdate FROM orders WHERE o_orderkey = :k;\n`);
afterAll(() => rmSync(scriptDir, { recursive: true, force: true }));

for (const target of clientTargets()) {
  describe(`psql and pgbench → ${target.name}`, () => {
    beforeAll(() => target.start());
    afterAll(() => target.stop());
    /** A test with a key for ClientTarget.knownGaps ("psql.d", "pgbench.orders", …). */
    const test = (key: string, name: string, fn: () => Promise<void>, timeout?: number) => {
      const gap = target.knownGaps[key];
      (gap ? it.fails : it)(gap ? `${name} (known gap: ${gap})` : name, fn, timeout);
    };

    test('psql.query', 'psql -c: a query', async () => {
      const out = await runPsql(target.endpoint(), ['select count(*) as n, sum(o_orderkey) as s from orders'], ['-A', '-t']);
      expect(out.trim()).toBe(`${FIXTURE_ROWS}|${(FIXTURE_ROWS * (FIXTURE_ROWS + 1)) / 2}`);
    });

    test('psql.dt', 'psql \\dt lists orders', async () => {
      expect(await runPsql(target.endpoint(), ['\\dt'])).toMatch(/\borders\s*\|\s*table\b/);
    });

    test('psql.d', 'psql \\d orders describes its columns', async () => {
      const d = await runPsql(target.endpoint(), ['\\d orders']);
      expect(d).toMatch(/o_orderkey\s*\|\s*integer\s*\|\s*\|\s*not null/);
      expect(d).toMatch(/o_custkey\s*\|\s*integer\s*\|\s*\|\s*not null/);
      expect(d).toMatch(/o_totalprice\s*\|\s*numeric\(15,2\)/);
      expect(d).toMatch(/o_orderdate\s*\|\s*date/);
      expect(d).toMatch(/o_comment\s*\|\s*text/);
    });

    test('psql.dPrimaryKey', 'psql \\d orders shows the primary key', async () => {
      expect(await runPsql(target.endpoint(), ['\\d orders'])).toMatch(/PRIMARY KEY.*\(o_orderkey\)/);
    });

    test('psql.error', 'psql: an SQL error exits 1 with the server message', async () => {
      const r = await psqlFails(target.endpoint(), 'selec 1');
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/syntax error/);
    });

    test('psql.badPassword', 'psql: a wrong password is refused', async () => {
      const r = await psqlFails({ ...target.endpoint(), password: 'wrong' }, 'select 1');
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/password authentication failed/);
    });

    test(
      'pgbench.orders',
      'pgbench custom script on orders, simple and prepared',
      async () => {
        for (const mode of ['simple', 'prepared']) {
          const out = await runPgbench(target.endpoint(), ['-n', '-f', ORDERS_SCRIPT, '-t', '250', '-c', '4', '-j', '2', '-M', mode]);
          const s = summary(out);
          console.log(`${target.name}: pgbench orders -M ${mode}: ${s.processed} transactions, tps ${s.tps}`);
          expect(s.failed, `${mode}\n${out}`).toBe(0);
          expect(s.processed, `${mode}\n${out}`).toBe(4 * 250);
        }
      },
      90_000,
    );

    // pgbench's own tables need PostgreSQL behind the target (DuckDB targets run the custom script above).
    if (target.backend === 'postgres') {
      test(
        'pgbench.builtin',
        'pgbench -i, then -S (simple, prepared, extended) and the TPC-B-like default',
        async () => {
          const direct = target.pgbenchInit();
          if (direct === undefined) throw new Error(`${target.name}: no PostgreSQL to initialise pgbench's tables in`);
          await runPgbench(direct, ['-i', '-s', '1', '-q']);
          // [label, arguments, transactions: clients × -t]
          const runs: [string, string[], number][] = [
            ['-S simple -c 4', ['-S', '-t', '1000', '-c', '4', '-j', '2'], 4000],
            ['-S -M prepared', ['-S', '-t', '2000', '-M', 'prepared'], 2000],
            ['-S -M extended -c 2', ['-S', '-t', '1000', '-c', '2', '-M', 'extended'], 2000],
            ['TPC-B-like -c 4', ['-t', '150', '-c', '4', '-j', '2'], 600],
          ];
          for (const [label, args, transactions] of runs) {
            const out = await runPgbench(target.endpoint(), args);
            const s = summary(out);
            console.log(`${target.name}: pgbench ${label}: ${s.processed} transactions, tps ${s.tps}`);
            expect(s.failed, `${label}\n${out}`).toBe(0);
            expect(s.processed, `${label}\n${out}`).toBe(transactions);
          }
        },
        120_000,
      );
    }
  });
}
