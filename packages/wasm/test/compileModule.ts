/** Vitest global setup: builds the module from assembly/ (the same `asc` call as `pnpm build`). */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const asc = createRequire(import.meta.url).resolve('assemblyscript/bin/asc.js');
  execFileSync(process.execPath, [asc, 'assembly/index.ts', '--config', 'asconfig.json', '--target', 'release', '--enable', 'simd'], { cwd: root, stdio: 'inherit' });
}
