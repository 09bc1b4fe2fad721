import { readdirSync } from 'node:fs';
import { defineConfig } from 'vitest/config';
import { workspaceAlias } from './vitest.shared.ts';

// Every workspace package is a test project with its own vitest.config.ts (name, timeouts,
// and the global setup that starts the servers its tests need).
const packages = readdirSync(new URL('./packages', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => `packages/${entry.name}/vitest.config.ts`);

export default defineConfig({
  resolve: { alias: workspaceAlias },
  test: {
    projects: [
      ...packages,
      {
        extends: true as const,
        test: { name: 'examples', root: 'examples', include: ['*/test/**/*.test.ts'] },
      },
    ],
  },
});
