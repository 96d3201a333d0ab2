/**
 * The one handle on @polyglot-sql/sdk for translation. Its wasm (~230 ms, hundreds of MB) loads
 * once per process on `loadPolyglot()`; translation is synchronous, so the gateway awaits this at
 * start (Translator.warmUp) and never per query.
 */
import { POLYGLOT_DIALECT } from '../analysis/analyzer.js';
import type { Dialect } from '../core/types.js';

type Sdk = typeof import('@polyglot-sql/sdk');

let sdk: Sdk | undefined;
let loading: Promise<Sdk> | undefined;

/** Load the SDK (idempotent; concurrent callers share one load). */
export function loadPolyglot(): Promise<Sdk> {
  loading ??= import('@polyglot-sql/sdk').then((m) => {
    sdk = m;
    return m;
  });
  return loading;
}

/** The loaded SDK, or undefined before `loadPolyglot()` has finished. */
export function polyglotIfLoaded(): Sdk | undefined {
  return sdk;
}

/** Result of one polyglot transpile: the statements, or the parser's message and position. */
export type Transpiled = { readonly ok: true; readonly sql: string } | { readonly ok: false; readonly error: string; readonly position?: number };

/** Transpile with the loaded SDK; several statements come back joined by `;\n`. */
export function transpile(p: Sdk, sql: string, from: Dialect, to: Dialect): Transpiled {
  let r;
  try {
    r = p.transpile(sql, POLYGLOT_DIALECT[from] as Parameters<Sdk['transpile']>[1], POLYGLOT_DIALECT[to] as Parameters<Sdk['transpile']>[2]);
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  if (!r.success || r.sql === undefined) return { ok: false, error: r.error ?? 'unknown parse error', ...(r.errorStart === undefined ? {} : { position: r.errorStart + 1 }) };
  return { ok: true, sql: r.sql.join(';\n') };
}
