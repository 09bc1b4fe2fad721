import { defineConfig } from 'vitest/config';
import { workspaceAlias } from '../../vitest.shared.ts';

export default defineConfig({
  resolve: { alias: workspaceAlias },
  test: { name: 'stream', testTimeout: 30_000, include: ['test/**/*.test.ts'] },
});
