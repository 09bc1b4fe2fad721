import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededShuffle } from '@simfleet/testkit';

/** A fresh temporary directory. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'simfleet-engine-test-'));
}

/** A seeded shuffle, so a failing order can be reproduced. */
export const shuffled = seededShuffle;
