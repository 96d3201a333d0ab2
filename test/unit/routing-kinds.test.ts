import { describe, expect, it } from 'vitest';
import { analyze as analyzeLexical } from '../../src/analysis/analyzer.js';
import { parseConfig } from '../../src/config/load.js';
import { newSession, type Protocol } from '../../src/core/types.js';
import { buildRouterChain } from '../../src/routing/chain.js';
import { parseTags } from '../../src/routing/client-tags.js';
import { compileRegex } from '../../src/routing/regex.js';
import type { RoutingInput } from '../../src/routing/types.js';

interface Req {
  sql?: string;
  protocol?: Protocol;
  user?: string;
  headers?: Record<string, string>;
  tags?: string[];
  userGroups?: string[];
}

function input(r: Req): RoutingInput {
  const sql = r.sql ?? 'select 1';
  return {
    request: { id: 'x', sql, protocol: r.protocol ?? 'postgres', user: r.user ?? 'bob', headers: r.headers ?? {}, clientTags: r.tags ?? [], session: newSession(), receivedAt: 0 },
    userGroups: r.userGroups ?? [],
    analysis: analyzeLexical(sql),
    estimates: {},
    groupNames: [],
    groupLoad: () => undefined,
  };
}

/** Build a chain from YAML router configs, validated like a real config file. */
function chainOf(routersYaml: string) {
  const groups = ['a', 'b', 'c', 'fallback'];
  const cfg = parseConfig(
    `clusterGroups:\n${groups.map((g) => `  ${g}: { engine: duckDb, clusters: [{ name: ${g}1 }] }`).join('\n')}\nrouters:\n${routersYaml}\nroutingFallback: fallback\nauth: { provider: none }\n`,
    'routers.yaml',
    {},
  );
  return buildRouterChain(cfg.raw.routers, cfg.raw.routingFallback);
}

describe('header router', () => {
  const chain = chainOf(`
  - type: header
    headerName: X-Target-Engine
    headerValueToGroup: { duck: a }
    headerValuePatterns: [{ regex: "^batch-", targetGroup: b }]`);
  it('matches exact values case-insensitively on the name', () => {
    expect(chain.route(input({ headers: { 'x-target-engine': 'duck' } }))).toMatchObject({ group: 'a', reason: 'header x-target-engine = "duck"' });
  });
  it('matches patterns, else passes', () => {
    expect(chain.route(input({ headers: { 'x-target-engine': 'batch-7' } })).group).toBe('b');
    expect(chain.route(input({ headers: { 'x-target-engine': 'other' } })).group).toBe('fallback');
    expect(chain.route(input({})).group).toBe('fallback');
  });
});

describe('userGroup router', () => {
  const chain = chainOf(`
  - type: userGroup
    userToGroup: { alice: a }
    authGroupToGroup: { analysts: b }`);
  it('routes by user, then by auth group', () => {
    expect(chain.route(input({ user: 'alice', userGroups: ['analysts'] })).group).toBe('a');
    expect(chain.route(input({ user: 'carol', userGroups: ['analysts'] })).group).toBe('b');
    expect(chain.route(input({ user: 'dave' })).group).toBe('fallback');
  });
});

describe('queryRegex router', () => {
  const chain = chainOf(`
  - type: queryRegex
    rules:
      - { regex: "(?i)^\\\\s*delete\\\\s+from\\\\s+\\\\w+\\\\s*;?\\\\s*$", action: deny, error: "DELETE without WHERE is not allowed" }
      - { regex: "(?i)select.*limit \\\\d+", targetGroup: a }
      - { regex: "(?i)^insert into", targetGroup: b }`);
  it('routes the first matching rule', () => {
    expect(chain.route(input({ sql: 'SELECT * FROM t LIMIT 10' }))).toMatchObject({ group: 'a', rule: 'routers[0] queryRegex rules[1]' });
    expect(chain.route(input({ sql: 'insert into t values (1)' })).group).toBe('b');
    expect(chain.route(input({ sql: 'select 1' })).group).toBe('fallback');
  });
  it('denies with the configured message', () => {
    expect(chain.route(input({ sql: 'delete from orders' }))).toMatchObject({ deny: 'DELETE without WHERE is not allowed' });
    expect(chain.route(input({ sql: 'delete from orders where id = 1' })).deny).toBeUndefined();
  });
});

describe('clientTags router', () => {
  const chain = chainOf(`
  - type: clientTags
    rules:
      - { tags: { workload: etl, team: null }, targetGroup: a }
      - { oneOf: [interactive, dashboard], targetGroup: b }
      - { allOf: [x, y], targetGroup: c }`);
  it('key:value, key-only, oneOf and allOf', () => {
    expect(chain.route(input({ tags: ['workload:etl', 'team=data'] })).group).toBe('a');
    expect(chain.route(input({ tags: ['workload:etl'] })).group).toBe('fallback');
    expect(chain.route(input({ tags: ['dashboard'] })).group).toBe('b');
    expect(chain.route(input({ tags: ['x', 'y'] })).group).toBe('c');
    expect(chain.route(input({ tags: ['x'] })).group).toBe('fallback');
  });
  it('accepts the Rust `tags` type name', () => {
    const c = chainOf(`
  - type: tags
    rules: [{ tags: { priority: interactive }, targetGroup: b }]`);
    expect(c.route(input({ tags: ['priority:interactive'] })).group).toBe('b');
  });
  it('parses tag forms', () => {
    expect([...parseTags(['a', 'b:1', 'c=2'])]).toEqual([['a', ''], ['b', '1'], ['c', '2']]);
  });
});

describe('compound router', () => {
  const chain = chainOf(`
  - type: compound
    combine: all
    targetGroup: a
    conditions:
      - { type: protocol, protocol: postgresWire }
      - type: compound
        combine: any
        conditions:
          - { type: user, username: alice }
          - { type: clientTag, tag: vip }
          - { type: header, headerName: X-Env, headerValue: prod }
      - { type: queryRegex, regex: "(?i)^select" }`);
  it('nests all/any', () => {
    expect(chain.route(input({ user: 'alice' })).group).toBe('a');
    expect(chain.route(input({ tags: ['vip'] })).group).toBe('a');
    expect(chain.route(input({ headers: { 'x-env': 'prod' } })).group).toBe('a');
    expect(chain.route(input({ user: 'bob' })).group).toBe('fallback');
    expect(chain.route(input({ user: 'alice', protocol: 'mysql' })).group).toBe('fallback');
    expect(chain.route(input({ user: 'alice', sql: 'insert into t values (1)' })).group).toBe('fallback');
  });
  it('explains with a readable reason', () => {
    expect(chain.route(input({ user: 'alice' })).reason).toBe('all of protocol=postgresWire, (any of user=alice, tag vip, header X-Env=prod), sql~/(?i)^select/');
  });
});

describe('router config validation', () => {
  const bad = (routers: string) => {
    try {
      chainOf(routers);
    } catch (e) {
      return (e as Error).message;
    }
    return '';
  };
  it('reports unknown groups deep inside routers', () => {
    expect(bad(`  - { type: compound, combine: all, conditions: [{ type: user, username: x }], targetGroup: nope }`)).toMatch(/routers\[0\]\.targetGroup: unknown cluster group "nope"/);
    expect(bad(`  - { type: header, headerName: h, headerValueToGroup: { v: zz } }`)).toMatch(/routers\[0\]\.headerValueToGroup\.v: unknown cluster group "zz"/);
  });
  it('reports invalid regexes with their key path', () => {
    expect(bad(`  - { type: queryRegex, rules: [{ regex: "(unclosed", targetGroup: a }] }`)).toMatch(/routers\[0\]\.rules\[0\]\.regex: invalid regex "\(unclosed"/);
  });
  it('a route rule needs a target', () => {
    expect(bad(`  - { type: queryRegex, rules: [{ regex: "x" }] }`)).toMatch(/a route rule needs targetGroup/);
  });
  it('inline flags become JS flags', () => {
    expect(compileRegex('(?is)a.b').flags).toBe('is');
    expect(compileRegex('(?i)X').test('x')).toBe(true);
  });
});
