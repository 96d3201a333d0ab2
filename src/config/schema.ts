/** Configuration schema (zod). Key names follow the Rust QueryFlux's YAML so its configs load. */
import { z } from 'zod';

const port = z.number().int().min(0).max(65535);

const tls = z
  .object({
    certFile: z.string(),
    keyFile: z.string(),
    /** Refuse clients that do not upgrade to TLS. */
    required: z.boolean().default(false),
  })
  .strict();

const frontend = (defaultPort: number, defaultEnabled: boolean) =>
  z
    .object({
      enabled: z.boolean().default(defaultEnabled),
      host: z.string().default('0.0.0.0'),
      port: port.default(defaultPort),
      tls: tls.optional(),
    })
    .strict()
    .prefault({});

const persistence = z
  .object({
    type: z.enum(['sqlite', 'postgres', 'inMemory']).default('sqlite'),
    /** SQLite file path. */
    path: z.string().default('data/queryflux.db'),
    url: z.string().optional(),
    host: z.string().optional(),
    port: port.optional(),
    user: z.string().optional(),
    password: z.string().optional(),
    database: z.string().optional(),
    /** History writer: flush buffered rows at least this often (ms). */
    flushIntervalMs: z.number().int().positive().default(1000),
    /** History writer: rows per insert; a full batch is flushed at once. */
    batchSize: z.number().int().positive().max(10_000).default(500),
    /** History writer: rows held in memory at most (database down or slow); beyond, rows are dropped and counted. */
    maxBufferRows: z.number().int().positive().default(50_000),
    /** Store SQL with literals replaced by `?` (strings and numbers), for data that must not persist. */
    redactSql: z.boolean().default(false),
  })
  .strict()
  .refine((p) => p.maxBufferRows >= p.batchSize, { message: 'maxBufferRows must be at least batchSize' })
  .prefault({});

const queryflux = z
  .object({
    externalAddress: z.string().optional(),
    frontends: z
      .object({
        postgresWire: frontend(5432, true),
        mysqlWire: frontend(3306, false),
        trinoHttp: frontend(8080, false),
        flightSql: frontend(50051, false),
      })
      .strict()
      .prefault({}),
    adminApi: z
      .object({ enabled: z.boolean().default(true), host: z.string().default('0.0.0.0'), port: port.default(9000), username: z.string().optional(), password: z.string().optional() })
      .strict()
      .prefault({}),
    persistence,
    shutdownDrainTimeoutSecs: z.number().nonnegative().default(30),
    /** History rows older than this are deleted (checked at start and hourly). */
    queryHistoryRetentionDays: z.number().int().positive().default(30),
    /** Client connections accepted at once, across all frontends. */
    maxConnections: z.number().int().positive().default(10000),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .strict()
  .prefault({});

/** Engine kinds; aliases of the Rust config ('duckDb', 'postgreSql', ...) are normalised on load. */
export const ENGINE_KINDS = ['duckdb', 'postgres'] as const;
export type EngineKind = (typeof ENGINE_KINDS)[number];

const engineKind = z.preprocess(
  (v) => (typeof v === 'string' ? ENGINE_ALIASES[v.toLowerCase().replace(/[-_]/g, '')] ?? v : v),
  z.enum(ENGINE_KINDS),
);
const ENGINE_ALIASES: Record<string, EngineKind> = { duckdb: 'duckdb', postgres: 'postgres', postgresql: 'postgres', pg: 'postgres' };

/** One cluster (engine instance). Engine-specific keys are validated by the engine adapter. */
const cluster = z
  .object({
    name: z.string().min(1).optional(),
    engine: engineKind.optional(),
    endpoint: z.string().optional(),
    /** DuckDB file; ':memory:' or absent for in-memory. */
    databasePath: z.string().optional(),
    /** SQL files run once at start (DuckDB): demo data, views over Parquet, ... */
    initSql: z.array(z.string()).optional(),
    host: z.string().optional(),
    port: port.optional(),
    user: z.string().optional(),
    password: z.string().optional(),
    database: z.string().optional(),
    poolSize: z.number().int().positive().optional(),
    maxRunningQueries: z.number().int().positive().optional(),
    weight: z.number().nonnegative().optional(),
    enabled: z.boolean().default(true),
    /** Pricing card (cost-models/<name>.yaml) this cluster is billed by; default: the card named after its engine. */
    pricing: z.string().optional(),
    /** Override of the card's compute size for this cluster (nodes billed). */
    nodes: z.number().int().positive().optional(),
  })
  .strict();

export type ClusterConfig = z.infer<typeof cluster>;

const clusterGroup = z
  .object({
    engine: engineKind.optional(),
    enabled: z.boolean().default(true),
    maxRunningQueries: z.number().int().positive().optional(),
    maxQueuedQueries: z.number().int().nonnegative().optional(),
    capacityWaitTimeoutSecs: z.number().positive().optional(),
    /** `roundRobin` or the Rust form `{ type: weighted, weights: {cluster: n} }` / `{ type: engineAffinity, preference: [...] }`. */
    strategy: z
      .union([
        z.enum(['roundRobin', 'leastLoaded', 'failover', 'weighted', 'engineAffinity']),
        z
          .object({
            type: z.enum(['roundRobin', 'leastLoaded', 'failover', 'weighted', 'engineAffinity']),
            weights: z.record(z.string(), z.number().nonnegative()).optional(),
            preference: z.array(engineKind).optional(),
          })
          .strict(),
      ])
      .default('roundRobin'),
    overflowGroup: z.string().optional(),
    /** Periodic engine probes; a member failing `unhealthyThreshold` probes in a row is skipped until one succeeds. */
    healthCheck: z
      .object({
        enabled: z.boolean().default(true),
        intervalSecs: z.number().positive().default(10),
        timeoutSecs: z.number().positive().default(3),
        unhealthyThreshold: z.number().int().positive().default(2),
      })
      .strict()
      .prefault({}),
    /** Per-member circuit breaker (Rust QueryFlux keys); omitted = no breaker. */
    circuitBreaker: z
      .object({
        windowSecs: z.number().positive().default(60),
        minRequests: z.number().int().positive().max(10_000).default(10),
        failureRatePercent: z.number().min(1).max(100).default(50),
        initialBackoffSecs: z.number().positive().default(30),
        maxBackoffSecs: z.number().positive().default(300),
      })
      .strict()
      .refine((c) => c.maxBackoffSecs >= c.initialBackoffSecs, { message: 'maxBackoffSecs must be at least initialBackoffSecs' })
      .optional(),
    /** Inline clusters (Rust QueryFlux form). */
    clusters: z.array(cluster).optional(),
    /** Names from the top-level `clusters:` map. */
    members: z.array(z.string()).optional(),
  })
  .strict();

export type ClusterGroupConfig = z.infer<typeof clusterGroup>;

const protocolKey = z.enum(['postgresWire', 'mysqlWire', 'trinoHttp', 'flightSql']);
const group = z.string().min(1);

const protocolBasedRouter = z
  .object({
    type: z.literal('protocolBased'),
    postgresWire: group.optional(),
    mysqlWire: group.optional(),
    trinoHttp: group.optional(),
    flightSql: group.optional(),
  })
  .strict();

const headerRouter = z
  .object({
    type: z.literal('header'),
    /** Case-insensitive header name (Trino HTTP headers; PostgreSQL startup parameters; MySQL connection attributes). */
    headerName: z.string().min(1),
    /** Exact value → group. */
    headerValueToGroup: z.record(z.string(), group).default({}),
    /** Regex on the value → group, tried in order after exact values. */
    headerValuePatterns: z.array(z.object({ regex: z.string(), targetGroup: group }).strict()).default([]),
  })
  .strict();

const userGroupRouter = z
  .object({
    type: z.literal('userGroup'),
    /** User name → group. */
    userToGroup: z.record(z.string(), group).default({}),
    /** Auth group of the user (auth.users[].groups) → group, when no user entry matched. */
    authGroupToGroup: z.record(z.string(), group).default({}),
  })
  .strict();

const queryRegexRule = z
  .object({
    /** JavaScript regex; a leading (?i) / (?s) / (?is) becomes the i / s flag (Rust-style configs). */
    regex: z.string(),
    targetGroup: group.optional(),
    action: z.enum(['route', 'deny']).default('route'),
    /** Client-visible message for action: deny. */
    error: z.string().optional(),
  })
  .strict()
  .refine((r) => r.action === 'deny' || r.targetGroup !== undefined, { message: 'a route rule needs targetGroup' });

const queryRegexRouter = z.object({ type: z.literal('queryRegex'), rules: z.array(queryRegexRule).min(1) }).strict();

const tagRule = z
  .object({
    /** All must match; a null value matches the key with any value. */
    tags: z.record(z.string(), z.string().nullable()).default({}),
    /** Trino Gateway style: any of these bare tags. */
    oneOf: z.array(z.string()).optional(),
    /** Trino Gateway style: all of these bare tags. */
    allOf: z.array(z.string()).optional(),
    targetGroup: group,
  })
  .strict();

const tagsRouter = z.object({ type: z.enum(['clientTags', 'tags']), rules: z.array(tagRule).min(1) }).strict();

export interface CompoundConditionConfig {
  type: 'protocol' | 'header' | 'user' | 'clientTag' | 'queryRegex' | 'compound';
  protocol?: string;
  headerName?: string;
  headerValue?: string;
  username?: string;
  tag?: string;
  regex?: string;
  combine?: 'all' | 'any';
  conditions?: CompoundConditionConfig[];
}

const compoundCondition: z.ZodType<CompoundConditionConfig> = z.lazy(() =>
  z.discriminatedUnion('type', [
    z.object({ type: z.literal('protocol'), protocol: protocolKey }).strict(),
    z.object({ type: z.literal('header'), headerName: z.string().min(1), headerValue: z.string() }).strict(),
    z.object({ type: z.literal('user'), username: z.string() }).strict(),
    z.object({ type: z.literal('clientTag'), tag: z.string() }).strict(),
    z.object({ type: z.literal('queryRegex'), regex: z.string() }).strict(),
    z.object({ type: z.literal('compound'), combine: z.enum(['all', 'any']).default('all'), conditions: z.array(compoundCondition).min(1) }).strict(),
  ]),
) as z.ZodType<CompoundConditionConfig>;

const compoundRouter = z
  .object({
    type: z.literal('compound'),
    combine: z.enum(['all', 'any']).default('all'),
    conditions: z.array(compoundCondition).min(1),
    targetGroup: group,
  })
  .strict();

const policyRouter = z
  .object({
    type: z.literal('policy'),
    /** A .wasm file or OPA bundle (.tar.gz) from `opa build -t wasm` (`queryflux policy build`). */
    path: z.string().min(1),
    entrypoint: z.string().default('queryflux/routing/decision'),
    /** Policy `data` (teams, SLAs, budgets): merged over the bundle's data.json. */
    data: z.record(z.string(), z.unknown()).optional(),
    /** Reload when the file changes. */
    watch: z.boolean().default(true),
    /** A runtime evaluation error refuses the query (deny) or passes to the next router. */
    onError: z.enum(['deny', 'pass']).default('deny'),
  })
  .strict();

export const routerSchema = z.discriminatedUnion('type', [protocolBasedRouter, headerRouter, userGroupRouter, queryRegexRouter, tagsRouter, compoundRouter, policyRouter]);
/** Router type names, for messages. */
export const KNOWN_ROUTERS = 'protocolBased, header, userGroup, queryRegex, clientTags (alias tags), compound, policy';
export type RouterConfig = z.infer<typeof routerSchema>;
export type ProtocolKey = z.infer<typeof protocolKey>;

const user = z
  .object({
    username: z.string().min(1),
    /** Plain password: hashed to a SCRAM verifier at load and never kept. Prefer ${ENV} or scramVerifier. */
    password: z.string().optional(),
    /** SCRAM-SHA-256$<iter>:<salt>$<StoredKey>:<ServerKey>, as in pg_authid. */
    scramVerifier: z.string().optional(),
    groups: z.array(z.string()).default([]),
  })
  .strict()
  .refine((u) => u.password !== undefined || u.scramVerifier !== undefined, { message: 'a user needs `password` or `scramVerifier`' });

const auth = z
  .object({
    /** 'static' checks users listed here; 'none' accepts anyone (demo / trusted networks only). */
    provider: z.enum(['static', 'none']).default('static'),
    required: z.boolean().default(true),
    /** PostgreSQL wire auth method offered to clients. */
    postgresMethod: z.enum(['scram-sha-256', 'md5', 'password', 'trust']).default('scram-sha-256'),
    users: z.array(user).default([]),
  })
  .strict()
  .prefault({});

const translation = z
  .object({
    enabled: z.boolean().default(true),
    errorOnUnsupported: z.boolean().default(false),
    mode: z.enum(['strict', 'bestEffort']).optional(),
  })
  .strict()
  .prefault({});

const tableStats = z
  .object({
    rows: z.number().nonnegative(),
    /** Bytes stored (for scan-priced engines: the bytes a full scan reads). */
    bytes: z.number().nonnegative(),
    /** Columns in the table (column pruning on columnar engines scales bytes by the share read). */
    columns: z.number().int().positive().optional(),
    /** Bytes per column (compressed, as a columnar scan reads them): exact column pruning. */
    columnBytes: z.record(z.string(), z.number().nonnegative()).optional(),
    /** Columns the data is ordered or partitioned by: a range on them skips the rest (row groups, partitions). */
    sortedBy: z.array(z.string()).optional(),
    /** Value range per column (numbers, or dates/timestamps as text): the selectivity of range predicates. */
    columnRanges: z.record(z.string(), z.object({ min: z.union([z.number(), z.string()]), max: z.union([z.number(), z.string()]) }).strict()).optional(),
    /** Most common values per column and the share of rows holding each (as PostgreSQL's pg_stats keeps them): the selectivity of = and <>. */
    columnValues: z.record(z.string(), z.record(z.string(), z.number().min(0).max(1))).optional(),
  })
  .strict();

const costModel = z
  .object({
    enabled: z.boolean().default(true),
    /** Directories or files with pricing cards, read after the built-in cost-models/ (a card with the same name replaces it). */
    cards: z.array(z.string()).default([]),
    /** Group whose estimated cost is what each query "would have cost" (savings baseline); default: routingFallback. */
    baselineGroup: z.string().optional(),
    /** Declared table statistics, by table name as queries write it (`orders`, `tpch.orders`). */
    tables: z.record(z.string(), tableStats).default({}),
    /** Per-group statistics that differ from `tables` (the same table stored differently on another engine). */
    groups: z.record(z.string(), z.object({ tables: z.record(z.string(), tableStats).default({}) }).strict()).default({}),
    /** Fetch table statistics from the engines' catalogs this often (0 = only at start). */
    statsRefreshSecs: z.number().nonnegative().default(600),
    calibration: z
      .object({
        enabled: z.boolean().default(true),
        /** Where the per-engine model state is kept across restarts ('' = not persisted). */
        statePath: z.string().default('data/calibration.json'),
        /** Recursive least squares forgetting factor (1 = never forget). */
        forgetting: z.number().gt(0.9).max(1).default(0.995),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});

export type CostModelConfig = z.infer<typeof costModel>;

export const configSchema = z
  .object({
    queryflux,
    clusters: z.record(z.string(), cluster).default({}),
    clusterGroups: z.record(z.string(), clusterGroup),
    routers: z.array(routerSchema).default([]),
    routingFallback: z.string(),
    translation,
    auth,
    costModel,
  })
  .strict();

export type QueryFluxConfig = z.infer<typeof configSchema>;
