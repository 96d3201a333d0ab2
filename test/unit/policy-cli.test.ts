import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('queryflux policy (CLI)', () => {
  // Every shipped policy directory (demo and examples) passes its own Rego tests, also when the
  // directory holds its built bundle beside the sources (OPA would load it as a second copy of data.json).
  it('policy test: every shipped policy passes its Rego tests with full coverage', () => {
    const r = spawnSync('npx', ['tsx', 'src/cli/main.ts', 'policy', 'test'], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).not.toMatch(/merge error|FAIL/);
    expect(r.status).toBe(0);
    const dirs = r.stdout.match(/^== .+$/gm) ?? [];
    expect(dirs).toContain('== policies/demo');
    expect(dirs).toContain('== policies/examples/cost-aware');
    expect(r.stdout.match(/^coverage: (\d+(?:\.\d+)?)%$/gm)).toHaveLength(dirs.length);
  }, 60_000);

  it('policy check: the sources compile in strict mode', () => {
    const r = spawnSync('npx', ['tsx', 'src/cli/main.ts', 'policy', 'check'], { encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
  }, 60_000);
});
