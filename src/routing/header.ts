/** `header` router: a header (or startup parameter / connection attribute) value → group. */
import type { Decision, Router, RoutingInput } from './types.js';
import { compileRegex } from './regex.js';

export class HeaderRouter implements Router {
  readonly kind = 'header';
  private readonly name: string;
  private readonly exact = new Map<string, Decision>();
  private readonly patterns: { regex: RegExp; decision: Decision }[];

  constructor(
    readonly rule: string,
    cfg: { headerName: string; headerValueToGroup: Record<string, string>; headerValuePatterns: { regex: string; targetGroup: string }[] },
  ) {
    this.name = cfg.headerName.toLowerCase();
    for (const [value, group] of Object.entries(cfg.headerValueToGroup)) {
      this.exact.set(value, Object.freeze({ group, rule, reason: `header ${this.name} = ${JSON.stringify(value)}` }));
    }
    this.patterns = cfg.headerValuePatterns.map((p) => ({
      regex: compileRegex(p.regex),
      decision: Object.freeze({ group: p.targetGroup, rule, reason: `header ${this.name} matches /${p.regex}/` }),
    }));
  }

  match(input: RoutingInput): Decision | undefined {
    const value = input.request.headers[this.name];
    if (value === undefined) return undefined;
    const d = this.exact.get(value);
    if (d !== undefined) return d;
    for (const p of this.patterns) if (p.regex.test(value)) return p.decision;
    return undefined;
  }
}
