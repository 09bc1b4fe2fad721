import { defineConfig } from 'vitest/config';

// This example's own test settings. Without a config here, vitest run in this folder would
// climb to the repository's root config and its package projects.
export default defineConfig({
  test: { include: ['test/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 },
});
