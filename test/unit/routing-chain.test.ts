import { describe, expect, it } from 'vitest';
import { analyze as analyzeLexical } from '../../src/analysis/analyzer.js';
import { fingerprint, leadingVerb } from '../../src/analysis/lexical.js';
import { newSession, type Protocol, type QueryRequest } from '../../src/core/types.js';
import { buildRouterChain } from '../../src/routing/chain.js';
import type { RoutingInput } from '../../src/routing/types.js';

const input = (protocol: Protocol, sql = 'select 1'): RoutingInput => {
  const request: QueryRequest = { id: '1', sql, protocol, user: 'u', headers: {}, clientTags: [], session: newSession(), receivedAt: 0 };
  return { request, userGroups: [], analysis: analyzeLexical(sql), estimates: {}, groupNames: [], groupLoad: () => undefined };
};

describe('router chain', () => {
  const chain = buildRouterChain(
    [
      { type: 'protocolBased', mysqlWire: 'mysql-group' },
      { type: 'protocolBased', trinoHttp: 'trino-group', postgresWire: 'pg-group' },
    ],
    'fallback',
  );

  it('first matching router wins', () => {
    expect(chain.route(input('postgres'))).toMatchObject({ group: 'pg-group', rule: 'routers[1] protocolBased', reason: 'protocol postgresWire → pg-group' });
    expect(chain.route(input('mysql'))).toMatchObject({ group: 'mysql-group', rule: 'routers[0] protocolBased' });
  });

  it('falls back when nothing matches', () => {
    expect(chain.route(input('flight-sql'))).toEqual({ group: 'fallback', rule: 'routingFallback', reason: 'no router matched' });
  });

  it('explain lists every verdict in order', () => {
    const { verdicts, decision } = chain.explain(input('postgres'));
    expect(verdicts.map((v) => [v.rule, v.decision?.group])).toEqual([
      ['routers[0] protocolBased', undefined],
      ['routers[1] protocolBased', 'pg-group'],
    ]);
    expect(decision.group).toBe('pg-group');
  });
});

describe('lexical analysis', () => {
  it('finds the leading verb past comments and parentheses', () => {
    expect(leadingVerb('  -- hi\n/* x */ (select 1)')).toBe('SELECT');
    expect(leadingVerb('begin;')).toBe('BEGIN');
    expect(leadingVerb('')).toBe('');
  });

  it('classifies statements', () => {
    expect(analyzeLexical('WITH x AS (select 1) select * from x')).toMatchObject({ kind: 'select', readOnly: true });
    expect(analyzeLexical('insert into t values (1)')).toMatchObject({ kind: 'insert', readOnly: false });
    expect(analyzeLexical('COMMIT')).toMatchObject({ kind: 'transaction', verb: 'COMMIT' });
    expect(analyzeLexical('vacuum')).toMatchObject({ kind: 'other', readOnly: false });
  });

  it('fingerprints ignore literals and whitespace', () => {
    expect(fingerprint("select *  from t where a = 42 and b = 'it''s'")).toBe(fingerprint("select * from t where a = 7 and b = 'x'"));
    expect(analyzeLexical('select 1')).toBe(analyzeLexical('select 1'));
  });
});
