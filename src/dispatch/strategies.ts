/** Balancing strategies: each overrides ClusterGroup.pick() over members with free capacity. */
import { ClusterGroup, type ClusterGroupOptions, type Member } from './cluster-group.js';

/** roundRobin: rotate through members with free capacity. */
export class RoundRobinGroup extends ClusterGroup {
  private next = 0;
  protected override pick(candidates: readonly Member[]): Member | undefined {
    if (candidates.length === 0) return undefined;
    const m = candidates[this.next % candidates.length];
    this.next = (this.next + 1) % 1_000_000_007;
    return m;
  }
}

/** leastLoaded: the member with the lowest running / limit (ties: fewest running, then order). */
export class LeastLoadedGroup extends ClusterGroup {
  protected override pick(candidates: readonly Member[]): Member | undefined {
    let best: Member | undefined;
    let bestLoad = Infinity;
    for (const m of candidates) {
      const load = Number.isFinite(m.maxRunning) ? m.running / m.maxRunning : m.running;
      if (load < bestLoad || (load === bestLoad && best !== undefined && m.running < best.running)) {
        best = m;
        bestLoad = load;
      }
    }
    return best;
  }
}

/** failover: the first member in configured order that is healthy and has capacity. */
export class FailoverGroup extends ClusterGroup {
  protected override pick(candidates: readonly Member[]): Member | undefined {
    return candidates[0];
  }
}

/**
 * weighted: smooth weighted round robin (nginx's algorithm) — deterministic, and spreads picks
 * evenly rather than in bursts. A full member is skipped without losing its turn order.
 */
export class WeightedGroup extends ClusterGroup {
  private readonly current = new Map<Member, number>();
  protected override pick(candidates: readonly Member[]): Member | undefined {
    let total = 0;
    let best: Member | undefined;
    let bestScore = -Infinity;
    for (const m of candidates) {
      if (m.weight <= 0) continue;
      const score = (this.current.get(m) ?? 0) + m.weight;
      this.current.set(m, score);
      total += m.weight;
      if (score > bestScore) {
        best = m;
        bestScore = score;
      }
    }
    if (best !== undefined) this.current.set(best, bestScore - total);
    return best;
  }
}

/** engineAffinity: prefer engine kinds in the given order; within a kind, least loaded. */
export class EngineAffinityGroup extends LeastLoadedGroup {
  private readonly rank: ReadonlyMap<string, number>;
  constructor(opts: ClusterGroupOptions, preference: readonly string[]) {
    super(opts);
    this.rank = new Map(preference.map((e, i) => [e, i]));
  }
  protected override pick(candidates: readonly Member[]): Member | undefined {
    let bestRank = Infinity;
    for (const m of candidates) bestRank = Math.min(bestRank, this.rank.get(m.engine.kind) ?? this.rank.size);
    return super.pick(candidates.filter((m) => (this.rank.get(m.engine.kind) ?? this.rank.size) === bestRank));
  }
}

export type StrategyName = 'roundRobin' | 'leastLoaded' | 'failover' | 'weighted' | 'engineAffinity';

/** Build the group for a configured strategy. */
export function createGroup(strategy: StrategyName, opts: ClusterGroupOptions, preference: readonly string[] = []): ClusterGroup {
  switch (strategy) {
    case 'roundRobin':
      return new RoundRobinGroup(opts);
    case 'leastLoaded':
      return new LeastLoadedGroup(opts);
    case 'failover':
      return new FailoverGroup(opts);
    case 'weighted':
      return new WeightedGroup(opts);
    case 'engineAffinity':
      return new EngineAffinityGroup(opts, preference);
  }
}
