import { defineConfig } from 'vitest/config';
import { workspaceAlias } from '../../vitest.shared.ts';

export default defineConfig({
  resolve: { alias: workspaceAlias },
  test: {
    name: 'cli',
    include: ['test/**/*.test.ts'],
    // A real PostgreSQL 15 for `replay --pg` (installed with apt-get when missing).
    globalSetup: ['test/postgres/globalSetup.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
