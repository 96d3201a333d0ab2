/** Start a gateway in-process from YAML text, for tests. Ports 0 pick free ports. */
import { pino } from 'pino';
import { parseConfig } from '../../src/config/load.js';
import { startGateway, type RunningGateway } from '../../src/server.js';

/** Parse `yaml` (env substitution applies) and start the gateway with logs silenced unless QF_TEST_LOG is set. */
export async function startTestGateway(yaml: string, env: NodeJS.ProcessEnv = process.env): Promise<RunningGateway> {
  const config = parseConfig(yaml, 'test-config.yaml', env);
  // Tests never write history into the repo (the default is data/queryflux.db): without an
  // explicit persistence block the history stays in memory.
  if (!/^\s*persistence:/m.test(yaml)) config.raw.queryflux.persistence.type = 'inMemory';
  // Nor calibration state (default data/calibration.json), unless the test sets a path.
  if (!/^\s*statePath:/m.test(yaml)) config.raw.costModel.calibration.statePath = '';
  return startGateway(config, { logger: pino({ level: process.env.QF_TEST_LOG ?? 'silent' }) });
}

/** YAML for a gateway with one DuckDB group loaded with the demo data. */
export function demoYaml(opts: { auth?: 'none' | 'scram' | 'md5' | 'password'; maxRunning?: number } = {}): string {
  const auth =
    opts.auth === undefined || opts.auth === 'none'
      ? 'auth: { provider: none }'
      : `auth:\n  postgresMethod: ${opts.auth === 'scram' ? 'scram-sha-256' : opts.auth}\n  users:\n    - { username: demo, password: demo }\n    - { username: alice, password: "s3cret!" }`;
  return `
queryflux:
  frontends:
    postgresWire: { host: 127.0.0.1, port: 0 }
  adminApi: { host: 127.0.0.1, port: 0 }
clusterGroups:
  duck:
    engine: duckDb
    ${opts.maxRunning ? `maxRunningQueries: ${opts.maxRunning}` : ''}
    clusters: [{ name: duck-1, databasePath: ":memory:", initSql: [examples/demo/tpch.sql] }]
routers:
  - { type: protocolBased, postgresWire: duck }
routingFallback: duck
${auth}
`;
}
