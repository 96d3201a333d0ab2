/**
 * What a policy reads of its input: found in the sources at `queryflux policy build`, stored in the
 * bundle, used to build only that part of the input and to remember decisions of deterministic
 * policies. The projected input must decide exactly like the whole one.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analysis/analyzer.js';
import { findOpa } from '../../src/cli/opa-bin.js';
import { newSession } from '../../src/core/types.js';
import { readPolicyArtifact, writeBundleRefs } from '../../src/routing/policy/bundle.js';
import { buildPolicyInput } from '../../src/routing/policy/input.js';
import { CompiledPolicy } from '../../src/routing/policy/opa.js';
import { inputRefs, stripRego } from '../../src/routing/policy/refs.js';
import { PolicyRouter } from '../../src/routing/policy/router.js';
import type { RoutingInput } from '../../src/routing/types.js';

const ENTRY = 'queryflux/routing/decision';
const keysOf = (src: string) => {
  const r = inputRefs([src]);
  return r.keys === 'all' ? 'all' : [...r.keys].sort();
};

function input(sql: string, over: { tags?: string[]; user?: string; source?: string; load?: { running: number; queued: number }; hour?: number } = {}): RoutingInput {
  return {
    request: { id: '1', sql, protocol: 'postgres', user: over.user ?? 'alice', headers: { application_name: over.source ?? 'psql', 'x-team': 'core' }, clientTags: over.tags ?? [], session: newSession(), source: over.source ?? 'psql', receivedAt: 0 },
    userGroups: ['analysts'],
    analysis: analyze(sql, 'postgres'),
    estimates: { interactive: { usd: 0.01, seconds: 1, bytesScanned: 1e6, confidence: 0.5 }, batch: { usd: 0.002, seconds: 30, bytesScanned: 1e6, confidence: 0.5 } },
    groupNames: ['interactive', 'batch'],
    groupLoad: (g) => (g === 'interactive' ? { ...(over.load ?? { running: 0, queued: 0 }), maxRunning: 8, healthyMembers: 1 } : { running: 0, queued: 0, maxRunning: Infinity, healthyMembers: 1 }),
  };
}

describe('policy input references', () => {
  it('finds the top-level keys a policy reads, ignoring comments, strings and `with input`', () => {
    expect(keysOf('decision := {"group": "a"} if { input.user == "input.sql" } # input.headers')).toEqual(['user']);
    expect(keysOf('x if input.features.joins > 2\ny if input . estimates[g].usd < 1')).toEqual(['estimates', 'features']);
    expect(keysOf('t if { d := decision with input as {"sql": "x"} }\nu if input.sql')).toEqual(['sql']);
    expect(stripRego('a := `raw input.x` # c\nb := "q\\"input.y"')).toBe('a := "" \nb := ""');
  });

  it('reads everything when the input is used whole, by a variable key or imported', () => {
    expect(keysOf('x := input')).toBe('all');
    expect(keysOf('x if input[k] == 1')).toBe('all');
    expect(keysOf('x if input["sql"] == 1')).toBe('all');
    expect(keysOf('import input.features as f\nx if f.joins > 1')).toBe('all');
    expect(inputRefs([]).keys).toBe('all');
  });

  it('records which parts of input.now are read and whether the policy is deterministic', () => {
    expect(inputRefs(['x if input.now.hour_utc > 8']).nowKeys).toEqual(new Set(['hour_utc']));
    expect(inputRefs(['x if input.now.unix_ms > 8\ny if input.now']).nowKeys).toBe('all');
    expect(inputRefs(['x if input.features.joins > 2\ny if input.features.where_clause == 0']).featureKeys).toEqual(new Set(['joins', 'where_clause']));
    expect(inputRefs(['x if input.features.joins > 2\nf := input.features']).featureKeys).toBe('all');
    expect(inputRefs(['x if input.features["joins"] > 2']).featureKeys).toBe('all');
    expect(inputRefs(['x if input.user == "a"']).deterministic).toBe(true);
    expect(inputRefs(['x if time.now_ns() > input.now.unix_ms']).deterministic).toBe(false);
    expect(inputRefs(['x if rand.intn("k", 10) > 5']).deterministic).toBe(false);
  });
});

describe('projected policy input', () => {
  const cases: RoutingInput[] = [
    input('select * from orders'),
    input('delete from orders'),
    input('delete from orders where id = 1'),
    input('update t set a = 1'),
    input('insert into audit values (1)', { tags: ['workload:batch'] }),
    input('select 1', { tags: ['workload:etl'] }),
    input('select 1', { load: { running: 8, queued: 3 } }),
    input('select sum(x) from big', { source: 'superset', user: 'bob' }),
    input('select 1', { source: 'dashboard', tags: ['tier:gold'] }),
  ];

  // Every shipped policy (demo and examples), built with the project's command, decides the same
  // on the projected input as on the whole document, at two hours of the day.
  const dirs = ['policies/demo', ...readdirSync('policies/examples').map((d) => `policies/examples/${d}`)];
  for (const dir of dirs) {
    it(`${dir}: same decisions as with the whole input`, async () => {
      const tmp = mkdtempSync(join(tmpdir(), 'qf-refs-'));
      cpSync(dir, tmp, { recursive: true });
      const out = join(tmp, 'bundle.tar.gz');
      execFileSync(findOpa(), ['build', '-t', 'wasm', '-e', ENTRY, '--ignore', '*_test.rego', '-o', out, tmp]);
      const sources = readdirSync(tmp).filter((f) => f.endsWith('.rego') && !f.endsWith('_test.rego'));
      expect(sources.length).toBeGreaterThan(0);
      const refs = inputRefs(sources.map((f) => readFileSync(join(tmp, f), 'utf8')));
      expect(refs.keys).not.toBe('all');
      writeBundleRefs(out, refs);
      const artifact = readPolicyArtifact(out);
      expect(artifact.refs).toEqual(refs);
      const whole = await CompiledPolicy.load({ ...artifact, refs: { keys: 'all', nowKeys: 'all', featureKeys: 'all', deterministic: false } }, ENTRY, undefined);
      const router = new PolicyRouter('p', { path: out, entrypoint: ENTRY, watch: false, onError: 'deny' });
      await router.init();
      for (const c of cases) {
        for (let round = 0; round < 2; round++) {
          const expected = whole.evaluate(buildPolicyInput(c));
          const got = router.match(c);
          if (expected === undefined || (expected as { group?: string }).group === undefined && (expected as { deny?: string }).deny === undefined) expect(got).toBeUndefined();
          else expect(got).toMatchObject((expected as { deny?: string }).deny !== undefined ? { deny: (expected as { deny: string }).deny } : { group: (expected as { group: string }).group, reason: (expected as { reason: string }).reason });
        }
      }
      // Deterministic policies without the current millisecond answer repeats from memory.
      if (refs.deterministic && !(refs.keys as Set<string>).has('now')) expect(router.stats.memoHits).toBeGreaterThanOrEqual(cases.length);
      router.close();
    });
  }

  it('the memo steps aside when almost every input is new, and comes back later', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qf-refs-'));
    const src = 'package queryflux.routing\nimport rego.v1\ndecision := {"group": "interactive", "reason": input.user}\n';
    writeFileSync(join(dir, 'policy.rego'), src);
    const out = join(dir, 'b.tar.gz');
    execFileSync(findOpa(), ['build', '-t', 'wasm', '-e', ENTRY, '-o', out, join(dir, 'policy.rego')]);
    writeBundleRefs(out, inputRefs([src]));
    const r = new PolicyRouter('p', { path: out, entrypoint: ENTRY, watch: false, onError: 'deny' });
    await r.init();
    // 4,096 different users: no hits in the window, so the memo pauses.
    for (let i = 0; i < 4096; i++) expect(r.match(input('select 1', { user: `u${i}` }))).toMatchObject({ reason: `u${i}` });
    expect(r.match(input('select 1', { user: 'u1' }))).toMatchObject({ reason: 'u1' });
    expect(r.match(input('select 1', { user: 'u1' }))).toMatchObject({ reason: 'u1' });
    expect(r.stats.memoHits).toBe(0);
    // After the pause (61,440 evaluations) it remembers again.
    for (let i = 0; i < 61_440; i++) r.match(input('select 1', { user: 'same' }));
    const before = r.stats.memoHits;
    expect(r.match(input('select 1', { user: 'same' }))).toMatchObject({ reason: 'same' });
    expect(r.match(input('select 1', { user: 'same' }))).toMatchObject({ reason: 'same' });
    expect(r.stats.memoHits).toBe(before + 2);
    r.close();
  }, 60_000);

  it('a decision is remembered per input and forgotten on reload', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qf-refs-'));
    const write = (group: string) => {
      const src = `package queryflux.routing\nimport rego.v1\ndecision := {"group": "${group}", "reason": input.user} if input.user != "nobody"\n`;
      writeFileSync(join(dir, 'policy.rego'), src);
      const out = join(dir, 'b.tar.gz');
      execFileSync(findOpa(), ['build', '-t', 'wasm', '-e', ENTRY, '-o', out, join(dir, 'policy.rego')]);
      writeBundleRefs(out, inputRefs([src]));
      return out;
    };
    const live = join(dir, 'live.tar.gz');
    copyFileSync(write('interactive'), live);
    const r = new PolicyRouter('p', { path: live, entrypoint: ENTRY, watch: false, onError: 'deny' });
    await r.init();
    expect(r.match(input('select 1'))).toMatchObject({ group: 'interactive', reason: 'alice' });
    expect(r.match(input('select 2'))).toMatchObject({ group: 'interactive', reason: 'alice' });
    expect(r.match(input('select 1', { user: 'bob' }))).toMatchObject({ reason: 'bob' });
    expect(r.match(input('select 1', { user: 'nobody' }))).toBeUndefined();
    expect(r.match(input('select 1', { user: 'nobody' }))).toBeUndefined();
    expect(r.stats.memoHits).toBe(2);
    copyFileSync(write('batch'), live);
    await r.reload();
    expect(r.match(input('select 1'))).toMatchObject({ group: 'batch' });
    r.close();
  });
});
