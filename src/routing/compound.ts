/** `compound` router: conditions combined with all (AND) / any (OR), nestable. */
import type { CompoundConditionConfig } from '../config/schema.js';
import { PROTOCOL_CONFIG_KEY } from './protocol-based.js';
import { compileRegex } from './regex.js';
import type { Decision, Router, RoutingInput } from './types.js';

type Predicate = (input: RoutingInput) => boolean;

/** Compile one condition (recursively for nested compounds) into a predicate. */
export function compileCondition(c: CompoundConditionConfig): Predicate {
  switch (c.type) {
    case 'protocol':
      return (i) => PROTOCOL_CONFIG_KEY[i.request.protocol] === c.protocol;
    case 'header': {
      const name = c.headerName!.toLowerCase();
      const value = c.headerValue!;
      return (i) => i.request.headers[name] === value;
    }
    case 'user':
      return (i) => i.request.user === c.username;
    case 'clientTag':
      return (i) => i.request.clientTags.includes(c.tag!);
    case 'queryRegex': {
      const re = compileRegex(c.regex!);
      return (i) => re.test(i.request.sql);
    }
    case 'compound':
      return combine(c.combine ?? 'all', c.conditions!.map(compileCondition));
  }
}

function combine(mode: 'all' | 'any', preds: Predicate[]): Predicate {
  return mode === 'all' ? (i) => preds.every((p) => p(i)) : (i) => preds.some((p) => p(i));
}

export class CompoundRouter implements Router {
  readonly kind = 'compound';
  private readonly predicate: Predicate;
  private readonly decision: Decision;

  constructor(
    readonly rule: string,
    cfg: { combine: 'all' | 'any'; conditions: CompoundConditionConfig[]; targetGroup: string },
  ) {
    this.predicate = combine(cfg.combine, cfg.conditions.map(compileCondition));
    this.decision = Object.freeze({ group: cfg.targetGroup, rule, reason: `${cfg.combine} of ${cfg.conditions.map(describe).join(', ')}` });
  }

  match(input: RoutingInput): Decision | undefined {
    return this.predicate(input) ? this.decision : undefined;
  }
}

function describe(c: CompoundConditionConfig): string {
  switch (c.type) {
    case 'protocol':
      return `protocol=${c.protocol}`;
    case 'header':
      return `header ${c.headerName}=${c.headerValue}`;
    case 'user':
      return `user=${c.username}`;
    case 'clientTag':
      return `tag ${c.tag}`;
    case 'queryRegex':
      return `sql~/${c.regex}/`;
    case 'compound':
      return `(${c.combine ?? 'all'} of ${c.conditions!.map(describe).join(', ')})`;
  }
}
