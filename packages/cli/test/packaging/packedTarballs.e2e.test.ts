/**
 * The packages as a user gets them: each one `pnpm pack`ed, the tarballs installed with
 * npm into an empty project, and every package README's example compiled there with
 * strict TypeScript (node16 and node10 module resolution) and run; its output must be what
 * the README says it prints.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO, tempDir } from '../support.js';
import { readmeExamples } from './readmeExamples.js';

const PACKAGES = ['core', 'stream', 'testkit', 'engine', 'cli', 'wasm', 'postgres', 'cluster'] as const;
/** The packages whose README carries a TypeScript example (wasm's is used through the engine). */
const WITH_EXAMPLES = ['core', 'stream', 'testkit', 'engine', 'cli'] as const;
const PNPM = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).packageManager as string;
const TSC = join(REPO, 'node_modules/typescript/bin/tsc');
const TYPES_NODE = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).devDependencies['@types/node'] as string;

/**
 * A strict consumer. Under node16 `skipLibCheck: false` checks every declaration file, ours
 * included (a .d.ts importing an untyped module fails with TS7016). Under node10 library
 * checks are skipped: fast-check 4's own declarations import pure-rand subpaths that only an
 * exports map resolves, which no package of ours can change. (`exactOptionalPropertyTypes`
 * is left out: xstate's declarations do not compile under it.)
 */
const STRICT = { strict: true, noUncheckedIndexedAccess: true, target: 'ES2022', lib: ['ES2023'], types: ['node'] };
const SKIP_LIB_CHECK = { node16: false, node10: true } as const;

const run = (command: string, args: readonly string[], cwd: string): string =>
  execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });

/** tsc's diagnostics when it fails (execFileSync's own message holds only the command). */
function tsc(project: string, cwd: string): void {
  try {
    run(process.execPath, [TSC, '-p', project], cwd);
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`tsc -p ${project} failed:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

let project = '';
let tarballs: Record<string, string> = {};

beforeAll(() => {
  const root = tempDir();
  const packs = join(root, 'tarballs');
  mkdirSync(packs);
  for (const name of PACKAGES) {
    run('npx', ['-y', PNPM, 'pack', '--pack-destination', packs], join(REPO, 'packages', name));
  }
  tarballs = Object.fromEntries(readdirSync(packs).map((file) => [/^simfleet-([a-z0-9]+)-/.exec(file)?.[1] ?? file, join(packs, file)]));
  project = join(root, 'consumer');
  mkdirSync(join(project, 'src'), { recursive: true });
  const dependencies = Object.fromEntries(PACKAGES.map((name) => [`@simfleet/${name}`, `file:${tarballs[name]}`]));
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { ...dependencies, '@types/node': TYPES_NODE } }, null, 2),
  );
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], project);
  for (const name of PACKAGES) {
    const readme = readFileSync(join(REPO, 'packages', name, 'README.md'), 'utf8');
    readmeExamples(readme).forEach((example, i) => {
      writeFileSync(join(project, 'src', `${name}-${i}.ts`), example.code);
    });
  }
  for (const [resolution, module] of [
    ['node16', 'node16'],
    ['node10', 'esnext'],
  ] as const) {
    writeFileSync(
      join(project, `tsconfig.${resolution}.json`),
      JSON.stringify({
        compilerOptions: { ...STRICT, skipLibCheck: SKIP_LIB_CHECK[resolution], module, moduleResolution: resolution, outDir: `out-${resolution}` },
        include: ['src'],
      }),
    );
  }
}, 600_000);

describe('the packed packages', () => {
  it('are one tarball each, holding the LICENSE, a README and the built entry points', () => {
    expect(Object.keys(tarballs).sort()).toEqual([...PACKAGES].sort());
    for (const name of PACKAGES) {
      const files = run('tar', ['-tzf', tarballs[name]!], REPO).split('\n');
      expect(files, name).toContain('package/LICENSE');
      expect(files, name).toContain('package/README.md');
      expect(files, name).toContain('package/dist/index.js');
      expect(files, name).toContain('package/dist/index.d.ts');
    }
  });

  it('install only what a user needs: no benchmark, test or build tools', () => {
    const installed = readdirSync(join(project, 'node_modules'));
    for (const tool of ['@duckdb', 'vitest', 'ajv', 'assemblyscript', 'typescript', '@biomejs', 'turbo']) {
      expect(installed, tool).not.toContain(tool);
    }
    // The peers users bring (installed here by npm's peer resolution) and luxon's types.
    for (const peer of ['rxjs', 'xstate', 'fast-check']) expect(existsSync(join(project, 'node_modules', peer)), peer).toBe(true);
    expect(existsSync(join(project, 'node_modules/@types/luxon')), '@types/luxon').toBe(true);
  });

  it('declare their peers, engines and a node10 types fallback, and no repository or homepage (the project has no public address)', () => {
    const manifest = (name: string) =>
      JSON.parse(readFileSync(join(project, 'node_modules/@simfleet', name, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest('core')['peerDependencies']).toHaveProperty('xstate');
    expect(manifest('stream')['peerDependencies']).toHaveProperty('rxjs');
    expect(manifest('testkit')['peerDependencies']).toHaveProperty('fast-check');
    expect(manifest('testkit')['sideEffects']).toContain('./dist/vitest/index.js');
    for (const name of PACKAGES) {
      const m = manifest(name);
      expect(m['engines'], name).toEqual({ node: '>=20.19' });
      expect(m['repository'], name).toBeUndefined();
      expect(m['homepage'], name).toBeUndefined();
      expect(m['types'], name).toBe('./dist/index.d.ts');
      expect(m['license'], name).toBe('MIT');
    }
  });

  it('run every README example under node16 resolution, printing what the README says', () => {
    tsc('tsconfig.node16.json', project);
    for (const name of WITH_EXAMPLES) {
      const readme = readFileSync(join(REPO, 'packages', name, 'README.md'), 'utf8');
      const examples = readmeExamples(readme);
      expect(examples.length, `${name}/README.md has a ts example`).toBeGreaterThan(0);
      examples.forEach((example, i) => {
        const out = run(process.execPath, [join(project, 'out-node16', `${name}-${i}.js`)], project);
        expect(out, `${name}/README.md example ${i}`).toBe(example.prints);
      });
    }
  }, 300_000);

  it('type-check and run the same examples under node10 resolution (main/types fallback)', () => {
    tsc('tsconfig.node10.json', project);
    for (const name of WITH_EXAMPLES) {
      const example = readmeExamples(readFileSync(join(REPO, 'packages', name, 'README.md'), 'utf8'))[0]!;
      expect(run(process.execPath, [join(project, 'out-node10', `${name}-0.js`)], project), name).toBe(example.prints);
    }
  }, 300_000);
});
