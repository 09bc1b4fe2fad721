/**
 * Each example folder has its own vitest config, so `npx vitest` run inside it (as a user
 * who copies the folder would) finds that config instead of the repository's root one.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const EXAMPLES = fileURLToPath(new URL('../../', import.meta.url));
const VITEST = fileURLToPath(new URL('../../../node_modules/vitest/vitest.mjs', import.meta.url));

describe('vitest inside an example folder', () => {
  for (const example of ['property-testing', 'live-backend']) {
    it(`${example}: lists only that example's tests`, () => {
      const listed = execFileSync(process.execPath, [VITEST, 'list', '--filesOnly'], {
        cwd: `${EXAMPLES}${example}`,
        encoding: 'utf8',
        env: { ...process.env, FORCE_COLOR: '0' },
      });
      const files = listed.split('\n').filter((l) => l.trim() !== '');
      expect(files.length).toBeGreaterThan(0);
      for (const file of files) expect(file, 'a test outside the example').toMatch(/^test\/[\w.]+\.test\.ts$/);
    });
  }
});
