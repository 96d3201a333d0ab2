/** Read `opa build -t wasm` output: a .wasm file, or a bundle .tar.gz holding /policy.wasm and /data.json. */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

export interface PolicyArtifact {
  readonly wasm: Buffer;
  /** data.json from the bundle, when present. */
  readonly data?: unknown;
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
  if (bytes.subarray(0, 4).equals(Buffer.from([0, 0x61, 0x73, 0x6d]))) return { wasm: bytes };
  const files = untar(bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes);
  const wasm = files.get('policy.wasm');
  if (!wasm) throw new Error(`${path}: no policy.wasm inside (build it with: opa build -t wasm -e queryflux/routing/decision <dir>)`);
  const dataFile = files.get('data.json');
  return { wasm: Buffer.from(wasm), data: dataFile && dataFile.length > 0 ? JSON.parse(dataFile.toString('utf8')) : undefined };
}
