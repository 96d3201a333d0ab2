/**
 * `policy` router: a Rego policy (package queryflux.routing, entrypoint `decision`) compiled to
 * wasm by `opa build -t wasm`, evaluated in-process with OPA's wasm SDK. Hot-reloads on file
 * change and SIGHUP; a policy that fails to load never replaces a working one.
 */
import { watch, type FSWatcher } from 'node:fs';
import type { Logger } from 'pino';
import type { Decision, Router, RoutingInput } from '../types.js';
import { readPolicyArtifact } from './bundle.js';
import { LruCache } from '../../core/lru.js';
import { buildPolicyInput, buildProjectedInput, type InputProjection } from './input.js';
import { CompiledPolicy } from './opa.js';

export interface PolicyRouterConfig {
  /** Path of a .wasm file or an OPA bundle (.tar.gz) built with `opa build -t wasm`. */
  readonly path: string;
  readonly entrypoint: string;
  /** Policy `data` (teams, SLAs, budgets), merged over the bundle's data.json. */
  readonly data?: unknown;
  readonly watch: boolean;
  /** What a runtime evaluation error does: refuse the query (default) or pass to the next router. */
  readonly onError: 'deny' | 'pass';
}

/** Counters the metrics layer reads. */
export interface PolicyStats {
  loads: number;
  reloadFailures: number;
  evalErrors: number;
  lastError?: string;
  /** Decisions answered from the memo (same projected input as an earlier query). */
  memoHits: number;
}

/** Decisions remembered per policy (by projected input JSON); a reload starts a new memo. */
const MEMO_ENTRIES = 4096;
/** Inputs longer than this are evaluated without being remembered (a long SQL text rarely repeats). */
const MEMO_MAX_KEY = 2048;
/** A remembered "no decision" (the policy passed). */
const PASS = Symbol('pass');
/**
 * The memo checks its own worth: over each window of lookups, if almost none hit (every statement
 * different, e.g. a policy reading input.sql under OLTP traffic with literals inline), it steps
 * aside for a while — a miss costs a key hash, two lookups and an insert for nothing — then probes again.
 */
const MEMO_WINDOW = 4096;
const MEMO_MIN_HIT_RATIO = 0.02;
const MEMO_PAUSE = 61_440;

/** A loaded policy with what the router derives from it once. */
interface Loaded {
  readonly policy: CompiledPolicy;
  /** Build only what the policy reads; undefined = the whole input. */
  readonly projection: InputProjection | undefined;
  readonly memo: LruCache<string, Decision | typeof PASS> | undefined;
  /** Lookups and hits in the current window; evaluations left to skip the memo. */
  readonly memoState: { lookups: number; hits: number; skip: number };
}

function loaded(policy: CompiledPolicy): Loaded {
  const { keys, nowKeys, featureKeys, deterministic } = policy.refs;
  const projection = keys === 'all' ? undefined : { keys, nowKeys, featureKeys };
  // Remember decisions only when the same input always gives the same one, and the input does not
  // carry the current millisecond (it would never repeat).
  const rememberable = projection !== undefined && deterministic && !(projection.keys.has('now') && (nowKeys === 'all' || nowKeys.has('unix_ms')));
  return { policy, projection, memo: rememberable ? new LruCache(MEMO_ENTRIES) : undefined, memoState: { lookups: 0, hits: 0, skip: 0 } };
}

export class PolicyRouter implements Router {
  readonly kind = 'policy';
  readonly stats: PolicyStats = { loads: 0, reloadFailures: 0, evalErrors: 0, memoHits: 0 };
  private policy: Loaded | undefined;
  private watcher: FSWatcher | undefined;
  private debounce: NodeJS.Timeout | undefined;

  constructor(
    readonly rule: string,
    private readonly cfg: PolicyRouterConfig,
    private readonly logger?: Logger,
  ) {}

  async init(): Promise<void> {
    this.policy = loaded(await this.compile());
    this.stats.loads++;
    if (this.cfg.watch) {
      this.watcher = watch(this.cfg.path, () => {
        clearTimeout(this.debounce);
        this.debounce = setTimeout(() => void this.reload(), 100);
      });
      this.watcher.unref();
    }
  }

  private async compile(): Promise<CompiledPolicy> {
    try {
      return await CompiledPolicy.load(readPolicyArtifact(this.cfg.path), this.cfg.entrypoint, this.cfg.data);
    } catch (err) {
      throw new Error(`policy ${this.cfg.path}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** Load the file again; on failure keep the working policy and record the error. */
  async reload(): Promise<void> {
    try {
      this.policy = loaded(await this.compile());
      this.stats.loads++;
      this.logger?.info({ rule: this.rule, path: this.cfg.path }, 'policy reloaded');
    } catch (err) {
      this.stats.reloadFailures++;
      this.stats.lastError = (err as Error).message;
      this.logger?.error({ rule: this.rule, err: (err as Error).message }, 'policy reload failed; keeping the previous policy');
    }
  }

  close(): void {
    this.watcher?.close();
    clearTimeout(this.debounce);
  }

  match(input: RoutingInput): Decision | undefined {
    const policy = this.policy;
    if (policy === undefined) throw new Error(`${this.rule}: policy not loaded`);
    let result: unknown;
    let key: string | undefined;
    try {
      const { projection, memo } = policy;
      if (projection === undefined) result = policy.policy.evaluate(buildPolicyInput(input));
      else {
        const json = JSON.stringify(buildProjectedInput(input, projection));
        const st = policy.memoState;
        if (memo !== undefined && st.skip > 0) st.skip--;
        else if (memo !== undefined && json.length <= MEMO_MAX_KEY) {
          const hit = memo.get(json);
          if (hit !== undefined) st.hits++;
          if (++st.lookups === MEMO_WINDOW) {
            if (st.hits < MEMO_WINDOW * MEMO_MIN_HIT_RATIO) {
              st.skip = MEMO_PAUSE;
              memo.clear();
            }
            st.lookups = 0;
            st.hits = 0;
          }
          if (hit !== undefined) {
            this.stats.memoHits++;
            return hit === PASS ? undefined : hit;
          }
          if (st.skip === 0) key = json;
        }
        result = policy.policy.evaluateJson(json);
      }
    } catch (err) {
      this.stats.evalErrors++;
      this.logger?.error({ rule: this.rule, err: String(err) }, 'policy evaluation failed');
      if (this.cfg.onError === 'pass') return undefined;
      return { group: '', rule: this.rule, reason: 'policy evaluation failed', deny: `routing policy failed: ${String(err)}` };
    }
    const decision = toDecision(this.rule, result);
    if (key !== undefined) policy.memo!.set(key, decision ?? PASS);
    return decision;
  }
}

/** Map the policy's `decision` value to a Decision; an empty or absent value passes. */
export function toDecision(rule: string, result: unknown): Decision | undefined {
  if (result === null || typeof result !== 'object') return undefined;
  const r = result as { group?: unknown; reason?: unknown; deny?: unknown; priority?: unknown; tags?: unknown };
  const reason = typeof r.reason === 'string' ? r.reason : 'policy decision';
  if (typeof r.deny === 'string' || r.deny === true) {
    return { group: typeof r.group === 'string' ? r.group : '', rule, reason, deny: typeof r.deny === 'string' ? r.deny : reason };
  }
  if (typeof r.group !== 'string' || r.group === '') return undefined;
  return {
    group: r.group,
    rule,
    reason,
    priority: typeof r.priority === 'number' ? r.priority : undefined,
    tags: Array.isArray(r.tags) ? r.tags.filter((t): t is string => typeof t === 'string') : undefined,
  };
}
