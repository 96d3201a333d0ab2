/**
 * The StartupMessage `options` parameter ('-c name=value --name=value', backslash escapes) and the
 * client tags derived from it and application_name.
 */

/** Parse `options` into name → value settings. */
export function parseStartupOptions(options: string): Map<string, string> {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < options.length; i++) {
    const c = options[i]!;
    if (c === '\\' && i + 1 < options.length) {
      cur += options[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  const out = new Map<string, string>();
  for (let i = 0; i < words.length; i++) {
    let w = words[i]!;
    if (w === '-c' && i + 1 < words.length) w = words[++i]!;
    else if (w.startsWith('-c')) w = w.slice(2);
    else if (w.startsWith('--')) w = w.slice(2);
    else continue;
    const eq = w.indexOf('=');
    if (eq > 0) out.set(w.slice(0, eq).replace(/-/g, '_').toLowerCase(), w.slice(eq + 1));
  }
  return out;
}

/**
 * Client tags for routing: the application_name, plus a comma-separated `client_tags` setting
 * (startup parameter or `-c client_tags=a,b` in options), since PostgreSQL has no tag header.
 */
export function clientTagsOf(applicationName: string, clientTagsSetting: string | undefined): readonly string[] {
  const tags: string[] = [];
  if (applicationName !== '') tags.push(applicationName);
  if (clientTagsSetting !== undefined) {
    for (const t of clientTagsSetting.split(',')) {
      const s = t.trim();
      if (s !== '' && !tags.includes(s)) tags.push(s);
    }
  }
  return Object.freeze(tags);
}
