import { defineConfig } from 'vitest/config';
import { workspaceAlias } from '../../vitest.shared.ts';

export default defineConfig({
  resolve: { alias: workspaceAlias },
  test: {
    name: 'wasm',
    include: ['test/**/*.test.ts'],
    // Compiles assembly/ into dist/simfleet.wasm first, so the tests never run a stale module.
    globalSetup: ['test/compileModule.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
