/** A loaded OPA wasm policy: evaluated synchronously, input written as UTF-8 JSON into a reused buffer. */
import { createRequire } from 'node:module';
import type { PolicyArtifact } from './bundle.js';

interface OpaPolicy {
  setData(data: unknown): void;
  evaluate(input: unknown, entrypoint?: number | string): { result: unknown }[];
  entrypoints: Record<string, number>;
}

const require = createRequire(import.meta.url);
const { loadPolicy } = require('@open-policy-agent/opa-wasm') as { loadPolicy(wasm: Uint8Array, memory?: unknown, builtins?: Record<string, (...args: unknown[]) => unknown>): Promise<OpaPolicy> };

const encoder = new TextEncoder();

/** Builtins OPA's wasm target leaves to the host; the JS SDK already provides most. */
const CUSTOM_BUILTINS: Record<string, (...args: unknown[]) => unknown> = {};

export class CompiledPolicy {
  private buf = new Uint8Array(4096);

  private constructor(
    private readonly policy: OpaPolicy,
    private readonly entrypoint: number,
  ) {}

  /** Instantiate the wasm (≈20 ms: do it at load, never per query) and set its data. */
  static async load(artifact: PolicyArtifact, entrypoint: string, data: unknown): Promise<CompiledPolicy> {
    const policy = await loadPolicy(artifact.wasm, undefined, CUSTOM_BUILTINS);
    const id = policy.entrypoints[entrypoint];
    if (id === undefined) {
      throw new Error(`entrypoint "${entrypoint}" not in the policy (it has: ${Object.keys(policy.entrypoints).join(', ') || 'none'}); build with: opa build -t wasm -e ${entrypoint}`);
    }
    const merged = mergeData(artifact.data, data);
    policy.setData(merged ?? {});
    return new CompiledPolicy(policy, id);
  }

  /** Evaluate; returns the entrypoint's value, or undefined when the policy produced none. */
  evaluate(input: unknown): unknown {
    const json = JSON.stringify(input);
    // Worst case 3 bytes per UTF-16 unit; grow the reused buffer rarely.
    if (json.length * 3 > this.buf.length) this.buf = new Uint8Array(Math.max(json.length * 3, this.buf.length * 2));
    const { written } = encoder.encodeInto(json, this.buf);
    const rs = this.policy.evaluate(this.buf.buffer.slice(0, written), this.entrypoint);
    return rs.length > 0 ? rs[0]!.result : undefined;
  }
}

function mergeData(a: unknown, b: unknown): unknown {
  if (a === undefined) return b;
  if (b === undefined) return a;
  if (isObject(a) && isObject(b)) {
    const out: Record<string, unknown> = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = k in out ? mergeData(out[k], v) : v;
    return out;
  }
  return b;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
