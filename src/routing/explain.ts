/** Explain a route: every router's verdict in order, the analysis, the estimates and the final decision. */
import { analyze } from '../analysis/analyzer.js';
import { PROTOCOL_DIALECT } from '../core/dialects.js';
import type { Analysis } from '../analysis/types.js';
import type { CostEstimate } from '../cost/types.js';
import type { QueryRequest } from '../core/types.js';
import type { RouterChain, Verdict } from './chain.js';
import type { Decision, GroupLoad } from './types.js';

export interface ExplainContext {
  readonly groupNames: readonly string[];
  readonly groupLoad: (group: string) => GroupLoad | undefined;
  readonly userGroups: readonly string[];
  readonly estimates?: Readonly<Record<string, CostEstimate>>;
  readonly analysis?: Analysis;
}

export interface Explanation {
  readonly sql: string;
  readonly analysis: Analysis;
  readonly estimates: Readonly<Record<string, CostEstimate>>;
  readonly verdicts: readonly Verdict[];
  readonly decision: Decision;
}

/** Evaluate the whole chain for one request without executing it. */
export function explainRoute(chain: RouterChain, request: QueryRequest, ctx: ExplainContext): Explanation {
  const analysis = ctx.analysis ?? analyze(request.sql, PROTOCOL_DIALECT[request.protocol]);
  const estimates = ctx.estimates ?? {};
  const { verdicts, decision } = chain.explain({ request, analysis, estimates, userGroups: ctx.userGroups, groupNames: ctx.groupNames, groupLoad: ctx.groupLoad });
  return { sql: request.sql, analysis, estimates, verdicts, decision };
}

/** Render an explanation as a readable table. */
export function formatExplanation(e: Explanation): string {
  const lines: string[] = [];
  lines.push(`query:     ${e.sql.replace(/\s+/g, ' ').slice(0, 200)}`);
  lines.push(`statement: ${e.analysis.kind} (${e.analysis.verb || '?'})${e.analysis.readOnly ? ', read-only' : ''}`);
  lines.push(`fingerprint: ${e.analysis.fingerprint.slice(0, 200)}`);
  if (e.analysis.syntaxError) lines.push(`syntax:    ${e.analysis.syntaxError.message}${e.analysis.syntaxError.position ? ` (at character ${e.analysis.syntaxError.position})` : ''}`);
  if (e.analysis.tables.length) lines.push(`tables:    ${e.analysis.tables.join(', ')}${e.analysis.writtenTables.length ? ` (writes ${e.analysis.writtenTables.join(', ')})` : ''}`);
  if (e.analysis.predicates.length) lines.push(`predicates: ${e.analysis.predicates.map((p) => `${p.column} ${p.op}${p.op === 'in' ? `(${p.values})` : ''}`).join(', ')}`);
  const feats = Object.entries(e.analysis.features).filter(([k, v]) => v !== 0 && !(k === 'limit' && v === -1));
  if (feats.length) lines.push(`features:  ${feats.map(([k, v]) => `${k}=${v}`).join(' ')}`);
  const est = Object.entries(e.estimates);
  lines.push(est.length ? 'estimates:' : 'estimates: (no cost model configured)');
  for (const [g, x] of est) lines.push(`  ${g.padEnd(20)} $${x.usd.toFixed(6)}  ${x.seconds.toFixed(3)}s  ${x.bytesScanned} bytes  confidence ${x.confidence}`);
  lines.push('routers:');
  const w = Math.max(10, ...e.verdicts.map((v) => v.rule.length));
  for (const v of e.verdicts) {
    const verdict = v.error ? `error: ${v.error}` : v.decision === undefined ? 'no match' : v.decision.deny !== undefined ? `DENY: ${v.decision.deny}` : `→ ${v.decision.group}  (${v.decision.reason})`;
    lines.push(`  ${v.rule.padEnd(w)}  ${verdict}`);
  }
  const d = e.decision;
  lines.push(d.deny !== undefined ? `result:    DENIED by ${d.rule}: ${d.deny}` : `result:    ${d.group}  by ${d.rule} (${d.reason})`);
  return lines.join('\n');
}
