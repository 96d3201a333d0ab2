/** Locate the `opa` CLI (needed to compile and test Rego; not to evaluate compiled policies). */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/** Path of the opa binary, or an error that says how to install it. */
export function findOpa(): string {
  const candidates = [process.env.OPA_BIN, ...(process.env.PATH ?? '').split(delimiter).map((d) => join(d, 'opa')), join(homedir(), 'go', 'bin', 'opa')];
  for (const c of candidates) if (c && existsSync(c)) return c;
  throw new Error('the opa CLI is not installed: run `bash scripts/setup.sh` (it runs `go install github.com/open-policy-agent/opa@v1.10.1`), or set OPA_BIN');
}
