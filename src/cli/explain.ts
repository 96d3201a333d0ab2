/** `queryflux explain`: how a query would be routed under a config, without running it. */
import { pino } from 'pino';
import type { ResolvedConfig } from '../config/load.js';
import { newSession, type Protocol, type QueryRequest } from '../core/types.js';
import { UserStore } from '../core/users.js';
import { buildRouterChain } from '../routing/chain.js';
import { analyze, warmUpAnalysis } from '../analysis/analyzer.js';
import { PROTOCOL_DIALECT } from '../core/dialects.js';
import { costModelFor } from '../cost/index.js';
import { explainRoute, formatExplanation } from '../routing/explain.js';
import { queryId } from '../core/query-id.js';

const PROTOCOLS: Record<string, Protocol> = { postgres: 'postgres', postgresWire: 'postgres', pg: 'postgres', mysql: 'mysql', mysqlWire: 'mysql', trino: 'trino-http', trinoHttp: 'trino-http', 'trino-http': 'trino-http', flight: 'flight-sql', flightSql: 'flight-sql', 'flight-sql': 'flight-sql' };

export interface ExplainOptions {
  readonly protocol?: string;
  readonly user?: string;
  readonly header?: readonly string[];
  readonly tag?: readonly string[];
  readonly format?: string;
}

/** Print the explanation; returns the exit code (0 routed, 3 denied). */
export async function explainCommand(cfg: ResolvedConfig, sql: string, opts: ExplainOptions): Promise<number> {
  const protocol = PROTOCOLS[opts.protocol ?? 'postgres'];
  if (!protocol) throw new Error(`unknown protocol "${opts.protocol}" (use postgres, mysql, trino or flight)`);
  const headers: Record<string, string> = {};
  for (const h of opts.header ?? []) {
    const i = h.indexOf('=');
    if (i <= 0) throw new Error(`--header takes name=value, got "${h}"`);
    headers[h.slice(0, i).toLowerCase()] = h.slice(i + 1);
  }
  const chain = buildRouterChain(cfg.raw.routers, cfg.raw.routingFallback, pino({ level: 'silent' }));
  await chain.init();
  try {
    const users = new UserStore(cfg.raw.auth.users, false);
    const user = opts.user ?? 'anonymous';
    const request: QueryRequest = { id: queryId(), sql, protocol, user, headers, clientTags: [...(opts.tag ?? [])], session: newSession(), source: headers['application_name'], receivedAt: Date.now() };
    const groupNames = [...cfg.groups.keys()];
    await warmUpAnalysis();
    const analysis = analyze(sql, PROTOCOL_DIALECT[protocol]);
    // Estimates from declared statistics and the calibration state the gateway saved (if any).
    const cost = cfg.raw.costModel.enabled ? costModelFor(cfg) : undefined;
    const estimates = cost && analysis.depth === 'ast' ? cost.estimate(analysis, groupNames) : {};
    await cost?.close();
    const e = explainRoute(chain, request, {
      analysis,
      estimates,
      groupNames,
      userGroups: users.get(user)?.groups ?? [],
      groupLoad: (g) => {
        const group = cfg.groups.get(g);
        return group ? { running: 0, queued: 0, maxRunning: group.maxRunningQueries ?? Infinity, healthyMembers: group.members.length } : undefined;
      },
    });
    console.log(opts.format === 'json' ? JSON.stringify(e, null, 2) : formatExplanation(e));
    return e.decision.deny !== undefined ? 3 : 0;
  } finally {
    chain.close();
  }
}
