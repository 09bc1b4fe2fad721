/**
 * Vitest global setup: builds the module from assembly/ (the same `asc` call as `pnpm build`),
 * so the tests never run a stale binary. Compiled beside the module and renamed into place:
 * other test projects (the engine's) may be loading it meanwhile, and a rename is atomic.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const asc = createRequire(import.meta.url).resolve('assemblyscript/bin/asc.js');
  const fresh = `dist/simfleet.wasm.${process.pid}`;
  mkdirSync(`${root}dist`, { recursive: true });
  execFileSync(process.execPath, [asc, 'assembly/index.ts', '--config', 'asconfig.json', '--target', 'release', '--enable', 'simd', '--outFile', fresh], {
    cwd: root,
    stdio: 'inherit',
  });
  renameSync(`${root}${fresh}`, `${root}dist/simfleet.wasm`);
}
