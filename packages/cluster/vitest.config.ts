import { defineConfig } from 'vitest/config';
import { workspaceAlias } from '../../vitest.shared.ts';

export default defineConfig({
  resolve: { alias: workspaceAlias },
  test: {
    name: 'cluster',
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/globalSetup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Several test files start worker processes against nats-server: one file at a time keeps
    // the two shared cores from turning lease renewals into timeouts.
    fileParallelism: false,
  },
});
