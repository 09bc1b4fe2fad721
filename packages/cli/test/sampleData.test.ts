import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, tempDir } from './support.js';

describe('examples/data', () => {
  it('is what scripts/build-sample-data.mjs builds from the seeds and the simulator (run it after changing either)', () => {
    const out = tempDir();
    const run = spawnSync(process.execPath, [join(REPO, 'scripts/build-sample-data.mjs'), out], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    for (const file of ['seed-events.ndjson', 'simulated-fleet.ndjson.gz']) {
      expect(readFileSync(join(out, file)).equals(readFileSync(join(REPO, 'examples/data', file))), `${file} is stale`).toBe(true);
    }
  });
});
