/**
 * Uses every core for a big NDJSON file: the file is cut into byte ranges at newlines, the
 * main thread and worker threads claim the ranges as they go (RangeClaims.ts: the main thread
 * from the front of a window, workers from its back) and decode them (replayWorker.ts), and the
 * main thread merges the workers' results in range order (ReplaySession.mergeRange), so the
 * outcome — rows, counts, rejects and their order — is the one a single thread produces.
 *
 * Why claims and not a fixed share per thread: a worker's range costs the main thread its
 * merge, and a worker on a busy machine may get no core for a while; with a fixed share the
 * main thread then waits for it, and two threads are slower than one. Here the main thread
 * never waits for a range nobody started: it decodes whatever no worker claimed, so a worker
 * only ever takes work off it. And workers pause while they do not pay (WorkerPay.ts: the
 * process does not get a core per thread), so that on a busy machine the replay costs about
 * what one thread costs.
 */
import { open } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { firstNonBlank, isGzipMagic } from '@simfleet/core/columns';
import { readPlainNdjson } from './plainNdjson.js';
import { MAIN_CLAIM, RangeClaims, workerClaim } from './RangeClaims.js';
import { type RangeOptions, type RangeResult, resultBuffers } from './RangeIngest.js';
import type { ReplaySession } from './ReplaySession.js';
import type { RangeReply, RangeRun, RecycleMessage } from './replayWorker.js';
import { WorkerPay } from './WorkerPay.js';

/** Files smaller than this are read by the main thread alone (workers cost ~50 ms to start). */
export const MIN_PARALLEL_BYTES = 1 << 20;

/**
 * Bytes of the file per window of ranges by default (`rangeBytes`, ~220k emnify records, ~15 MB
 * of rows): a worker holds the rows of at most two windows the main thread has not merged.
 */
export const MAX_RANGE_BYTES = 256 * 2 ** 20;

/**
 * Largest range one thread decodes at a time. Small enough that the main thread, reaching the
 * ranges workers hold, waits little for the one they are still decoding; large enough that a
 * range's fixed costs (a message, a merge) are small beside its decoding.
 */
export const JOB_BYTES = 16 * 2 ** 20;

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

/** Ranges (jobs) and windows for a file of `size` bytes shared by `participants` threads. */
export function planJobs(size: number, participants: number, rangeBytes: number): { readonly parts: number; readonly windowRanges: number } {
  // At least two ranges per participant, so that a small file is shared too.
  const jobBytes = Math.max(1, Math.min(rangeBytes, JOB_BYTES, Math.ceil(size / (2 * participants))));
  const parts = Math.max(1, Math.ceil(size / jobBytes));
  // A window holds `rangeBytes` of the file (at least two ranges per participant).
  const windowRanges = Math.max(2 * participants, Math.floor(rangeBytes / jobBytes));
  return { parts, windowRanges };
}

/** A worker's result for a range, and the byte it stopped at (the range's end unless it was cut). */
interface Decoded {
  readonly result: RangeResult;
  readonly end: number;
}

/** Where one run's results wait for the main thread. */
class RunResults {
  readonly #waiting = new Map<number, { resolve: (r: Decoded) => void; reject: (e: Error) => void }>();
  readonly #arrived = new Map<number, Decoded>();
  /** Per worker, the ranges of its results in the order it sent them, not yet adopted. */
  readonly #order: number[][];
  readonly #remaps = new Map<number, Uint32Array>();
  #failure: Error | undefined;
  readonly #done = new Set<number>();
  readonly #workers: number;
  #allDone: (() => void) | undefined;
  readonly allDone: Promise<void>;

  constructor(workers: number) {
    this.#workers = workers;
    this.#order = Array.from({ length: workers }, () => []);
    this.allDone = new Promise((resolve) => (this.#allDone = resolve));
  }

  reply(worker: number, reply: RangeReply): void {
    if ('done' in reply) {
      this.#workerDone(worker);
      return;
    }
    if (!reply.ok) {
      this.fail(new Error(reply.error));
      return;
    }
    const decoded = { result: reply.result, end: reply.end };
    this.#order[worker]?.push(reply.range);
    this.#arrived.set(reply.range, decoded);
    this.#waiting.get(reply.range)?.resolve(decoded);
    this.#waiting.delete(reply.range);
  }

  #workerDone(worker: number): void {
    this.#done.add(worker);
    if (this.#done.size === this.#workers) this.#allDone?.();
  }

  /** A worker failed or exited: every range still awaited fails with `error`. */
  fail(error: Error, worker?: number): void {
    this.#failure ??= error;
    for (const w of this.#waiting.values()) w.reject(error);
    this.#waiting.clear();
    if (worker !== undefined) this.#workerDone(worker);
  }

  /** Whether range `k`'s result arrived. */
  has(k: number): boolean {
    return this.#arrived.has(k);
  }

  /** Range `k`'s result (worker-decoded) and where the worker stopped, when it arrives. */
  result(k: number): Promise<Decoded> {
    const known = this.#arrived.get(k);
    if (known !== undefined) return Promise.resolve(known);
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => this.#waiting.set(k, { resolve, reject }));
  }

  /**
   * The remap of range `k` (decoded by `worker`): that worker's results are adopted in the
   * order it made them, up to `k`, whatever the order their rows merge in.
   */
  remap(k: number, worker: number, adopt: (result: RangeResult) => Uint32Array): Uint32Array {
    const order = this.#order[worker] as number[];
    while (!this.#remaps.has(k)) {
      const j = order.shift();
      if (j === undefined) throw new Error(`range ${k} was not decoded by worker ${worker}`);
      this.#remaps.set(j, adopt((this.#arrived.get(j) as Decoded).result));
    }
    const remap = this.#remaps.get(k) as Uint32Array;
    this.#remaps.delete(k);
    this.#arrived.delete(k);
    return remap;
  }
}

/** A fixed set of worker threads claiming and decoding the ranges of a file. */
export class ReplayWorkers {
  readonly #workers: Worker[] = [];
  readonly #size: number;
  #runs = 0;
  #current: { readonly id: number; readonly results: RunResults } | undefined;

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
      w.on('message', (reply: RangeReply) => {
        const run = this.#current;
        if (run !== undefined && reply.run === run.id) run.results.reply(i, reply);
      });
      w.on('error', (error: Error) => this.#current?.results.fail(error, i));
      w.on('exit', (code) => this.#current?.results.fail(new Error(`a replay worker thread exited (code ${code})`), i));
      this.#workers[i] = w;
    }
    return w;
  }

  /** Starts the worker threads now (they load and compile while the caller prepares the replay). */
  warm(): void {
    for (let i = 0; i < this.#size; i++) this.#worker(i);
  }

  /** Starts every worker on one file's ranges; their results gather in the returned `RunResults`. */
  start(run: Omit<RangeRun, 'run' | 'worker'>): RunResults {
    const id = ++this.#runs;
    const results = new RunResults(this.#size);
    this.#current = { id, results };
    for (let i = 0; i < this.#size; i++) {
      const message: RangeRun = { ...run, run: id, worker: i };
      this.#worker(i).postMessage(message);
    }
    return results;
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
    this.#current = undefined;
    const workers = this.#workers.splice(0);
    for (const w of workers) w.removeAllListeners('exit');
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/**
 * Replays one NDJSON file with the main thread and the workers; false when the file is not
 * splittable (the caller reads it sequentially). The file is cut into ranges at newlines,
 * grouped in windows; in each window the main thread decodes ranges from the front straight
 * into the session (no copy, no remap) while the workers claim ranges from the back, then it
 * merges the workers' results (RangeClaims.ts), all in file order: rows, counts, rejects and
 * their order are those of a single thread. `afterMerge(lines)` runs (and is awaited) after
 * each range, with the number of the file's leading lines the session now holds (a resumable
 * position: periodic checkpoints).
 *
 * @example
 * const workers = new ReplayWorkers(1);
 * await replayFileInParallel(session, workers, 'big.ndjson', size, {}, MAX_RANGE_BYTES, () => {});
 * await workers.close();
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
  const participants = workers.size + 1;
  const { parts, windowRanges } = planJobs(size, participants, rangeBytes);
  const bounds = await planRanges(path, size, parts);
  if (bounds === undefined || bounds.length < 3) return false;
  const ranges = bounds.length - 1;
  const windows = Math.ceil(ranges / windowRanges);
  const claims = RangeClaims.create(ranges);
  const pay = new WorkerPay();
  const results = workers.start({ path, bounds, windowRanges, options, claims: claims.buffer });
  const handle = await open(path, 'r');
  let firstLine = 1;
  try {
    let k = 0;
    for (let w = 0; w < windows; w++) {
      claims.enterWindow(w);
      const end = Math.min(ranges, (w + 1) * windowRanges);
      for (; k < end; k++) {
        const start = bounds[k] as number;
        const stop = bounds[k + 1] as number;
        // Where the main thread decodes from (a worker's cut range: where the worker stopped), if at all.
        let from = start;
        if (!claims.claimFront(k)) {
          const owner = claims.owner(k);
          if (owner === MAIN_CLAIM || owner === 0) throw new Error(`range ${k} has no worker`);
          const worker = owner - workerClaim(0);
          // Still being decoded: the worker stops after its current line, the main thread reads on from there.
          if (!results.has(k)) claims.requestCut(k);
          const { result, end: cutAt } = await results.result(k);
          session.mergeRange(
            result,
            path,
            firstLine,
            results.remap(k, worker, (r) => session.adoptWorkerStrings(r.strings)),
          );
          workers.recycle(worker, result);
          firstLine += result.lines;
          onProgress(result.records + result.deferred.length, cutAt - start);
          from = cutAt;
        }
        if (from < stop) {
          const here = session.wasmLines(path, { firstLine, atInputStart: from === 0, maxLineBytes: options.maxLineBytes });
          pay.begin(claims.busy);
          await readPlainNdjson(handle, here, () => undefined, from, stop);
          pay.end(claims.busy);
          claims.pause(pay.pauseAfterRange());
          const lines = here.nextLine - firstLine;
          firstLine += lines;
          // Room for the rows the rest of the file holds at this range's rate (most of them merge here).
          if (k === 0) session.expectRows(((size - stop) * lines) / Math.max(1, stop));
          // Progress in increments: this range's records and bytes.
          onProgress(lines, stop - from);
        }
        if (afterMerge !== undefined) await afterMerge(firstLine - 1);
      }
    }
    claims.enterWindow(windows);
    await results.allDone;
  } catch (error) {
    claims.stop();
    throw error;
  } finally {
    await handle.close();
  }
  return true;
}
