import { defineConfig } from 'vitest/config';
import { workspaceAlias } from './vitest.shared.ts';

const packages = ['core', 'stream', 'testkit', 'cli'];

export default defineConfig({
  resolve: { alias: workspaceAlias },
  test: {
    projects: [
      ...packages.map((name) => ({
        extends: true as const,
        test: {
          name,
          root: `packages/${name}`,
          include: ['test/**/*.test.ts'],
          // The CLI tests spawn the real binary on real files: give them room on a loaded 2-core machine.
          ...(name === 'cli' ? { testTimeout: 120_000, hookTimeout: 120_000 } : { testTimeout: 30_000 }),
        },
      })),
      {
        extends: true as const,
        test: { name: 'examples', root: 'examples', include: ['*/test/**/*.test.ts'] },
      },
    ],
  },
});
