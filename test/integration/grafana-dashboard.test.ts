/** Every metric the Grafana dashboard queries exists on a live gateway's /metrics, and promtool accepts the output. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { demoYaml, startTestGateway } from '../support/gateway.js';

describe('docs/grafana/queryflux.json', () => {
  it('names only metrics the gateway exports', async () => {
    const dash = JSON.parse(readFileSync('docs/grafana/queryflux.json', 'utf8')) as { panels: { targets: { expr: string }[] }[] };
    const names = new Set<string>();
    for (const p of dash.panels) for (const t of p.targets) for (const m of t.expr.matchAll(/queryflux_[a-z_]+/g)) names.add(m[0].replace(/_(bucket|sum|count)$/, ''));
    expect(names.size).toBeGreaterThan(8);
    const gw = await startTestGateway(demoYaml());
    try {
      const text = await (await fetch(`http://127.0.0.1:${gw.ports.admin}/metrics`)).text();
      const exported = new Set([...text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]!));
      for (const n of names) expect(exported, n).toContain(n);
      expect(text).toMatch(/queryflux_client_connections\{protocol="postgres"\} 0/);
      const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
      if (check.error) throw new Error(`promtool missing: run bash scripts/setup.sh (${check.error.message})`);
      expect(`${check.stdout}${check.stderr}`.trim()).toBe('');
      expect(check.status).toBe(0);
    } finally {
      await gw.close();
    }
  });
});
