/** The ordered router chain: first decision wins, else routingFallback. Compiled once at load. */
import type { Logger } from 'pino';
import type { RouterConfig } from '../config/schema.js';
import { ClientTagsRouter } from './client-tags.js';
import { CompoundRouter } from './compound.js';
import { HeaderRouter } from './header.js';
import { PolicyRouter } from './policy/router.js';
import { ProtocolBasedRouter } from './protocol-based.js';
import { QueryRegexRouter } from './query-regex.js';
import { UserGroupRouter } from './user-group.js';
import type { Decision, Router, RoutingInput } from './types.js';

/** One router's verdict, for explain output. */
export interface Verdict {
  readonly rule: string;
  readonly kind: string;
  readonly decision?: Decision;
  readonly error?: string;
}

export class RouterChain {
  private readonly fallbackDecision: Decision;

  constructor(
    readonly routers: readonly Router[],
    readonly fallback: string,
  ) {
    this.fallbackDecision = Object.freeze({ group: fallback, rule: 'routingFallback', reason: 'no router matched' });
  }

  /** Load what routers need (policies' wasm) before the first query. */
  async init(): Promise<void> {
    for (const r of this.routers) await r.init?.();
  }

  /** Re-read every reloadable router (SIGHUP). */
  async reload(): Promise<void> {
    for (const r of this.routers) await r.reload?.();
  }

  close(): void {
    for (const r of this.routers) r.close?.();
  }

  /** Route one query. */
  route(input: RoutingInput): Decision {
    for (let i = 0; i < this.routers.length; i++) {
      const d = this.routers[i]!.match(input);
      if (d !== undefined) return d;
    }
    return this.fallbackDecision;
  }

  /** Every router's verdict in order and the final decision, without short-circuiting. */
  explain(input: RoutingInput): { verdicts: Verdict[]; decision: Decision } {
    const verdicts: Verdict[] = [];
    let decision: Decision | undefined;
    for (const r of this.routers) {
      try {
        const d = r.match(input);
        verdicts.push({ rule: r.rule, kind: r.kind, decision: d });
        decision ??= d;
      } catch (err) {
        verdicts.push({ rule: r.rule, kind: r.kind, error: (err as Error).message });
      }
    }
    return { verdicts, decision: decision ?? this.fallbackDecision };
  }
}

/** Compile router configs into a chain. */
export function buildRouterChain(configs: readonly RouterConfig[], fallback: string, logger?: Logger): RouterChain {
  const routers = configs.map((c, i): Router => {
    const rule = `routers[${i}] ${c.type}`;
    switch (c.type) {
      case 'protocolBased':
        return new ProtocolBasedRouter(rule, c);
      case 'header':
        return new HeaderRouter(rule, c);
      case 'userGroup':
        return new UserGroupRouter(rule, c);
      case 'queryRegex':
        return new QueryRegexRouter(rule, c.rules);
      case 'clientTags':
      case 'tags':
        return new ClientTagsRouter(rule, c.rules);
      case 'compound':
        return new CompoundRouter(rule, c);
      case 'policy':
        return new PolicyRouter(rule, { path: c.path, entrypoint: c.entrypoint, data: c.data, watch: c.watch, onError: c.onError }, logger);
    }
  });
  return new RouterChain(routers, fallback);
}
