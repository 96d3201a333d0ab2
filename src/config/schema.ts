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
  })
  .strict()
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
    strategy: z.enum(['roundRobin', 'leastLoaded', 'failover', 'weighted', 'engineAffinity']).default('roundRobin'),
    overflowGroup: z.string().optional(),
    /** Inline clusters (Rust QueryFlux form). */
    clusters: z.array(cluster).optional(),
    /** Names from the top-level `clusters:` map. */
    members: z.array(z.string()).optional(),
  })
  .strict();

export type ClusterGroupConfig = z.infer<typeof clusterGroup>;

const protocolKey = z.enum(['postgresWire', 'mysqlWire', 'trinoHttp', 'flightSql']);

const protocolBasedRouter = z
  .object({
    type: z.literal('protocolBased'),
    postgresWire: z.string().optional(),
    mysqlWire: z.string().optional(),
    trinoHttp: z.string().optional(),
    flightSql: z.string().optional(),
  })
  .strict();

export const routerSchema = z.discriminatedUnion('type', [protocolBasedRouter]);
/** Router type names, for messages. */
export const KNOWN_ROUTERS = 'protocolBased';
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

export const configSchema = z
  .object({
    queryflux,
    clusters: z.record(z.string(), cluster).default({}),
    clusterGroups: z.record(z.string(), clusterGroup),
    routers: z.array(routerSchema).default([]),
    routingFallback: z.string(),
    translation,
    auth,
  })
  .strict();

export type QueryFluxConfig = z.infer<typeof configSchema>;
