import { fileURLToPath } from 'node:url';

/**
 * Tests run against the TypeScript sources of the workspace packages, not their
 * built `dist/`, so a test run never sees a stale build. The CLI's end-to-end tests
 * are the exception: they spawn the built `simfleet` binary exactly as a user does.
 */
const pkg = (path: string): string => fileURLToPath(new URL(`./packages/${path}`, import.meta.url));

export const workspaceAlias = [
  { find: /^@simfleet\/testkit\/vitest$/, replacement: pkg('testkit/src/vitest/index.ts') },
  { find: /^@simfleet\/postgres\/testing$/, replacement: pkg('postgres/src/testing/index.ts') },
  { find: /^@simfleet\/core\/columns$/, replacement: pkg('core/src/columns.ts') },
  { find: /^@simfleet\/core\/(checkpoint|docs)$/, replacement: pkg('core/src/$1/index.ts') },
  { find: /^@simfleet\/([a-z]+)$/, replacement: pkg('$1/src/index.ts') },
];
