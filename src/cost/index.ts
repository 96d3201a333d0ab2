/** Build the cost model from config: pricing cards, one target per cluster, table statistics. */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { ResolvedConfig } from '../config/load.js';
import type { ClusterGroup } from '../dispatch/cluster-group.js';
import type { Engine } from '../engines/engine.js';
import { loadCards, type PricingCard } from './cards.js';
import { CostModel, type CostTarget } from './model.js';
import { fetchTableStats, TableStatsStore, type TableStats } from './stats.js';

/** The cards that ship with QueryFlux (cost-models/ at the package root). */
export const BUILTIN_CARDS = resolve(dirname(fileURLToPath(import.meta.url)), '../../cost-models');

export interface RunningCostModel {
  readonly model: CostModel;
  readonly cards: ReadonlyMap<string, PricingCard>;
  /** Re-read table statistics from the engines now. */
  refreshStats(): Promise<void>;
  close(): Promise<void>;
}

/** Cards: the built-in ones, then the configured paths (relative to the config file) override them. */
export function cardsFor(config: ResolvedConfig): Map<string, PricingCard> {
  return loadCards([BUILTIN_CARDS, ...config.raw.costModel.cards], dirname(config.file));
}

/** One cost target per enabled cluster of every enabled group, with its card and weight. */
export function costTargets(config: ResolvedConfig, cards: ReadonlyMap<string, PricingCard>): CostTarget[] {
  const targets: CostTarget[] = [];
  for (const g of config.groups.values()) {
    if (!g.enabled) continue;
    const weights = typeof g.strategy === 'object' ? g.strategy.weights : undefined;
    for (const c of g.members) {
      if (!c.enabled) continue;
      const cardName = c.pricing ?? c.engine;
      const card = cards.get(cardName);
      if (card === undefined) throw new Error(`${config.file}: cluster ${c.name}: no pricing card "${cardName}" (known: ${[...cards.keys()].join(', ')})`);
      targets.push({ cluster: c.name, group: g.name, engineKind: c.engine, card, nodes: c.nodes, weight: weights?.[c.name] ?? c.weight ?? 1 });
    }
  }
  return targets;
}

/** The cost model of a config, without engines (CLI): declared statistics plus those saved with the calibration state. */
export function costModelFor(config: ResolvedConfig, opts: { fresh?: boolean; onSaveError?: (err: Error) => void } = {}): CostModel {
  const cfg = config.raw.costModel;
  const cards = cardsFor(config);
  const baselineGroup = cfg.baselineGroup ?? config.raw.routingFallback;
  if (!config.groups.has(baselineGroup)) throw new Error(`${config.file}: costModel.baselineGroup: unknown group "${baselineGroup}"`);
  // Relative to the working directory, like the history database (persistence.path).
  const statePath = cfg.calibration.statePath === '' ? '' : resolve(cfg.calibration.statePath);
  return new CostModel({
    targets: costTargets(config, cards),
    stats: new TableStatsStore(cfg.tables as Record<string, TableStats>, cfg.groups as Record<string, { tables: Record<string, TableStats> }>),
    baselineGroup,
    calibration: { ...cfg.calibration, statePath },
    fresh: opts.fresh,
    onSaveError: opts.onSaveError,
  });
}

export async function startCostModel(config: ResolvedConfig, groups: ReadonlyMap<string, ClusterGroup>, logger: Logger): Promise<RunningCostModel | undefined> {
  const cfg = config.raw.costModel;
  if (!cfg.enabled) return undefined;
  const cards = cardsFor(config);
  const model = costModelFor(config, { onSaveError: (err) => logger.warn({ err: err.message }, 'cannot save the calibration state (costModel.calibration.statePath); retrying in 30 s') });
  const engines = new Set<Engine>();
  for (const g of groups.values()) for (const m of g.members) engines.add(m.engine);
  const stats = model.stats;

  const refreshStats = async (): Promise<void> => {
    const merged = new Map<string, TableStats>();
    for (const e of engines) {
      try {
        const warn = (message: string): void => logger.warn({ engine: e.kind }, message);
        for (const [k, v] of await fetchTableStats(e, warn)) if (!merged.has(k)) merged.set(k, v);
      } catch (err) {
        logger.warn({ err: (err as Error).message, engine: e.kind }, 'cannot read table statistics');
      }
    }
    stats.setFetched(merged);
    model.invalidate();
  };
  await refreshStats();
  let timer: NodeJS.Timeout | undefined;
  if (cfg.statsRefreshSecs > 0) {
    timer = setInterval(() => void refreshStats(), cfg.statsRefreshSecs * 1000);
    timer.unref();
  }
  return {
    model,
    cards,
    refreshStats,
    async close() {
      if (timer) clearInterval(timer);
      await model.close();
    },
  };
}
