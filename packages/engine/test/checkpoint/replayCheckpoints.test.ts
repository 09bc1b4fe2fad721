/**
 * Periodic and final checkpoints of a real `replaySources` over real files (NDJSON, a
 * JSON array, gzip): resuming from EVERY checkpoint written during the run, with the
 * same inputs, gives the clean run's snapshot byte for byte — the deterministic twin of
 * the SIGKILL test (a kill leaves exactly one of these checkpoints behind).
 */
import { utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { generateFleetLog } from '@simfleet/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeCheckpoint } from '@simfleet/core/checkpoint';
import { checkpointHasher } from '../../src/checkpoint/checkpointHasher.js';
import { type ReplayCheckpointOptions, ReplayCheckpoints } from '../../src/checkpoint/ReplayCheckpoints.js';
import { InputError } from '../../src/InputError.js';
import { expandPaths, type InputSource } from '../../src/input/expandPaths.js';
import { replaySources } from '../../src/replay/replaySources.js';
import { snapshotChunks } from '../../src/snapshot/snapshot.js';
import { tempDir } from '../support.js';
import { MemoryCheckpointStore } from './MemoryCheckpointStore.js';

let dir: string;
let paths: string[];
let clean: string;

async function replay(sources: readonly InputSource[], checkpoints?: ReplayCheckpoints, until?: number): Promise<string> {
  const { session, account } = await replaySources(sources, {
    threads: 1,
    checkpoints,
    ...(until === undefined ? {} : { until }),
  });
  return [...snapshotChunks(session.fleet, account)].join('');
}

async function open(options: Partial<ReplayCheckpointOptions> & Pick<ReplayCheckpointOptions, 'sources'>): Promise<ReplayCheckpoints> {
  return ReplayCheckpoints.open({ until: undefined, ...options });
}

beforeAll(async () => {
  dir = tempDir();
  const chunks: string[] = [];
  generateFleetLog({ events: 3000, devices: 80, seed: 11, messy: true }, (c) => chunks.push(c));
  const lines = chunks
    .join('')
    .split('\n')
    .filter((l) => l !== '');
  // Newest-first like an Event API dump, with duplicates of the NDJSON file and a bad record.
  const arrayPart = [...lines.slice(1000, 2000), lines[5]!, '{"id": "broken"}'].reverse();
  writeFileSync(join(dir, 'a.ndjson'), `${lines.slice(0, 1000).join('\n')}\n\nnot json\n`);
  writeFileSync(join(dir, 'b.json'), `[\n${arrayPart.join(',\n')}\n]\n`);
  writeFileSync(join(dir, 'c.ndjson.gz'), gzipSync(`${lines.slice(2000).join('\n')}\n${lines[1500]}\n`));
  paths = ['a.ndjson', 'b.json', 'c.ndjson.gz'].map((p) => join(dir, p));
  clean = await replay(await expandPaths(paths));
});

describe('checkpoints during a replay', () => {
  it('can resume from every periodic checkpoint, with the same inputs, to the clean snapshot', async () => {
    const sources = await expandPaths(paths);
    const store = new MemoryCheckpointStore();
    const out = { store, name: 'run.ckpt', label: 'run.ckpt' };
    const writing = await open({ sources, out, every: 150 });
    expect(await replay(sources, writing)).toBe(clean);
    // Mid-file checkpoints in the array and the gzip input, and the final one.
    expect(store.history.length).toBeGreaterThan(10);
    for (const bytes of store.history) {
      const from = new MemoryCheckpointStore();
      await from.write('cp', bytes);
      const again = await expandPaths(paths);
      const resumed = await open({ sources: again, from: { store: from, name: 'cp', label: 'cp' } });
      expect(await replay(again, resumed)).toBe(clean);
    }
  });

  it('resumes from a final checkpoint with only the new logs, or with none', async () => {
    const store = new MemoryCheckpointStore();
    const first = await expandPaths(paths.slice(0, 2));
    await replay(first, await open({ sources: first, out: { store, name: 'cp', label: 'cp' } }));
    const rest = await expandPaths(paths.slice(2));
    const from = { store, name: 'cp', label: 'cp' };
    expect(await replay(rest, await open({ sources: rest, from }))).toBe(clean);
    // Naming the old logs again changes nothing: they are skipped, not read twice.
    const all = await expandPaths(paths);
    expect(await replay(all, await open({ sources: all, from }))).toBe(clean);

    const full = new MemoryCheckpointStore();
    const sources = await expandPaths(paths);
    await replay(sources, await open({ sources, out: { store: full, name: 'cp', label: 'cp' } }));
    expect(await replay([], await open({ sources: [], from: { store: full, name: 'cp', label: 'cp' } }))).toBe(clean);
  });

  it('refuses an input that changed since the checkpoint, and another --until', async () => {
    const store = new MemoryCheckpointStore();
    const from = { store, name: 'cp', label: 'cp' };
    const sources = await expandPaths(paths.slice(0, 1));
    await replay(sources, await open({ sources, out: from }));
    await expect(open({ sources, from, until: Date.UTC(2021, 9, 27, 1) })).rejects.toThrow(/--until/);
    utimesSync(paths[0]!, new Date(), new Date(Date.now() + 5000));
    const changed = await expandPaths(paths.slice(0, 1));
    const refused = open({ sources: changed, from });
    await expect(refused).rejects.toBeInstanceOf(InputError);
    await expect(refused).rejects.toThrow(/changed since the checkpoint/);
  });
});

describe('a resumed run that writes checkpoints of its own', () => {
  it('never writes one that holds less of an input than the checkpoint it resumed from', async () => {
    // Several MiB: the lines a resumed run passes over span more than one read chunk, so the
    // run reports positions inside them before it reaches new lines.
    const chunks: string[] = [];
    generateFleetLog({ events: 8000, devices: 300, seed: 5 }, (c) => chunks.push(c));
    const path = join(tempDir(), 'big.ndjson');
    writeFileSync(path, chunks.join(''));
    const cleanBig = await replay(await expandPaths([path]));
    const first = new MemoryCheckpointStore();
    const sources = await expandPaths([path]);
    expect(await replay(sources, await open({ sources, out: { store: first, name: 'cp', label: 'cp' }, every: 500 }))).toBe(cleanBig);
    const late = first.history.at(-2)!;
    const skip = positionOf(late);
    expect(skip).toBeGreaterThan(4000);
    const from = new MemoryCheckpointStore();
    await from.write('cp', late);
    const chained = new MemoryCheckpointStore();
    const again = await expandPaths([path]);
    const resumed = await open({
      sources: again,
      from: { store: from, name: 'cp', label: 'cp' },
      out: { store: chained, name: 'cp', label: 'cp' },
      every: 500,
    });
    expect(await replay(again, resumed)).toBe(cleanBig);
    expect(chained.history.length).toBeGreaterThan(0);
    for (const bytes of chained.history) {
      expect(positionOf(bytes)).toBeGreaterThanOrEqual(skip);
      const store = new MemoryCheckpointStore();
      await store.write('cp', bytes);
      const third = await expandPaths([path]);
      expect(await replay(third, await open({ sources: third, from: { store, name: 'cp', label: 'cp' } }))).toBe(cleanBig);
    }
  });
});

/** The position of a checkpoint's only input. */
function positionOf(bytes: Uint8Array): number {
  const decoded = decodeCheckpoint(bytes, checkpointHasher);
  if (!decoded.ok) throw new Error(decoded.error.message);
  return decoded.value.header.inputs[0]!.position;
}
