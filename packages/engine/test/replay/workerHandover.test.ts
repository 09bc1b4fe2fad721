/**
 * The handover of a parallel replay: workers claim ranges from the back of each window and
 * send their strings as deltas of pools they keep (and retire at a cap) across ranges; the
 * main thread adopts each worker's deltas in the order that worker made them, and merges the
 * rows in file order. On messy logs with duplicates, for any range size, 2 or 3 threads and
 * any pool cap, the snapshot, the rejects (their order and line numbers) and the accounting
 * are those of one thread.
 *
 * Worker threads start from the built files, so this test drives the BUILT modules (dist/).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateFleetLog } from '@simfleet/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shuffled, tempDir } from '../support.js';

const built = async <T>(path: string): Promise<T> => (await import(new URL(`../../dist/${path}`, import.meta.url).href)) as T;
const { expandPaths } = await built<typeof import('../../src/input/expandPaths.js')>('input/expandPaths.js');
const { MIN_PARALLEL_BYTES } = await built<typeof import('../../src/replay/ParallelReplay.js')>('replay/ParallelReplay.js');
const { replaySources, accountingLine } = await built<typeof import('../../src/replay/replaySources.js')>('replay/replaySources.js');
const { ReplaySession } = await built<typeof import('../../src/replay/ReplaySession.js')>('replay/ReplaySession.js');
const { snapshotChunks } = await built<typeof import('../../src/snapshot/snapshot.js')>('snapshot/snapshot.js');

type InputSource = Awaited<ReturnType<typeof expandPaths>>[number];
type WorkerModule = typeof import('../../src/replay/replayWorker.js');

/** A fresh copy of the worker module (its pool and decoder start empty), to run a range in this thread. */
let copies = 0;
const workerModule = async (): Promise<WorkerModule> => built<WorkerModule>(`replay/replayWorker.js?copy=${copies++}`);

/** A messy log with duplicates and broken lines, as one NDJSON file. */
function writeLog(path: string, seed: number, shuffleSeed: number, duplicates: readonly number[], broken: readonly number[]): void {
  const chunks: string[] = [];
  generateFleetLog({ events: 2600, devices: 80, seed, messy: true }, (chunk) => chunks.push(chunk));
  const lines = chunks
    .join('')
    .split('\n')
    .filter((l) => l !== '');
  for (const d of duplicates) lines.push(lines[d % lines.length] as string);
  // Lines every thread must reject, with their line numbers, wherever the shuffle puts them.
  for (const d of broken) lines.push((lines[d % lines.length] as string).slice(0, 1 + (d % 200)));
  writeFileSync(path, `${shuffled(lines, shuffleSeed).join('\n')}\n`);
}

async function replay(sources: InputSource[], threads: number, rangeBytes?: number): Promise<{ snapshot: string; rejects: string[]; account: string }> {
  const rejects: string[] = [];
  const { session, account } = await replaySources(sources, {
    threads,
    ...(rangeBytes === undefined ? {} : { rangeBytes }),
    onReject: (r) => rejects.push(`${r.line} ${r.code} ${r.reason}`),
  });
  return { snapshot: Buffer.concat([...snapshotChunks(session.fleet, account)]).toString('utf8'), rejects, account: accountingLine(account) };
}

describe('the worker handover', () => {
  it('gives the one-thread bytes, rejects and accounting for any range size, thread count and worker pool cap', async () => {
    const dir = tempDir();
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          seed: fc.integer({ min: 1, max: 1_000_000 }),
          shuffleSeed: fc.nat(),
          duplicates: fc.array(fc.nat(), { maxLength: 40 }),
          broken: fc.array(fc.nat(), { minLength: 1, maxLength: 12 }),
          rangeBytes: fc.integer({ min: 1 << 14, max: 1 << 19 }),
          threads: fc.constantFrom(2, 3),
          // Strings a worker's pool holds before it is retired (the default: never, here).
          poolCap: fc.option(fc.integer({ min: 1, max: 400 }), { nil: undefined }),
        }),
        async (c) => {
          const path = join(dir, `log-${run++}.ndjson`);
          writeLog(path, c.seed, c.shuffleSeed, c.duplicates, c.broken);
          const sources = await expandPaths([path]);
          expect(sources[0]?.kind === 'file' && sources[0].size >= MIN_PARALLEL_BYTES).toBe(true);

          const one = await replay(sources, 1);
          expect(one.rejects.length).toBeGreaterThan(0);
          if (c.poolCap === undefined) delete process.env['SIMFLEET_WORKER_POOL_STRINGS'];
          else process.env['SIMFLEET_WORKER_POOL_STRINGS'] = String(c.poolCap);
          try {
            const many = await replay(sources, c.threads, c.rangeBytes);
            expect(many.account).toBe(one.account);
            expect(many.rejects).toEqual(one.rejects);
            expect(many.snapshot).toBe(one.snapshot);
          } finally {
            delete process.env['SIMFLEET_WORKER_POOL_STRINGS'];
          }
        },
      ),
      // Each run replays a few megabytes twice and starts worker threads: few runs, no shrinking.
      { numRuns: 8, endOnFailure: true },
    );
  }, 300_000);

  it('cut short by the main thread: the lines before the cut and the rest read on from it give the one-thread bytes', async () => {
    const dir = tempDir();
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.nat(),
        fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: 4 }),
        async (seed, shuffleSeed, broken, chunksBeforeCut) => {
          const path = join(dir, `cut-${run++}.ndjson`);
          writeLog(path, seed, shuffleSeed, [], broken);
          const bytes = readFileSync(path);
          const one = await replay(await expandPaths([path]), 1);

          const { replayRange } = await workerModule();
          let asked = 0;
          // The worker is asked before each chunk (1 MiB): cut after `chunksBeforeCut` of them.
          const { result, end } = replayRange({ path, start: 0, end: bytes.length, options: {} }, () => asked++ >= chunksBeforeCut);
          expect(end).toBeLessThanOrEqual(bytes.length);
          if (chunksBeforeCut < 3) expect(end).toBeLessThan(bytes.length);
          // A cut falls at a line start, after exactly the lines the worker decoded.
          if (end > 0) expect(bytes[end - 1]).toBe(0x0a);
          let newlines = 0;
          for (let i = 0; i < end; i++) if (bytes[i] === 0x0a) newlines++;
          expect(result.lines).toBe(newlines);

          const rejects: string[] = [];
          const session = new ReplaySession({ onReject: (r) => rejects.push(`${r.line} ${r.code} ${r.reason}`) });
          session.mergeRange(result, path, 1);
          const rest = session.wasmLines(path, { firstLine: 1 + result.lines, atInputStart: end === 0 });
          rest.push(bytes.subarray(end));
          rest.end();
          const account = session.finish();
          expect(accountingLine(account)).toBe(one.account);
          expect(rejects).toEqual(one.rejects);
          expect(Buffer.concat([...snapshotChunks(session.fleet, account)]).toString('utf8')).toBe(one.snapshot);
        },
      ),
      { numRuns: 10, endOnFailure: true },
    );
  }, 300_000);
});
