/** `queryRegex` router: ordered regex rules on the SQL text; each routes or denies. */
import type { Decision, Router, RoutingInput } from './types.js';
import { compileRegex } from './regex.js';

export class QueryRegexRouter implements Router {
  readonly kind = 'queryRegex';
  private readonly rules: { regex: RegExp; decision: Decision }[];

  constructor(
    readonly rule: string,
    rules: readonly { regex: string; targetGroup?: string; action: 'route' | 'deny'; error?: string }[],
  ) {
    this.rules = rules.map((r, i) => ({
      regex: compileRegex(r.regex),
      decision: Object.freeze(
        r.action === 'deny'
          ? { group: r.targetGroup ?? '', rule: `${rule} rules[${i}]`, reason: `SQL matches /${r.regex}/ (deny)`, deny: r.error ?? `queries matching /${r.regex}/ are not allowed` }
          : { group: r.targetGroup!, rule: `${rule} rules[${i}]`, reason: `SQL matches /${r.regex}/` },
      ),
    }));
  }

  match(input: RoutingInput): Decision | undefined {
    const sql = input.request.sql;
    for (const r of this.rules) if (r.regex.test(sql)) return r.decision;
    return undefined;
  }
}
