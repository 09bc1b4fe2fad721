/**
 * Periodic checkpoints while worker threads read a big NDJSON file: they are written
 * between merged byte ranges (not only after the whole file), and resuming from EVERY one
 * of them gives the clean run's snapshot byte for byte (the resumed run reads the rest of
 * the file on the main thread, from the line the checkpoint holds).
 *
 * Worker threads start from the built files, so this test drives the BUILT modules
 * (dist/), like the e2e tests do (build first).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateFleetLog } from '@simfleet/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support.js';
import { MemoryCheckpointStore } from './MemoryCheckpointStore.js';

/** A module of the built package (dist/), typed as its source: dist may not exist yet when this is type-checked. */
const built = async <T>(path: string): Promise<T> => (await import(new URL(`../../dist/${path}`, import.meta.url).href)) as T;
const { ReplayCheckpoints } = await built<typeof import('../../src/checkpoint/ReplayCheckpoints.js')>('checkpoint/ReplayCheckpoints.js');
const { expandPaths } = await built<typeof import('../../src/input/expandPaths.js')>('input/expandPaths.js');
const { MIN_PARALLEL_BYTES } = await built<typeof import('../../src/replay/ParallelReplay.js')>('replay/ParallelReplay.js');
const { replaySources } = await built<typeof import('../../src/replay/replaySources.js')>('replay/replaySources.js');
const { snapshotChunks } = await built<typeof import('../../src/snapshot/snapshot.js')>('snapshot/snapshot.js');

type Checkpoints = Awaited<ReturnType<typeof ReplayCheckpoints.open>>;
type InputSource = Awaited<ReturnType<typeof expandPaths>>[number];

let path: string;
let clean: string;

/** `sources` must be the ones the checkpoints were opened with (they are known by identity). */
async function replay(threads: number, sources: InputSource[], checkpoints?: Checkpoints): Promise<string> {
  // 64 KiB ranges: the file is cut into dozens of ranges, so checkpoints fall between them.
  const { session, account } = await replaySources(sources, { threads, rangeBytes: 1 << 16, checkpoints });
  return Buffer.concat([...snapshotChunks(session.fleet, account)]).toString('utf8');
}

beforeAll(async () => {
  const chunks: string[] = [];
  generateFleetLog({ events: 4000, devices: 120, seed: 23, messy: true }, (c) => chunks.push(c));
  // A bad line and a duplicate in the middle, so the checkpoints carry rejects and duplicates.
  const lines = chunks
    .join('')
    .split('\n')
    .filter((l) => l !== '');
  lines.splice(1700, 0, 'not json', lines[10]!);
  path = join(tempDir(), 'big.ndjson');
  writeFileSync(path, `${lines.join('\n')}\n`);
  clean = await replay(1, await expandPaths([path]));
});

describe('periodic checkpoints of a threaded replay', () => {
  it('are written between ranges, and each resumes to the clean snapshot', async () => {
    const store = new MemoryCheckpointStore();
    const sources = await expandPaths([path]);
    expect(sources[0]?.kind === 'file' && sources[0].size >= MIN_PARALLEL_BYTES).toBe(true);
    const writing = await ReplayCheckpoints.open({ sources, until: undefined, every: 700, out: { store, name: 'cp', label: 'cp' } });
    expect(await replay(2, sources, writing)).toBe(clean);
    // ~4000 records at one every 700: several mid-file checkpoints, then the final one.
    expect(store.history.length).toBeGreaterThanOrEqual(5);
    for (const bytes of store.history) {
      const from = new MemoryCheckpointStore();
      await from.write('cp', bytes);
      const again = await expandPaths([path]);
      const resumed = await ReplayCheckpoints.open({ sources: again, until: undefined, from: { store: from, name: 'cp', label: 'cp' } });
      expect(await replay(2, again, resumed)).toBe(clean);
    }
  }, 120_000);
});
