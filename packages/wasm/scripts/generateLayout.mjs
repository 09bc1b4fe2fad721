// Writes assembly/layout.ts from src/layout.ts (through the built dist/). Run by
// `pnpm --filter @simfleet/wasm layout` after a change to src/layout.ts; test/layout.test.ts
// fails while the copy is stale.
import { writeFileSync } from 'node:fs';
import { renderAssemblyLayout } from '../dist/renderLayout.js';

writeFileSync(new URL('../assembly/layout.ts', import.meta.url), renderAssemblyLayout());
console.log('wrote packages/wasm/assembly/layout.ts');
