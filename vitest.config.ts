import { defineConfig } from 'vitest/config';
import { workspaceAlias } from './vitest.shared.ts';

const packages = ['core', 'stream', 'testkit', 'cli'];

export default defineConfig({
  resolve: { alias: workspaceAlias },
  test: {
    projects: [
      ...packages.map((name) => ({
        extends: true as const,
        test: { name, root: `packages/${name}`, include: ['test/**/*.test.ts'] },
      })),
      {
        extends: true as const,
        test: { name: 'examples', root: 'examples', include: ['*/test/**/*.test.ts'] },
      },
    ],
  },
});
