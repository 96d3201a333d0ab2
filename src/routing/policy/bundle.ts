/** Read `opa build -t wasm` output: a .wasm file, or a bundle .tar.gz holding /policy.wasm and /data.json. */
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ALL_REFS, type InputRefs } from './refs.js';

/**
 * Where `queryflux policy build` records what the policy reads of its input. OPA's wasm build
 * strips the compiled rules out of the .rego files it bundles, so the sources must be read
 * before building; a bundle without this entry (plain `opa build`) gets the whole input.
 */
export const REFS_ENTRY = 'queryflux/input-refs.json';

export interface PolicyArtifact {
  readonly wasm: Buffer;
  /** data.json from the bundle, when present. */
  readonly data?: unknown;
  /** What the policy reads of its input (REFS_ENTRY), or everything when the bundle does not say. */
  readonly refs: InputRefs;
}

/** Entries of an (uncompressed) ustar archive: name → contents. */
export function untar(tar: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let off = 0;
  while (off + 512 <= tar.length) {
    const header = tar.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break;
    const cstr = (a: number, b: number) => {
      const s = header.subarray(a, b);
      const z = s.indexOf(0);
      return s.subarray(0, z < 0 ? s.length : z).toString('utf8');
    };
    const size = parseInt(cstr(124, 136).trim() || '0', 8);
    if (!Number.isFinite(size) || size < 0 || off + 512 + size > tar.length) throw new Error('corrupt tar archive');
    const prefix = cstr(345, 500);
    const name = (prefix ? `${prefix}/` : '') + cstr(0, 100);
    const type = String.fromCharCode(header[156] || 48);
    if (type === '0' || type === '\0') out.set(name.replace(/^\/+/, ''), tar.subarray(off + 512, off + 512 + size));
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

/** Load a policy from a .wasm file or an OPA bundle (.tar.gz). */
export function readPolicyArtifact(path: string): PolicyArtifact {
  const bytes = readFileSync(path);
  if (bytes.subarray(0, 4).equals(Buffer.from([0, 0x61, 0x73, 0x6d]))) return { wasm: bytes, refs: ALL_REFS };
  const files = untar(bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes);
  const wasm = files.get('policy.wasm');
  if (!wasm) throw new Error(`${path}: no policy.wasm inside (build it with: opa build -t wasm -e queryflux/routing/decision <dir>)`);
  const dataFile = files.get('data.json');
  const refsFile = files.get(REFS_ENTRY);
  return { wasm: Buffer.from(wasm), data: dataFile && dataFile.length > 0 ? JSON.parse(dataFile.toString('utf8')) : undefined, refs: refsFile ? parseRefs(refsFile) : ALL_REFS };
}

/** The stored refs; anything malformed means "reads everything". */
function parseRefs(body: Buffer): InputRefs {
  try {
    const r = JSON.parse(body.toString('utf8')) as { keys?: unknown; nowKeys?: unknown; featureKeys?: unknown; deterministic?: unknown };
    const set = (v: unknown): ReadonlySet<string> | 'all' => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? new Set(v as string[]) : 'all');
    // Bundles built before featureKeys existed read every feature.
    return { keys: set(r.keys), nowKeys: set(r.nowKeys), featureKeys: set(r.featureKeys), deterministic: r.deterministic === true };
  } catch {
    return ALL_REFS;
  }
}

/** One ustar entry (header + contents padded to 512 bytes). */
function tarEntry(name: string, body: Buffer): Buffer {
  const header = Buffer.alloc(512);
  if (Buffer.byteLength(name) > 100) {
    // ustar: a long path is split at a '/' into prefix (155 bytes) and name (100 bytes).
    const cut = name.lastIndexOf('/');
    if (cut <= 0 || Buffer.byteLength(name.slice(cut + 1)) > 100 || Buffer.byteLength(name.slice(0, cut)) > 155) throw new Error(`bundle entry name too long: ${name}`);
    header.write(name.slice(0, cut), 345, 155, 'utf8');
    header.write(name.slice(cut + 1), 0, 100, 'utf8');
  } else header.write(name, 0, 100, 'utf8');
  header.write('0000644\0', 100, 'ascii');
  header.write('0000000\0', 108, 'ascii');
  header.write('0000000\0', 116, 'ascii');
  header.write(body.length.toString(8).padStart(11, '0') + '\0', 124, 'ascii');
  header.write(Math.floor(Date.now() / 1000).toString(8).padStart(11, '0') + '\0', 136, 'ascii');
  header.write('        ', 148, 'ascii');
  header.write('0', 156, 'ascii');
  header.write('ustar\0' + '00', 257, 'ascii');
  let sum = 0;
  for (const b of header) sum += b;
  header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  const pad = Buffer.alloc((512 - (body.length % 512)) % 512);
  return Buffer.concat([header, body, pad]);
}

/** Add (or replace) the input-refs entry of a built bundle (.tar.gz), in place. */
export function writeBundleRefs(path: string, refs: InputRefs): void {
  const bytes = readFileSync(path);
  const files = untar(gunzipSync(bytes));
  files.delete(REFS_ENTRY);
  const list = (v: ReadonlySet<string> | 'all'): string[] | 'all' => (v === 'all' ? 'all' : [...v].sort());
  const body = Buffer.from(JSON.stringify({ keys: list(refs.keys), nowKeys: list(refs.nowKeys), featureKeys: list(refs.featureKeys), deterministic: refs.deterministic }) + '\n');
  const parts: Buffer[] = [];
  for (const [name, content] of files) parts.push(tarEntry(`/${name}`, content));
  parts.push(tarEntry(`/${REFS_ENTRY}`, body), Buffer.alloc(1024));
  writeFileSync(path, gzipSync(Buffer.concat(parts)));
}
