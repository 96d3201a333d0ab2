/** Rego policies built with the real opa CLI and evaluated through opa-wasm. */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze as analyzeLexical } from '../../src/analysis/analyzer.js';
import { findOpa } from '../../src/cli/opa-bin.js';
import { newSession } from '../../src/core/types.js';
import { buildPolicyInput } from '../../src/routing/policy/input.js';
import { PolicyRouter, toDecision } from '../../src/routing/policy/router.js';
import type { RoutingInput } from '../../src/routing/types.js';

function input(sql: string, tags: string[] = [], load = { running: 0, queued: 0 }): RoutingInput {
  return {
    request: { id: '1', sql, protocol: 'postgres', user: 'alice', headers: { application_name: 'psql' }, clientTags: tags, session: newSession(), source: 'psql', receivedAt: 0 },
    userGroups: ['analysts'],
    analysis: analyzeLexical(sql),
    estimates: { interactive: { usd: 0.01, seconds: 1, bytesScanned: 1e6, confidence: 0.5 } },
    groupNames: ['interactive', 'batch'],
    groupLoad: (g) => (g === 'interactive' ? { ...load, maxRunning: 8, healthyMembers: 1 } : { running: 0, queued: 0, maxRunning: Infinity, healthyMembers: 1 }),
  };
}

function build(dir: string, rego: string): string {
  writeFileSync(join(dir, 'policy.rego'), rego);
  const out = join(dir, 'bundle.tar.gz');
  execFileSync(findOpa(), ['build', '-t', 'wasm', '-e', 'queryflux/routing/decision', '-o', out, join(dir, 'policy.rego')]);
  return out;
}

describe('policy router', () => {
  it('evaluates the shipped demo bundle', async () => {
    const r = new PolicyRouter('routers[0] policy', { path: 'policies/demo/bundle.tar.gz', entrypoint: 'queryflux/routing/decision', watch: false, onError: 'deny' });
    await r.init();
    expect(r.match(input('delete from orders'))).toMatchObject({ deny: expect.stringMatching(/^DELETE without WHERE/), rule: 'routers[0] policy' });
    expect(r.match(input('select 1', ['workload:etl']))).toMatchObject({ group: 'batch', reason: 'client tag workload:etl' });
    expect(r.match(input('select 1', [], { running: 8, queued: 3 }))).toMatchObject({ group: 'batch', reason: 'interactive group busy (8 running, 3 queued)' });
    expect(r.match(input('select 1'))).toBeUndefined();
    r.close();
  });

  it('builds the input document in the documented shape', () => {
    const doc = buildPolicyInput(input('select * from t'), Date.UTC(2026, 10, 25, 14, 30));
    expect(doc).toMatchObject({
      protocol: 'postgresWire',
      user: 'alice',
      groups_of_user: ['analysts'],
      source: 'psql',
      statement: 'select',
      read_only: true,
      estimates: { interactive: { usd: 0.01, seconds: 1, bytes_scanned: 1e6, confidence: 0.5 } },
      groups: { interactive: { running: 0, queued: 0, max_running: 8, healthy_members: 1 }, batch: { max_running: null } },
      now: { hour_utc: 14, weekday: 3 },
    });
  });

  it('passes data from config to the policy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qf-rego-'));
    const path = build(dir, 'package queryflux.routing\nimport rego.v1\ndecision := {"group": data.target, "reason": "from data"} if input.user in data.users\n');
    const r = new PolicyRouter('p', { path, entrypoint: 'queryflux/routing/decision', data: { target: 'batch', users: ['alice'] }, watch: false, onError: 'deny' });
    await r.init();
    expect(r.match(input('select 1'))).toMatchObject({ group: 'batch', reason: 'from data' });
  });

  it('a reload with a broken policy keeps the working one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qf-rego-'));
    const good = build(dir, 'package queryflux.routing\nimport rego.v1\ndecision := {"group": "interactive", "reason": "v1"}\n');
    const live = join(dir, 'live.tar.gz');
    copyFileSync(good, live);
    const r = new PolicyRouter('p', { path: live, entrypoint: 'queryflux/routing/decision', watch: false, onError: 'deny' });
    await r.init();
    expect(r.match(input('select 1'))?.reason).toBe('v1');
    writeFileSync(live, 'not a bundle');
    await r.reload();
    expect(r.stats.reloadFailures).toBe(1);
    expect(r.match(input('select 1'))?.reason).toBe('v1');
    copyFileSync(build(dir, 'package queryflux.routing\nimport rego.v1\ndecision := {"group": "batch", "reason": "v2"}\n'), live);
    await r.reload();
    expect(r.match(input('select 1'))).toMatchObject({ group: 'batch', reason: 'v2' });
  });

  it('reloads when the file changes (watch)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qf-rego-'));
    const v1 = build(dir, 'package queryflux.routing\nimport rego.v1\ndecision := {"group": "interactive", "reason": "v1"}\n');
    const live = join(dir, 'live.tar.gz');
    copyFileSync(v1, live);
    const r = new PolicyRouter('p', { path: live, entrypoint: 'queryflux/routing/decision', watch: true, onError: 'deny' });
    await r.init();
    copyFileSync(build(dir, 'package queryflux.routing\nimport rego.v1\ndecision := {"group": "batch", "reason": "v2"}\n'), live);
    await expect.poll(() => r.match(input('select 1'))?.reason, { timeout: 5000 }).toBe('v2');
    r.close();
  });

  it('names a missing entrypoint', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qf-rego-'));
    writeFileSync(join(dir, 'p.rego'), 'package other\nimport rego.v1\nx := 1\n');
    const out = join(dir, 'b.tar.gz');
    execFileSync(findOpa(), ['build', '-t', 'wasm', '-e', 'other/x', '-o', out, join(dir, 'p.rego')]);
    const r = new PolicyRouter('p', { path: out, entrypoint: 'queryflux/routing/decision', watch: false, onError: 'deny' });
    await expect(r.init()).rejects.toThrow(/entrypoint "queryflux\/routing\/decision" not in the policy \(it has: other\/x\)/);
  });

  it('maps policy output to decisions', () => {
    expect(toDecision('r', {})).toBeUndefined();
    expect(toDecision('r', { group: 'g', reason: 'x', priority: 5, tags: ['a', 1] })).toEqual({ group: 'g', rule: 'r', reason: 'x', priority: 5, tags: ['a'] });
    expect(toDecision('r', { deny: 'no' })).toMatchObject({ deny: 'no' });
    expect(toDecision('r', { deny: true, reason: 'because' })).toMatchObject({ deny: 'because' });
  });
});
