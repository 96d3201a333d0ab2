import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from '../../src/config/load.js';

function issues(yaml: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfig(yaml, 'cfg.yaml', env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  return [];
}

const minimal = `
clusterGroups:
  g: { engine: duckDb, clusters: [{ name: d1 }] }
routingFallback: g
auth: { provider: none }
`;

describe('config', () => {
  it('loads the demo config', () => {
    const c = loadConfig('examples/demo.yaml', {});
    expect(c.groups.get('interactive')?.members[0]).toMatchObject({ name: 'duckdb-1', engine: 'duckdb', group: 'interactive' });
    expect(c.raw.routers.map((r) => r.type)).toEqual(['policy', 'queryRegex', 'protocolBased']);
    expect(c.raw.queryflux.frontends.postgresWire.port).toBe(5432);
    expect(c.raw.queryflux.frontends.mysqlWire.enabled).toBe(false);
  });

  it('fills defaults for a minimal config', () => {
    const c = parseConfig(minimal, 'cfg.yaml', {});
    expect(c.raw.queryflux.adminApi.port).toBe(9000);
    expect(c.raw.translation.enabled).toBe(true);
  });

  it('substitutes ${VAR} and ${VAR:-default}, typed when the whole value is one reference', () => {
    const c = parseConfig(`${minimal}\nqueryflux:\n  frontends:\n    postgresWire: { port: "\${PORT}", host: "h-\${HOST:-x}" }\n`, 'cfg.yaml', { PORT: '6543' });
    expect(c.raw.queryflux.frontends.postgresWire.port).toBe(6543);
    expect(c.raw.queryflux.frontends.postgresWire.host).toBe('h-x');
  });

  it('reports a missing environment variable with its key path', () => {
    expect(issues(`${minimal}\nqueryflux: { adminApi: { password: "\${NOPE}" } }\n`)).toEqual([expect.stringContaining('queryflux.adminApi.password: environment variable NOPE is not set')]);
  });

  it('names key path, expected and found for wrong types and unknown keys', () => {
    const found = issues(`${minimal}\nqueryflux: { frontends: { postgresWire: { port: "x", bogus: 1 } } }\n`);
    expect(found).toContain('queryflux.frontends.postgresWire.port: expected number, found string "x"');
    expect(found).toContain('queryflux.frontends.postgresWire.bogus: unknown key "bogus"');
  });

  it('rejects unknown router types and engines', () => {
    expect(issues(`${minimal}\nrouters: [{ type: nope }]\n`)[0]).toMatch(/routers\[0\]\.type: unknown router type string "nope"/);
    expect(issues(minimal.replace('duckDb', 'oracle'))[0]).toMatch(/clusterGroups\.g\.engine: expected one of "duckdb", "postgres", found string "oracle"/);
  });

  it('checks cross references: fallback, router targets, members, overflow', () => {
    const found = issues(`
clusters:
  pg1: { engine: postgres, endpoint: "postgres://x" }
clusterGroups:
  g: { engine: duckDb, clusters: [{ name: d1 }], overflowGroup: zz }
  h: { members: [pg1, missing] }
routers: [{ type: protocolBased, postgresWire: nowhere }]
routingFallback: other
auth: { provider: none }
`);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/clusterGroups\.h\.members\[1\]: unknown cluster "missing"/),
        expect.stringMatching(/clusterGroups\.g\.overflowGroup: unknown cluster group "zz"/),
        expect.stringMatching(/routingFallback: unknown cluster group "other"/),
        expect.stringMatching(/routers\[0\]\.postgresWire: unknown cluster group "nowhere"/),
      ]),
    );
  });

  it('resolves members from the top-level clusters map', () => {
    const c = parseConfig(`
clusters:
  pg1: { engine: postgres, endpoint: "postgres://x" }
clusterGroups:
  h: { members: [pg1] }
routingFallback: h
auth: { provider: none }
`, 'cfg.yaml', {});
    expect(c.groups.get('h')?.members).toEqual([expect.objectContaining({ name: 'pg1', engine: 'postgres', group: 'h' })]);
  });

  it('declared value statistics: shares between 0 and 1, named by key path', () => {
    const ok = parseConfig(`${minimal}\ncostModel: { tables: { ev: { rows: 10, bytes: 100, columnValues: { Kind: { view: 0.5, buy: 0.5 } } } } }\n`, 'cfg.yaml', {});
    expect(ok.raw.costModel.tables.ev?.columnValues).toEqual({ Kind: { view: 0.5, buy: 0.5 } });
    expect(issues(`${minimal}\ncostModel: { tables: { ev: { rows: 10, bytes: 100, columnValues: { kind: { view: 2 } } } } }\n`)).toEqual([expect.stringContaining('costModel.tables.ev.columnValues.kind.view')]);
  });

  it('requires users when auth is on', () => {
    expect(issues(minimal.replace('auth: { provider: none }', ''))[0]).toMatch(/auth\.users: auth is required but no users are configured/);
  });

  it('reports YAML syntax errors with a line', () => {
    try {
      parseConfig('a: [1, 2\nb: 3', 'bad.yaml', {});
      expect.unreachable();
    } catch (e) {
      expect((e as ConfigError).issues[0]).toMatchObject({ file: 'bad.yaml', message: expect.stringMatching(/^YAML: /) });
    }
  });

  it('includes the file and line in the message', () => {
    try {
      parseConfig(`${minimal}\nqueryflux:\n  frontends:\n    postgresWire:\n      port: nope\n`, 'f.yaml', {});
    } catch (e) {
      expect((e as Error).message).toMatch(/^f\.yaml:10: queryflux\.frontends\.postgresWire\.port/);
    }
  });
});
