/** Routing contracts: what a router sees and what it decides. */
import type { Analysis } from '../analysis/types.js';
import type { CostEstimate } from '../cost/types.js';
import type { QueryRequest } from '../core/types.js';

/** Live load of a cluster group, as routers and policies see it. */
export interface GroupLoad {
  readonly running: number;
  readonly queued: number;
  readonly maxRunning: number;
  readonly healthyMembers: number;
}

/** Everything a router may look at. */
export interface RoutingInput {
  readonly request: QueryRequest;
  /** Auth groups of the user (auth.users[].groups). */
  readonly userGroups: readonly string[];
  readonly analysis: Analysis;
  /** Cost estimate per candidate group (empty until the cost model is configured). */
  readonly estimates: Readonly<Record<string, CostEstimate>>;
  /** Every configured group name. */
  readonly groupNames: readonly string[];
  /** Load per group, read lazily by routers that need it. */
  groupLoad(group: string): GroupLoad | undefined;
}

/** A routing verdict. Every decision names the rule and why, so any route can be explained. */
export interface Decision {
  readonly group: string;
  /** Which router decided, e.g. `routers[0] protocolBased` or `routingFallback`. */
  readonly rule: string;
  readonly reason: string;
  /** When set, the query is refused with this message (QF_ROUTE_DENIED). */
  readonly deny?: string;
  readonly priority?: number;
  readonly tags?: readonly string[];
}

/** One router in the chain. Returns undefined to pass to the next router. */
export interface Router {
  readonly kind: string;
  /** Position label used in decisions and explain output. */
  readonly rule: string;
  match(input: RoutingInput): Decision | undefined;
  /** Load what the router needs before the first query (e.g. a policy's wasm). */
  init?(): Promise<void>;
  /** Re-read sources (SIGHUP, file change); a failed reload keeps the previous state. */
  reload?(): Promise<void>;
  close?(): void;
}
