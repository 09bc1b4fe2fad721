/**
 * Uses every core for a big NDJSON file: the file is cut into byte ranges at newlines, the
 * main thread and worker threads decode the ranges (replayWorker.ts), and the main thread
 * merges the workers' results in range order (ReplaySession.mergeRange), so the outcome —
 * rows, counts, rejects and their order — is the one a single thread produces.
 */
import { open } from 'node:fs/promises';
import { firstNonBlank, isGzipMagic } from '@simfleet/core/columns';
import { Worker } from 'node:worker_threads';
import { type RangeOptions, type RangeResult, resultBuffers } from './RangeIngest.js';
import type { ReplaySession } from './ReplaySession.js';
import type { RangeJob, RecycleMessage } from './replayWorker.js';
import { readPlainNdjson } from './plainNdjson.js';

/** Files smaller than this are read by the main thread alone (workers cost ~50 ms to start). */
export const MIN_PARALLEL_BYTES = 1 << 20;

/** Largest byte range one worker decodes at a time (~220k emnify records, ~15 MB of rows). */
export const MAX_RANGE_BYTES = 256 * 2 ** 20;

const HEAD = 1 << 16;

/**
 * Range boundaries `[b0 = 0, b1, …, bn = size]` for `parts` workers, each after a
 * `\n`; `undefined` when the file must be read sequentially (gzip, a JSON array, or
 * nothing but blanks in its first 64 KiB).
 */
export async function planRanges(path: string, size: number, parts: number): Promise<number[] | undefined> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(Math.min(HEAD, size));
    await handle.read(head, 0, head.length, 0);
    if (isGzipMagic(head)) return undefined;
    const first = firstNonBlank(head, 0, true);
    if (first === -1 || first === 0x5b) return undefined;
    const bounds = [0];
    const probe = Buffer.alloc(HEAD);
    for (let k = 1; k < parts; k++) {
      let pos = Math.max(Math.floor((size * k) / parts), bounds[bounds.length - 1] as number);
      let cut = -1;
      while (pos < size) {
        const { bytesRead } = await handle.read(probe, 0, HEAD, pos);
        if (bytesRead === 0) break;
        const nl = probe.subarray(0, bytesRead).indexOf(0x0a);
        if (nl !== -1) {
          cut = pos + nl + 1;
          break;
        }
        pos += bytesRead;
      }
      if (cut === -1 || cut >= size) break;
      if (cut > (bounds[bounds.length - 1] as number)) bounds.push(cut);
    }
    bounds.push(size);
    return bounds;
  } finally {
    await handle.close();
  }
}

/** A fixed set of worker threads running range jobs. */
export class ReplayWorkers {
  readonly #workers: Worker[] = [];
  readonly #size: number;

  constructor(size: number) {
    this.#size = size;
  }

  get size(): number {
    return this.#size;
  }

  #worker(i: number): Worker {
    let w = this.#workers[i];
    if (w === undefined) {
      w = new Worker(new URL('./replayWorker.js', import.meta.url));
      this.#workers[i] = w;
    }
    return w;
  }

  run(i: number, job: RangeJob): Promise<RangeResult> {
    const w = this.#worker(i);
    return new Promise((resolve, reject) => {
      const onMessage = (m: { ok: true; result: RangeResult } | { ok: false; error: string }): void => {
        w.off('error', onError);
        if (m.ok) resolve(m.result);
        else reject(new Error(m.error));
      };
      const onError = (e: Error): void => {
        w.off('message', onMessage);
        reject(e);
      };
      w.once('message', onMessage);
      w.once('error', onError);
      w.postMessage(job);
    });
  }

  /** Sends a merged result's buffers back to the worker that made it, for its next results. */
  recycle(i: number, result: RangeResult): void {
    const w = this.#workers[i];
    if (w === undefined) return;
    const recycle = resultBuffers(result);
    const message: RecycleMessage = { recycle };
    w.postMessage(
      message,
      recycle.map((b) => b.buffer),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()));
    this.#workers.length = 0;
  }
}

/** What the main thread needs to decode its own ranges of a file. */
export interface MainRanges {
  /** Longest line in bytes (the replay's `--max-line-bytes`). */
  readonly maxLineBytes?: number | undefined;
}

/**
 * Replays one NDJSON file with the main thread and the workers; false when the file is not
 * splittable (the caller reads it sequentially). The file is cut into ranges at newlines;
 * range k goes to participant k mod (workers + 1), participant 0 being the main thread,
 * which decodes its ranges straight into the session (no copy, no remap) while the workers
 * decode theirs, and merges the workers' results, all in file order: rows, counts, rejects
 * and their order are those of a single thread. `afterMerge(lines)` runs (and is awaited)
 * after each range, with the number of the file's leading lines the session now holds (a
 * resumable position: periodic checkpoints).
 */
export async function replayFileInParallel(
  session: ReplaySession,
  workers: ReplayWorkers,
  path: string,
  size: number,
  options: RangeOptions,
  rangeBytes: number,
  onProgress: (records: number, bytes: number) => void,
  afterMerge?: (lines: number) => Promise<void>,
): Promise<boolean> {
  // Ranges of at most `rangeBytes` (MAX_RANGE_BYTES by default), so that memory stays bounded by the row budget
  // (a worker holds a whole range's rows until it is merged), not by the file size. A multiple of the participants,
  // so that none is left with one more range than the others at the end.
  const w = workers.size;
  const participants = w + 1;
  const parts = Math.ceil(Math.max(1, size / rangeBytes) / participants) * participants;
  const bounds = await planRanges(path, size, parts);
  if (bounds === undefined || bounds.length < 3) return false;
  const ranges = bounds.length - 1;
  const ownerOf = (k: number): number => k % participants;
  // Each worker decodes its ranges in turn, at most two ahead of the merge: ranges merge in
  // file order, so memory stays bounded by two ranges of rows per worker.
  type Resolve = (result: RangeResult | PromiseLike<RangeResult>) => void;
  const handOver: Resolve[] = [];
  // Each slot is cleared once merged: a settled promise keeps its result (all of a range's rows) alive.
  const jobs: (Promise<RangeResult> | undefined)[] = Array.from({ length: ranges }, (_, k) =>
    ownerOf(k) === 0 ? undefined : new Promise<RangeResult>((resolve) => (handOver[k] = resolve)),
  );
  // A failure surfaces when its range is merged; keep it from being reported unhandled before.
  for (const job of jobs) job?.catch(() => undefined);
  let merged = 0;
  const wake: (() => void)[] = [];
  const runWorker = async (i: number): Promise<void> => {
    for (let k = i + 1; k < ranges; k += participants) {
      while (k - merged >= 2 * participants) await new Promise<void>((resolve) => wake.push(resolve));
      const job: RangeJob = { path, start: bounds[k] as number, end: bounds[k + 1] as number, options };
      const result = workers.run(i, job);
      (handOver[k] as Resolve)(result);
      await result.catch(() => undefined);
    }
  };
  const running = Array.from({ length: w }, (_, i) => runWorker(i));
  const handle = await open(path, 'r');
  let firstLine = 1;
  try {
    for (let k = 0; k < ranges; k++) {
      const start = bounds[k] as number;
      const end = bounds[k + 1] as number;
      let lines: number;
      let records: number;
      if (ownerOf(k) === 0) {
        const here = session.wasmLines(path, { firstLine, atInputStart: start === 0, maxLineBytes: options.maxLineBytes });
        await readPlainNdjson(handle, here, () => undefined, start, end);
        lines = here.nextLine - firstLine;
        records = lines;
      } else {
        const result = await (jobs[k] as Promise<RangeResult>);
        jobs[k] = undefined;
        session.mergeRange(result, path, firstLine);
        workers.recycle(ownerOf(k) - 1, result);
        lines = result.lines;
        records = result.records + result.deferred.length;
      }
      merged = k + 1;
      for (const resolve of wake.splice(0)) resolve();
      firstLine += lines;
      // Progress in increments: this range's records and bytes.
      onProgress(records, end - start);
      if (afterMerge !== undefined) await afterMerge(firstLine - 1);
    }
  } finally {
    await handle.close();
  }
  await Promise.all(running);
  return true;
}
