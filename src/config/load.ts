/** Load, substitute, validate and resolve a QueryFlux YAML config. */
import { readFileSync } from 'node:fs';
import { isMap, isSeq, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { compileRegex } from '../routing/regex.js';
import { KNOWN_ROUTERS, configSchema, type ClusterConfig, type ClusterGroupConfig, type EngineKind, type QueryFluxConfig } from './schema.js';

/** One problem found in a config file. */
export interface ConfigIssue {
  readonly file: string;
  readonly path: string;
  readonly line?: number;
  readonly message: string;
}

/** Thrown when a config cannot be used; `issues` lists every problem, not just the first. */
export class ConfigError extends Error {
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

function formatIssue(i: ConfigIssue): string {
  return `${i.file}${i.line !== undefined ? `:${i.line}` : ''}: ${i.path || '(root)'}: ${i.message}`;
}

/** A cluster with its group, engine and name resolved. */
export interface ResolvedCluster extends ClusterConfig {
  readonly name: string;
  readonly engine: EngineKind;
  readonly group: string;
}

export interface ResolvedGroup extends Omit<ClusterGroupConfig, 'clusters' | 'members'> {
  readonly name: string;
  readonly members: readonly ResolvedCluster[];
}

/** The validated config plus resolved groups; what the rest of the gateway consumes. */
export interface ResolvedConfig {
  readonly file: string;
  readonly raw: QueryFluxConfig;
  readonly groups: ReadonlyMap<string, ResolvedGroup>;
}

const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** Replace ${VAR} and ${VAR:-default} in every string scalar; unknown variables are reported. */
function substituteEnv(doc: Document, file: string, env: NodeJS.ProcessEnv, issues: ConfigIssue[]): void {
  const visit = (node: unknown, path: string): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = String((pair.key as { value?: unknown } | null)?.value ?? pair.key);
        visit(pair.value, path ? `${path}.${key}` : key);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => visit(item, `${path}[${i}]`));
    } else if (node && typeof node === 'object' && 'value' in node && typeof (node as { value: unknown }).value === 'string') {
      const scalar = node as { value: unknown; range?: [number, number, number] };
      const text = scalar.value as string;
      const whole = /^\$\{[^}]+\}$/.test(text);
      const replaced = text.replace(ENV_REF, (_m, name: string, dflt: string | undefined) => {
        const v = env[name];
        if (v !== undefined) return v;
        if (dflt !== undefined) return dflt;
        issues.push({ file, path, line: lineOf(doc, scalar.range?.[0]), message: `environment variable ${name} is not set (use \${${name}:-default} for a default)` });
        return '';
      });
      // A value that is one ${VAR} takes the YAML type of what it expands to (ports, booleans).
      scalar.value = whole && replaced !== '' ? coerceScalar(replaced) : replaced;
    }
  };
  visit(doc.contents, '');
}

function coerceScalar(v: string): unknown {
  if (/^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  if (v === 'true' || v === 'false') return v === 'true';
  return v;
}

function lineOf(doc: Document, offset: number | undefined): number | undefined {
  if (offset === undefined) return undefined;
  const src = (doc as unknown as { _src?: string })._src;
  if (src === undefined) return undefined;
  let line = 1;
  for (let i = 0; i < offset && i < src.length; i++) if (src.charCodeAt(i) === 10) line++;
  return line;
}

function describeFound(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  return `${typeof v} ${JSON.stringify(v)}`;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[k];
  }
  return cur;
}

function pathString(path: readonly PropertyKey[]): string {
  return path.reduce<string>((s, k) => (typeof k === 'number' ? `${s}[${k}]` : s ? `${s}.${String(k)}` : String(k)), '');
}

function nodeLine(doc: Document, path: readonly PropertyKey[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as unknown[], true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return lineOf(doc, node.range[0]);
  }
  return undefined;
}

function zodIssues(error: z.ZodError, raw: unknown, doc: Document, file: string): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of error.issues) {
    const path = issue.path as PropertyKey[];
    const found = valueAt(raw, path);
    let message: string;
    if (issue.code === 'unrecognized_keys') {
      const keys = (issue as unknown as { keys: string[] }).keys;
      for (const key of keys) {
        out.push({ file, path: pathString([...path, key]), line: nodeLine(doc, [...path, key]), message: `unknown key "${key}"` });
      }
      continue;
    } else if (issue.code === 'invalid_type') {
      message = `expected ${(issue as unknown as { expected: string }).expected}, found ${describeFound(found)}`;
    } else if (issue.code === 'invalid_value') {
      const values = (issue as unknown as { values: unknown[] }).values;
      message = `expected one of ${values.map((v) => JSON.stringify(v)).join(', ')}, found ${describeFound(found)}`;
    } else if (issue.code === 'invalid_union' && (issue as unknown as { note?: string }).note === 'No matching discriminator') {
      const typePath = path[path.length - 1] === 'type' ? path : [...path, 'type'];
      message = `unknown router type ${describeFound(valueAt(raw, typePath))} (known: ${KNOWN_ROUTERS})`;
    } else {
      message = `${issue.message}, found ${describeFound(found)}`;
    }
    out.push({ file, path: pathString(path), line: nodeLine(doc, path), message });
  }
  return out;
}

/** Parse and validate config text; `file` is only used in messages. */
export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): ResolvedConfig {
  const doc = parseDocument(text, { prettyErrors: true });
  (doc as unknown as { _src: string })._src = text;
  const issues: ConfigIssue[] = [];
  for (const e of doc.errors) issues.push({ file, path: '', line: e.linePos?.[0]?.line, message: `YAML: ${e.message.split('\n')[0]}` });
  if (issues.length) throw new ConfigError(issues);
  substituteEnv(doc, file, env, issues);
  const raw: unknown = doc.toJS() ?? {};
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError([...issues, ...zodIssues(parsed.error, raw, doc, file)]);
  if (issues.length) throw new ConfigError(issues);
  return resolve(parsed.data, file, doc);
}

/** Read, parse and validate a config file. */
export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): ResolvedConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([{ file, path: '', message: `cannot read config: ${(err as Error).message}` }]);
  }
  return parseConfig(text, file, env);
}

function resolve(cfg: QueryFluxConfig, file: string, doc: Document): ResolvedConfig {
  const issues: ConfigIssue[] = [];
  const at = (path: PropertyKey[], message: string) => issues.push({ file, path: pathString(path), line: nodeLine(doc, path), message });
  const groups = new Map<string, ResolvedGroup>();
  const seen = new Map<string, string>();

  for (const [groupName, g] of Object.entries(cfg.clusterGroups)) {
    const members: ResolvedCluster[] = [];
    const add = (c: ClusterConfig, name: string | undefined, path: PropertyKey[]) => {
      if (!name) return at(path, 'a cluster needs a `name`');
      const engine = c.engine ?? g.engine;
      if (!engine) return at(path, `cluster "${name}" has no engine: set \`engine\` on the cluster or on group "${groupName}"`);
      const prev = seen.get(name);
      if (prev !== undefined && prev !== groupName && !g.members?.includes(name)) return at(path, `cluster name "${name}" is already used in group "${prev}"`);
      seen.set(name, groupName);
      members.push({ ...c, name, engine, group: groupName });
    };
    g.clusters?.forEach((c, i) => add(c, c.name, ['clusterGroups', groupName, 'clusters', i]));
    g.members?.forEach((m, i) => {
      const c = cfg.clusters[m];
      if (!c) return at(['clusterGroups', groupName, 'members', i], `unknown cluster "${m}" (defined clusters: ${Object.keys(cfg.clusters).join(', ') || 'none'})`);
      add(c, c.name ?? m, ['clusters', m]);
    });
    if (members.length === 0) at(['clusterGroups', groupName], 'a cluster group needs at least one cluster (`clusters:` or `members:`)');
    const { clusters: _c, members: _m, ...rest } = g;
    groups.set(groupName, { ...rest, name: groupName, members });
  }
  for (const [groupName, g] of groups) {
    if (g.overflowGroup !== undefined && !groups.has(g.overflowGroup)) at(['clusterGroups', groupName, 'overflowGroup'], `unknown cluster group "${g.overflowGroup}"`);
  }
  const known = () => [...groups.keys()].join(', ') || 'none';
  if (!groups.has(cfg.routingFallback)) at(['routingFallback'], `unknown cluster group "${cfg.routingFallback}" (defined groups: ${known()})`);
  cfg.routers.forEach((r, i) => {
    walkRouter(r, ['routers', i], (path, kind, value) => {
      if (kind === 'group' && !groups.has(value)) at(path, `unknown cluster group "${value}" (defined groups: ${known()})`);
      if (kind === 'regex') {
        try {
          compileRegex(value);
        } catch (err) {
          at(path, (err as Error).message);
        }
      }
    });
  });
  if (cfg.auth.provider === 'static' && cfg.auth.required && cfg.auth.users.length === 0) {
    at(['auth', 'users'], 'auth is required but no users are configured (add users, or set auth.provider: none for a trusted demo)');
  }
  if (issues.length) throw new ConfigError(issues);
  return { file, raw: cfg, groups };
}

const GROUP_KEYS = new Set(['targetGroup', 'postgresWire', 'mysqlWire', 'trinoHttp', 'flightSql']);
const GROUP_MAPS = new Set(['headerValueToGroup', 'userToGroup', 'authGroupToGroup']);

/** Visit every group reference and regex inside a router config (nested compounds included). */
function walkRouter(node: unknown, path: PropertyKey[], visit: (path: PropertyKey[], kind: 'group' | 'regex', value: string) => void): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => walkRouter(item, [...path, i], visit));
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const isCondition = (node as { type?: unknown }).type === 'protocol';
  for (const [k, v] of Object.entries(node)) {
    if (typeof v === 'string') {
      if (GROUP_KEYS.has(k) && !isCondition) visit([...path, k], 'group', v);
      else if (k === 'regex') visit([...path, k], 'regex', v);
    } else if (GROUP_MAPS.has(k) && v && typeof v === 'object') {
      for (const [mk, mv] of Object.entries(v)) if (typeof mv === 'string') visit([...path, k, mk], 'group', mv);
    } else walkRouter(v, [...path, k], visit);
  }
}
