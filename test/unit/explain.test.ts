import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

function explain(args: string[]): { out: string; code: number } {
  try {
    return { out: execFileSync('npx', ['tsx', 'src/cli/main.ts', 'explain', '--config', 'examples/demo.yaml', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }), code: 0 };
  } catch (e) {
    const err = e as { stdout: string; status: number };
    return { out: err.stdout, code: err.status };
  }
}

describe('queryflux explain (CLI, demo config, real policy bundle)', () => {
  it('prints every verdict in order and the final route; output is stable', () => {
    const { out, code } = explain(['--tag', 'workload:etl', 'select count(*) from orders']);
    expect(code).toBe(0);
    // Estimates depend on calibration state a local demo run may have saved: checked by shape.
    expect(out).toMatch(/^estimates:\n {2}interactive +\$\d+\.\d+ +[\d.]+s +\d+ bytes +confidence [\d.]+\n {2}batch +\$/m);
    expect(out.replace(/^estimates:\n(?: {2}.*\n)+/m, 'estimates: …\n')).toBe(
      [
        'query:     select count(*) from orders',
        'statement: select (SELECT), read-only',
        'fingerprint: select count(*) from orders',
        'tables:    orders',
        'features:  tables=1 projections=1 aggregates=1 functions=1 ast_nodes=3 sql_length=27',
        'estimates: …',
        'routers:',
        '  routers[0] policy         → batch  (client tag workload:etl)',
        '  routers[1] queryRegex     no match',
        '  routers[2] protocolBased  → interactive  (protocol postgresWire → interactive)',
        'result:    batch  by routers[0] policy (client tag workload:etl)',
        '',
      ].join('\n'),
    );
  });

  it('exits 3 and says DENIED for a denied query; JSON format', () => {
    const { out, code } = explain(['--format', 'json', 'update orders set o_clerk = 1']);
    expect(code).toBe(3);
    const j = JSON.parse(out) as { decision: { deny: string; rule: string }; verdicts: unknown[] };
    expect(j.decision).toMatchObject({ rule: 'routers[0] policy', deny: expect.stringMatching(/^UPDATE without WHERE/) });
    expect(j.verdicts).toHaveLength(3);
  });
});
