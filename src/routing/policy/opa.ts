/** A loaded OPA wasm policy: evaluated synchronously, input written as UTF-8 JSON into a reused buffer. */
import { createRequire } from 'node:module';
import type { PolicyArtifact } from './bundle.js';
import type { InputRefs } from './refs.js';

interface OpaPolicy {
  setData(data: unknown): void;
  evaluate(input: unknown, entrypoint?: number | string): { result: unknown }[];
  entrypoints: Record<string, number>;
  // SDK internals used by the allocation-free fast path (ABI 1.2+); checked before use.
  minorVersion?: number;
  mem?: WebAssembly.Memory;
  dataAddr?: number;
  dataHeapPtr?: number;
  wasmInstance?: { exports: { opa_eval?: (...args: number[]) => number } };
}

const require = createRequire(import.meta.url);
const { loadPolicy } = require('@open-policy-agent/opa-wasm') as { loadPolicy(wasm: Uint8Array, memory?: unknown, builtins?: Record<string, (...args: unknown[]) => unknown>): Promise<OpaPolicy> };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Builtins OPA's wasm target leaves to the host; the JS SDK already provides most. */
const CUSTOM_BUILTINS: Record<string, (...args: unknown[]) => unknown> = {};

export class CompiledPolicy {
  private buf = new Uint8Array(4096);
  private view: Uint8Array | undefined;

  private constructor(
    private readonly policy: OpaPolicy,
    private readonly entrypoint: number,
    /** What the policy reads of its input (from the bundle's sources; everything when unknown). */
    readonly refs: InputRefs,
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
    return new CompiledPolicy(policy, id, artifact.refs);
  }

  /** Evaluate; returns the entrypoint's value, or undefined when the policy produced none. */
  evaluate(input: unknown): unknown {
    return this.evaluateJson(JSON.stringify(input));
  }

  /** Evaluate an input already serialised as JSON. */
  evaluateJson(json: string): unknown {
    const p = this.policy;
    const evalFn = p.wasmInstance?.exports.opa_eval;
    let rs: { result: unknown }[];
    if ((p.minorVersion ?? 0) >= 2 && p.mem !== undefined && evalFn !== undefined && p.dataAddr !== undefined && p.dataHeapPtr !== undefined) {
      rs = this.evalDirect(p.mem, evalFn, p.dataAddr, p.dataHeapPtr, json);
    } else {
      // Worst case 3 bytes per UTF-16 unit; grow the reused buffer rarely.
      if (json.length * 3 > this.buf.length) this.buf = new Uint8Array(Math.max(json.length * 3, this.buf.length * 2));
      const { written } = encoder.encodeInto(json, this.buf);
      rs = p.evaluate(this.buf.buffer.slice(0, written), this.entrypoint);
    }
    return rs.length > 0 ? rs[0]!.result : undefined;
  }

  /**
   * The SDK's evaluate() allocates an ArrayBuffer, a TextDecoder and typed-array views per call;
   * under a mixed workload that GC churn made decisions 4x slower. This writes the input straight
   * into wasm memory and reads the result with shared encoder/decoder (same opa_eval ABI call).
   */
  private evalDirect(mem: WebAssembly.Memory, opaEval: (...args: number[]) => number, dataAddr: number, heapPtr: number, json: string): { result: unknown }[] {
    const maxLen = json.length * 3;
    const shortBy = heapPtr + maxLen - mem.buffer.byteLength;
    if (shortBy > 0) mem.grow(Math.ceil(shortBy / 65536));
    if (this.view === undefined || this.view.buffer !== mem.buffer) this.view = new Uint8Array(mem.buffer);
    const { written } = encoder.encodeInto(json, this.view.subarray(heapPtr, heapPtr + maxLen));
    const ret = opaEval(0, this.entrypoint, dataAddr, heapPtr, written, heapPtr + written, 0);
    if (this.view.buffer !== mem.buffer) this.view = new Uint8Array(mem.buffer);
    const end = this.view.indexOf(0, ret);
    return JSON.parse(decoder.decode(this.view.subarray(ret, end))) as { result: unknown }[];
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
