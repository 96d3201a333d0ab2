/** `queryflux policy build | test | fmt | check | eval`: the Rego workflow around the opa CLI. */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { readPolicyArtifact, writeBundleRefs } from '../routing/policy/bundle.js';
import { inputRefs } from '../routing/policy/refs.js';
import { CompiledPolicy } from '../routing/policy/opa.js';
import { findOpa } from './opa-bin.js';

export const POLICY_USAGE = `usage: queryflux policy <command> [options]

  build [DIR] [-o FILE]       compile DIR (default policies/demo) to a wasm bundle (default DIR/bundle.tar.gz)
  test [DIR...]               run opa test with coverage on each policy directory (default: every one under policies/)
  fmt [DIR...] [--check]      format Rego in place (--check: list unformatted files, exit 1 if any)
  check [DIR...]              type-check Rego (opa check --strict)
  eval --policy FILE --input FILE [--data FILE]
                              evaluate a compiled policy (.wasm or bundle) on an input document (JSON or YAML)`;

const ENTRYPOINT = 'queryflux/routing/decision';
/** A policy directory may hold its own built bundle; OPA would load it as a second copy of the data. */
const IGNORE_BUILT = ['--ignore', '*.tar.gz'];

function run(cmd: string, args: string[]): number {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  return r.status ?? 1;
}

/** Paths of the .rego files under `root`, recursively. */
function regoFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir)) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (e.endsWith('.rego')) out.push(p);
    }
  };
  if (existsSync(root)) walk(root);
  return out;
}

/** Directories under `root` (recursively) that hold .rego files. */
export function policyDirs(root: string): string[] {
  return [...new Set(regoFiles(root).map((f) => dirname(f)))].sort();
}

/** Non-test .rego sources under `dir`, as the build sees them. */
function regoSources(dir: string): string[] {
  return regoFiles(dir)
    .filter((f) => !f.endsWith('_test.rego'))
    .map((f) => readFileSync(f, 'utf8'));
}

function readDoc(path: string): unknown {
  const text = readFileSync(path, 'utf8');
  return path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
}

/** Run one policy subcommand; returns the exit code. */
export async function policyCommand(args: string[], opts: { output?: string; input?: string; policy?: string; data?: string; check?: boolean }): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'build': {
      const dir = rest[0] ?? 'policies/demo';
      const out = opts.output ?? join(dir, 'bundle.tar.gz');
      const code = run(findOpa(), ['build', '-t', 'wasm', '-e', ENTRYPOINT, '--ignore', '*_test.rego', '-o', out, dir]);
      if (code === 0) {
        // What the policy reads of its input, from the sources (the bundle's copies are stripped).
        writeBundleRefs(out, inputRefs(regoSources(dir)));
        // Load what was built, so a policy that compiles but cannot load fails here, not at serve time.
        await CompiledPolicy.load(readPolicyArtifact(out), ENTRYPOINT, undefined);
        console.log(`built ${out}`);
      }
      return code;
    }
    case 'test': {
      const dirs = rest.length ? rest : policyDirs('policies');
      let failed = 0;
      for (const d of dirs) {
        console.log(`== ${d}`);
        if (run(findOpa(), ['test', '-v', ...IGNORE_BUILT, d]) !== 0) failed++;
        const cov = spawnSync(findOpa(), ['test', '--coverage', '--format', 'json', ...IGNORE_BUILT, d], { encoding: 'utf8' });
        try {
          console.log(`coverage: ${(JSON.parse(cov.stdout) as { coverage: number }).coverage}%`);
        } catch {
          /* the pretty run above already printed the failure */
        }
      }
      return failed ? 1 : 0;
    }
    case 'fmt':
      return run(findOpa(), ['fmt', opts.check ? '--list' : '-w', ...(rest.length ? rest : ['policies'])]);
    case 'check':
      return run(findOpa(), ['check', '--strict', ...IGNORE_BUILT, ...(rest.length ? rest : policyDirs('policies'))]);
    case 'eval': {
      if (!opts.policy || !opts.input) throw new Error('policy eval needs --policy FILE and --input FILE');
      const policy = await CompiledPolicy.load(readPolicyArtifact(opts.policy), ENTRYPOINT, opts.data ? readDoc(opts.data) : undefined);
      console.log(JSON.stringify(policy.evaluate(readDoc(opts.input)) ?? null, null, 2));
      return 0;
    }
    default:
      console.error(POLICY_USAGE);
      return 2;
  }
}
