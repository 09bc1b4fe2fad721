/**
 * The same bytes whatever the thread count, the row budget or the checkpoint resumed from,
 * on messy logs with hostile lines: nesting around the depth limit and far beyond any
 * stack (with 16-digit numbers, so the exact-integer parser runs), bytes that are not
 * UTF-8, lines over `maxLineBytes`, a byte-order mark in the middle. Each hostile line gets
 * its rejection code on every path: the decoders have one behaviour on every thread.
 *
 * Worker threads start from the built files, so this test drives the BUILT modules (dist/).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateFleetLog } from '@simfleet/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryCheckpointStore } from '../checkpoint/MemoryCheckpointStore.js';
import { hostileArb } from '../hostileLog.js';
import { shuffled, tempDir } from '../support.js';

const built = async <T>(path: string): Promise<T> => (await import(new URL(`../../dist/${path}`, import.meta.url).href)) as T;
const { ReplayCheckpoints } = await built<typeof import('../../src/checkpoint/ReplayCheckpoints.js')>('checkpoint/ReplayCheckpoints.js');
const { expandPaths } = await built<typeof import('../../src/input/expandPaths.js')>('input/expandPaths.js');
const { MIN_PARALLEL_BYTES } = await built<typeof import('../../src/replay/ParallelReplay.js')>('replay/ParallelReplay.js');
const { replaySources } = await built<typeof import('../../src/replay/replaySources.js')>('replay/replaySources.js');
const { snapshotChunks } = await built<typeof import('../../src/snapshot/snapshot.js')>('snapshot/snapshot.js');

type Checkpoints = Awaited<ReturnType<typeof ReplayCheckpoints.open>>;
type InputSource = Awaited<ReturnType<typeof expandPaths>>[number];

// Above the deepest hostile line (~21 KB), far below the default.
const MAX_LINE_BYTES = 32_768;

interface Outcome {
  readonly snapshot: string;
  readonly rejects: string[];
}

async function replay(sources: InputSource[], options: { threads: number; maxRowsInMemory?: number; checkpoints?: Checkpoints }): Promise<Outcome> {
  const rejects: string[] = [];
  const { session, account } = await replaySources(sources, {
    ...options,
    rangeBytes: 1 << 16,
    maxLineBytes: MAX_LINE_BYTES,
    onReject: (r) => rejects.push(`${r.line} ${r.code} ${r.reason}`),
  });
  return { snapshot: Buffer.concat([...snapshotChunks(session.fleet, account)]).toString('utf8'), rejects };
}

const logArb = fc.record({
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  shuffleSeed: fc.nat(),
  duplicates: fc.array(fc.nat(), { maxLength: 30 }),
});

describe('a replay of a hostile log', () => {
  it('gives the same bytes with 1 or 2 threads, a small row budget, and resumed from any checkpoint', async () => {
    const dir = tempDir();
    let run = 0;
    await fc.assert(
      fc.asyncProperty(logArb, fc.array(fc.nat(), { minLength: 1, maxLength: 12 }), async (log, picks) => {
        const chunks: string[] = [];
        generateFleetLog({ events: 1200, devices: 40, seed: log.seed, messy: true }, (c) => chunks.push(c));
        const records = chunks
          .join('')
          .split('\n')
          .filter((l) => l !== '');
        // Hostile lines are made from clean records, so that each gets exactly its own code.
        const clean: string[] = [];
        generateFleetLog({ events: 50, devices: 5, seed: log.seed + 1, messy: false }, (c) => clean.push(c));
        const bases = clean
          .join('')
          .split('\n')
          .filter((l) => l !== '');
        const hostile = fc.sample(hostileArb(bases, MAX_LINE_BYTES), { seed: log.seed, numRuns: picks.length });
        const lines: Buffer[] = records.map((r) => Buffer.from(r));
        for (const d of log.duplicates) lines.push(lines[d % records.length]!);
        lines.push(...hostile.map((h) => h.bytes));
        const order = shuffled(lines, log.shuffleSeed);
        const path = join(dir, `hostile-${run++}.ndjson`);
        writeFileSync(path, Buffer.concat(order.flatMap((l) => [l, Buffer.of(0x0a)])));
        const sources = await expandPaths([path]);
        expect(sources[0]?.kind === 'file' && sources[0].size >= MIN_PARALLEL_BYTES).toBe(true);

        const one = await replay(sources, { threads: 1 });
        // Every hostile line got its code.
        for (const code of new Set(hostile.map((h) => h.code).filter((c) => c !== undefined))) {
          const expected = hostile.filter((h) => h.code === code).length;
          const got = one.rejects.filter((r) => r.split(' ')[1] === code).length;
          // The simulator's messy lines hold invalid JSON of their own.
          if (code === 'invalid_json') expect(got, code).toBeGreaterThanOrEqual(expected);
          else expect(got, code).toBe(expected);
        }
        const two = await replay(sources, { threads: 2 });
        expect(two.snapshot).toBe(one.snapshot);
        expect(two.rejects).toEqual(one.rejects);
        const spilled = await replay(sources, { threads: 2, maxRowsInMemory: 97 });
        expect(spilled.snapshot).toBe(one.snapshot);

        const store = new MemoryCheckpointStore();
        const writing = await ReplayCheckpoints.open({ sources, until: undefined, every: 500, out: { store, name: 'cp', label: 'cp' } });
        expect((await replay(sources, { threads: 2, checkpoints: writing })).snapshot).toBe(one.snapshot);
        expect(store.history.length).toBeGreaterThanOrEqual(2);
        for (const bytes of store.history) {
          const from = new MemoryCheckpointStore();
          await from.write('cp', bytes);
          const again = await expandPaths([path]);
          const resumed = await ReplayCheckpoints.open({ sources: again, until: undefined, from: { store: from, name: 'cp', label: 'cp' } });
          expect((await replay(again, { threads: 1, checkpoints: resumed })).snapshot).toBe(one.snapshot);
        }
      }),
      // No shrinking: a failing case is printed with its seed, and each run replays a megabyte six times.
      { numRuns: 4, endOnFailure: true },
    );
  }, 300_000);
});
