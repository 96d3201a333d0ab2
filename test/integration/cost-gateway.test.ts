/**
 * The cost model in a running gateway: estimates for every group reach routing and explain,
 * every outcome is priced where it ran and against the baseline, metrics count dollars, and a
 * syntax error on a cross-dialect route is refused with a position before any engine runs it.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../src/server.js';
import { startTestGateway } from '../support/gateway.js';

const YAML = `
queryflux:
  frontends:
    postgresWire: { host: 127.0.0.1, port: 0 }
  adminApi: { host: 127.0.0.1, port: 0 }
clusterGroups:
  warm:
    engine: duckDb
    clusters: [{ name: warm-1, databasePath: ":memory:", initSql: [examples/demo/tpch.sql] }]
  lake:
    engine: duckDb
    clusters: [{ name: lake-1, databasePath: ":memory:", initSql: [examples/demo/tpch.sql], pricing: athena }]
routers:
  - { type: queryRegex, rules: [{ regex: "(?i)lineitem", targetGroup: lake }] }
  - { type: protocolBased, postgresWire: warm }
routingFallback: warm
costModel:
  tables:
    lineitem: { rows: 6000000, bytes: 2000000000, columns: 16 }
auth: { provider: none }
`;

let gw: RunningGateway;
let client: pg.Client;

beforeAll(async () => {
  gw = await startTestGateway(YAML);
  client = new pg.Client({ host: '127.0.0.1', port: gw.ports.postgres, user: 'demo', database: 'demo' });
  await client.connect();
}, 60_000);

afterAll(async () => {
  await client?.end();
  await gw?.close();
});

interface Outcome {
  sql: string;
  group: string;
  costUsd?: number;
  baselineUsd?: number;
  baselineGroup?: string;
  estimates?: Record<string, { usd: number; seconds: number; bytesScanned: number; confidence: number }>;
}

async function recent(): Promise<Outcome[]> {
  const res = await fetch(`http://127.0.0.1:${gw.ports.admin}/api/queries/recent?limit=50`);
  return (await res.json()) as Outcome[];
}

describe('cost model in the gateway', () => {
  it('prices each query where it ran and against the baseline group, with estimates for every group', async () => {
    await client.query('select count(*) from orders');
    await client.query('select sum(l_quantity) from lineitem');
    const rows = await recent();
    const onWarm = rows.find((r) => r.sql === 'select count(*) from orders')!;
    const onLake = rows.find((r) => r.sql === 'select sum(l_quantity) from lineitem')!;
    expect(onWarm.group).toBe('warm');
    expect(onLake.group).toBe('lake');
    for (const r of [onWarm, onLake]) {
      expect(Object.keys(r.estimates ?? {}).sort()).toEqual(['lake', 'warm']);
      expect(r.costUsd).toBeGreaterThan(0);
      expect(r.baselineGroup).toBe('warm');
    }
    expect(onWarm.baselineUsd).toBe(onWarm.costUsd); // it ran on the baseline
    // On the scan-priced cluster: 1 of lineitem's 16 columns of 2 GB, at $5/TB.
    expect(onLake.estimates!.lake!.bytesScanned).toBeCloseTo(2e9 / 16, 0);
    expect(onLake.costUsd).toBeCloseTo((125e6 / 1e12) * 5, 9);
    expect(onLake.baselineUsd).toBe(onLake.estimates!.warm!.usd);
  });

  it('explain shows the estimates and the metrics count dollars per group', async () => {
    const res = await fetch(`http://127.0.0.1:${gw.ports.admin}/api/explain`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql: 'select * from lineitem' }) });
    const e = (await res.json()) as { estimates: Record<string, { usd: number; bytesScanned: number }>; analysis: { tables: string[] } };
    expect(e.analysis.tables).toEqual(['lineitem']);
    expect(e.estimates.lake!.bytesScanned).toBe(2e9);
    expect(e.estimates.lake!.usd).toBeCloseTo(0.01, 9);
    const text = await (await fetch(`http://127.0.0.1:${gw.ports.admin}/metrics`)).text();
    expect(text).toMatch(/queryflux_cost_usd_total\{group="lake",engine="duckdb"\} [0-9.e-]+/);
    expect(text).toMatch(/queryflux_baseline_usd_total\{group="lake",baseline="warm"\}/);
  });

  it('a statement that parses in neither dialect gets a syntax error with its position; the connection goes on', async () => {
    // PostgreSQL wire → DuckDB crosses dialects: the gateway refuses it before any engine sees it.
    const err = (await client.query('select 1 from orders where').catch((e: unknown) => e)) as { code?: string; position?: string; message: string };
    expect(err.code).toBe('42601');
    expect(err.message).toMatch(/syntax error/);
    expect(Number(err.position)).toBeGreaterThan(0);
    expect((await client.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
  });
});
