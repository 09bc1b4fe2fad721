import { defineConfig } from 'vitest/config';
import { workspaceAlias } from '../../vitest.shared.ts';

export default defineConfig({
  resolve: { alias: workspaceAlias },
  test: {
    name: 'postgres',
    include: ['test/**/*.test.ts'],
    // A real PostgreSQL 15, started once for the package (installed with apt-get when missing).
    globalSetup: ['test/globalSetup.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
