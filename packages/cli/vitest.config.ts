import { defineConfig } from 'vitest/config';
import { workspaceAlias } from '../../vitest.shared.ts';

export default defineConfig({
  resolve: { alias: workspaceAlias },
  test: {
    name: 'cli',
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // Chromium for the dashboard; a real PostgreSQL 15 for `replay --pg` (installed with apt-get when missing).
    globalSetup: ['test/dashboard/chromiumSetup.ts', 'test/postgres/globalSetup.ts'],
  },
});
