/**
 * What a Rego policy reads of its input, from the bundle's .rego sources. The router then builds
 * and serialises only those parts (the wasm evaluator parses every byte of the input JSON: the
 * whole document — 37 features, estimates, session, headers — cost more than the rules), and,
 * when the policy calls no time- or randomness-dependent builtin, remembers decisions by that
 * projected input: the same input and data always give the same decision.
 */

/** Top-level input keys read, or 'all' when the policy reads `input` as a whole or by a variable key. */
export interface InputRefs {
  readonly keys: ReadonlySet<string> | 'all';
  /** Keys under `input.now` read (`'all'` when `input.now` is read whole). */
  readonly nowKeys: ReadonlySet<string> | 'all';
  /** Features under `input.features` read (`'all'` when `input.features` is read whole). */
  readonly featureKeys: ReadonlySet<string> | 'all';
  /** No builtin whose result depends on the clock, randomness or the network. */
  readonly deterministic: boolean;
}

export const ALL_REFS: InputRefs = { keys: 'all', nowKeys: 'all', featureKeys: 'all', deterministic: false };

/** Builtins whose result is not a function of their arguments. */
const NON_DETERMINISTIC = /\b(?:time\.now_ns|rand\.intn|uuid\.rfc4122|http\.send|opa\.runtime|net\.lookup_ip_addr|io\.jwt\.decode_verify|crypto\.x509\.parse_and_verify_certificates\w*)\s*\(/;

/** Source with comments removed and string contents blanked (so `"input"` in a message is no reference). */
export function stripRego(src: string): string {
  let out = '';
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i]!;
    if (c === '#') {
      while (i < n && src[i] !== '\n') i++;
    } else if (c === '"') {
      out += '""';
      i++;
      while (i < n && src[i] !== '"') i += src[i] === '\\' ? 2 : 1;
      i++;
    } else if (c === '`') {
      out += '""';
      i++;
      while (i < n && src[i] !== '`') i++;
      i++;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Which parts of `input` the (non-test) modules read. Conservative: anything unclear reads it all. */
export function inputRefs(sources: readonly string[]): InputRefs {
  if (sources.length === 0) return ALL_REFS;
  const keys = new Set<string>();
  // Parts of the input whose own keys are tracked one by one ('all' once one is read whole).
  const nested = new Map<string, Set<string> | 'all'>([
    ['now', new Set()],
    ['features', new Set()],
  ]);
  let allKeys = false;
  let deterministic = true;
  for (const raw of sources) {
    const src = stripRego(raw);
    if (NON_DETERMINISTIC.test(src)) deterministic = false;
    // `import input` / `import input.x as y` bring input in under another name: read all of it.
    if (/\bimport\s+input\b/.test(src)) allKeys = true;
    const re = /(?<![\w.])input\b/g;
    for (let m = re.exec(src); m !== null; m = re.exec(src)) {
      const before = src.slice(Math.max(0, m.index - 12), m.index);
      // `with input as {...}` replaces the input; the rules it calls are scanned on their own.
      if (/\bwith\s+$/.test(before)) continue;
      const rest = src.slice(m.index + 5);
      const key = /^\s*(?:\.\s*([A-Za-z_]\w*)|\[\s*"([^"]*)"\s*\])/.exec(rest);
      // `""` is a blanked string literal: its key is unknown here.
      if (key === null || (key[1] === undefined && key[2] === '')) {
        allKeys = true;
        continue;
      }
      const k = key[1] ?? key[2]!;
      keys.add(k);
      const sub = nested.get(k);
      if (sub !== undefined && sub !== 'all') {
        const subKey = /^\s*\.\s*([A-Za-z_]\w*)/.exec(rest.slice(key[0].length));
        if (subKey === null) nested.set(k, 'all');
        else sub.add(subKey[1]!);
      }
    }
  }
  const part = (k: string): ReadonlySet<string> | 'all' => (allKeys ? 'all' : nested.get(k)!);
  return { keys: allKeys ? 'all' : keys, nowKeys: part('now'), featureKeys: part('features'), deterministic };
}
