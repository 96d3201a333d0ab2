/**
 * `policy` router: a Rego policy (package queryflux.routing, entrypoint `decision`) compiled to
 * wasm by `opa build -t wasm`, evaluated in-process with OPA's wasm SDK. Hot-reloads on file
 * change and SIGHUP; a policy that fails to load never replaces a working one.
 */
import { watch, type FSWatcher } from 'node:fs';
import type { Logger } from 'pino';
import type { Decision, Router, RoutingInput } from '../types.js';
import { readPolicyArtifact } from './bundle.js';
import { buildPolicyInput } from './input.js';
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
}

export class PolicyRouter implements Router {
  readonly kind = 'policy';
  readonly stats: PolicyStats = { loads: 0, reloadFailures: 0, evalErrors: 0 };
  private policy: CompiledPolicy | undefined;
  private watcher: FSWatcher | undefined;
  private debounce: NodeJS.Timeout | undefined;

  constructor(
    readonly rule: string,
    private readonly cfg: PolicyRouterConfig,
    private readonly logger?: Logger,
  ) {}

  async init(): Promise<void> {
    this.policy = await this.compile();
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
      this.policy = await this.compile();
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
    try {
      result = policy.evaluate(buildPolicyInput(input));
    } catch (err) {
      this.stats.evalErrors++;
      this.logger?.error({ rule: this.rule, err: String(err) }, 'policy evaluation failed');
      if (this.cfg.onError === 'pass') return undefined;
      return { group: '', rule: this.rule, reason: 'policy evaluation failed', deny: `routing policy failed: ${String(err)}` };
    }
    return toDecision(this.rule, result);
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
