/** Compile config regexes once; accept Rust/PCRE-style leading inline flags ((?i), (?s), (?is)). */

/** Compile `source`, turning a leading (?flags) group into JS flags. Throws with a clear message. */
export function compileRegex(source: string): RegExp {
  let flags = '';
  let body = source;
  const m = /^\(\?([is]+)\)/.exec(source);
  if (m) {
    flags = [...new Set(m[1]!.split(''))].join('');
    body = source.slice(m[0].length);
  }
  try {
    return new RegExp(body, flags);
  } catch (err) {
    throw new Error(`invalid regex ${JSON.stringify(source)}: ${(err as Error).message}`);
  }
}
