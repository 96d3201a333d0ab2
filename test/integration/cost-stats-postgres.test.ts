/**
 * Table statistics fetched from a real PostgreSQL: rows and bytes from pg_class, and after ANALYZE
 * the most common values of a column with their shares and the range of its histogram from
 * pg_stats — what the cost model prices `=`, `<>` and ranges with, without declaring anything.
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze, warmUpAnalysis } from '../../src/analysis/analyzer.js';
import { PostgresEngine } from '../../src/engines/postgres/adapter.js';
import { loadCards } from '../../src/cost/cards.js';
import { BUILTIN_CARDS } from '../../src/cost/index.js';
import { CostModel, type CostTarget } from '../../src/cost/model.js';
import { fetchTableStats, TableStatsStore } from '../../src/cost/stats.js';
import { drain } from '../conformance/engine-suite.js';
import { startPostgres, type PostgresServer } from '../support/postgres-server.js';

let server: PostgresServer;
let engine: PostgresEngine;

beforeAll(async () => {
  await warmUpAnalysis();
  server = await startPostgres();
  engine = await PostgresEngine.create({ name: 'pg-stats', engine: 'postgres', group: 'g', enabled: true, endpoint: server.url }, pino({ level: 'silent' }));
  await drain(await engine.execute({ sql: 'create table ev (id int primary key, kind text, ts timestamptz, amount int)' }));
  // 20,000 rows: kind view 50%, click 25%, cart/buy 12.5%; ts over 2024-01-01 .. 2024-01-21.
  await drain(
    await engine.execute({
      sql: `insert into ev select g, (array['view','view','view','view','click','click','cart','buy'])[1 + g % 8], timestamptz '2024-01-01 00:00:00+00' + (g * interval '86.4 seconds'), g % 100 from generate_series(0, 19999) g`,
    }),
  );
  await drain(await engine.execute({ sql: 'analyze ev' }));
}, 120_000);

afterAll(async () => {
  await engine?.close();
  await server?.stop();
});

describe('table statistics from PostgreSQL catalogs', () => {
  it('rows from pg_class; common values and ranges from pg_stats', async () => {
    const stats = await fetchTableStats(engine);
    const ev = stats.get('ev');
    expect(ev).toBeDefined();
    expect(ev!.rows).toBe(20_000);
    expect(ev!.columnValues?.kind).toEqual({ view: 0.5, click: 0.25, cart: 0.125, buy: 0.125 });
    expect(stats.get('public.ev')).toBe(ev);
    const ts = ev!.columnRanges?.ts;
    expect(ts).toBeDefined();
    expect(Date.parse(String(ts!.min).replace(' ', 'T').replace(/\+00$/, 'Z'))).toBe(Date.UTC(2024, 0, 1));
    expect(ev!.columnRanges?.kind).toBeUndefined(); // text bounds are no range
  });

  it('the cost model prices = by the fetched shares (a row store reads the matching rows)', async () => {
    const card = loadCards([BUILTIN_CARDS], process.cwd()).get('postgres')!;
    const target: CostTarget = { cluster: 'pg-1', group: 'pg', engineKind: 'postgres', card, weight: 1 };
    const estimate = async (fetch: boolean) => {
      const store = new TableStatsStore();
      if (fetch) store.setFetched(await fetchTableStats(engine));
      const m = new CostModel({ targets: [target], stats: store, calibration: { enabled: false, statePath: '', forgetting: 0.995 } });
      const sec = (kind: string) => m.estimateTarget(analyze(`select sum(amount) from ev where kind = '${kind}'`, 'postgres'), target).seconds - card.performance.overheadMs / 1000;
      const out = { view: sec('view'), buy: sec('buy') };
      await m.close();
      return out;
    };
    const fetched = await estimate(true);
    expect(fetched.view).toBeGreaterThan(fetched.buy * 1.5); // half the rows against an eighth
    const blind = await estimate(false);
    expect(blind.view).toBe(blind.buy); // without statistics every value is the fixed 5% guess
  });
});
