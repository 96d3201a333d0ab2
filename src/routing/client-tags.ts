/**
 * `clientTags` (alias `tags`) router: caller-declared intent. Tags come from Trino's
 * X-Trino-Client-Tags, PostgreSQL application_name / startup options, MySQL connection
 * attributes or a leading comment hint. A tag is `key`, `key:value` or `key=value`.
 */
import type { Decision, Router, RoutingInput } from './types.js';

interface TagRule {
  readonly tags: ReadonlyMap<string, string | null>;
  readonly oneOf?: readonly string[];
  readonly allOf?: readonly string[];
  readonly decision: Decision;
}

/** Split tags into a key → value map (bare tags map to ''). */
export function parseTags(tags: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const t of tags) {
    const i = t.search(/[:=]/);
    if (i < 0) out.set(t.trim(), '');
    else out.set(t.slice(0, i).trim(), t.slice(i + 1).trim());
  }
  return out;
}

export class ClientTagsRouter implements Router {
  readonly kind = 'clientTags';
  private readonly rules: TagRule[];

  constructor(
    readonly rule: string,
    rules: readonly { tags: Record<string, string | null>; oneOf?: string[]; allOf?: string[]; targetGroup: string }[],
  ) {
    this.rules = rules.map((r, i) => {
      const parts = [...Object.entries(r.tags).map(([k, v]) => (v === null ? k : `${k}:${v}`)), ...(r.allOf ?? []).map((t) => `all ${t}`), ...(r.oneOf ? [`one of ${r.oneOf.join('|')}`] : [])];
      return {
        tags: new Map(Object.entries(r.tags)),
        oneOf: r.oneOf,
        allOf: r.allOf,
        decision: Object.freeze({ group: r.targetGroup, rule: `${rule} rules[${i}]`, reason: `client tags ${parts.join(', ')}` }),
      };
    });
  }

  match(input: RoutingInput): Decision | undefined {
    const raw = input.request.clientTags;
    if (raw.length === 0) return undefined;
    const tags = parseTags(raw);
    for (const r of this.rules) if (ruleMatches(r, raw, tags)) return r.decision;
    return undefined;
  }
}

function ruleMatches(r: TagRule, raw: readonly string[], tags: ReadonlyMap<string, string>): boolean {
  for (const [k, v] of r.tags) {
    const have = tags.get(k);
    if (have === undefined || (v !== null && have !== v)) return false;
  }
  if (r.allOf && !r.allOf.every((t) => raw.includes(t))) return false;
  if (r.oneOf && !r.oneOf.some((t) => raw.includes(t))) return false;
  return true;
}
