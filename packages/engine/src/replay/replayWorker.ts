/**
 * Worker thread entry of a parallel replay: given a file's ranges (`RangeRun`), it claims
 * ranges itself (RangeClaims.ts: from the back of the main thread's window), decodes each
 * and answers each with a `RangeResult` (see RangeIngest.ts), then with `done`.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort, threadId } from 'node:worker_threads';
import { type EventColumns, StringPool } from '@simfleet/core';
import type { WasmLineDecoder } from '@simfleet/wasm';
import { RangeClaims, workerClaim } from './RangeClaims.js';
import { RangeIngest, type RangeOptions, type RangeResult, type SpareBuffers, transferList, type WorkerPool } from './RangeIngest.js';
import { WasmLines, wasmDecoderFor } from './WasmLines.js';

/** A job: the lines of `path` in bytes [start, end) (start is a line start). */
export interface RangeJob {
  readonly path: string;
  readonly start: number;
  readonly end: number;
  readonly options: RangeOptions;
}

/** One file of a parallel replay, sent to each worker once (ParallelReplay.ts). */
export interface RangeRun {
  /** Tags the replies (a worker serves one run at a time, the files of a replay in turn). */
  readonly run: number;
  /** This worker's index: its claims are `workerClaim(worker)`. */
  readonly worker: number;
  readonly path: string;
  /** Range k is the bytes [bounds[k], bounds[k + 1]), each starting a line. */
  readonly bounds: readonly number[];
  /** Ranges per window (RangeClaims.ts). */
  readonly windowRanges: number;
  readonly options: RangeOptions;
  /** The `RangeClaims` buffer. */
  readonly claims: SharedArrayBuffer;
}

/** A worker's replies to a `RangeRun`: one per range it claimed, then `done`. */
export type RangeReply =
  | { readonly run: number; readonly range: number; readonly ok: true; readonly result: RangeResult; readonly end: number }
  | { readonly run: number; readonly range: number; readonly ok: false; readonly error: string }
  | { readonly run: number; readonly done: true };

/**
 * Strings a worker's pool may hold before it starts a new one. The pool is append-only
 * (`StringPool.appendOnly()`): the decoder's WebAssembly pool, kept across ranges, already
 * hands it each ICCID, IMSI, … once (until that cache empties), and the main thread's pool
 * dedupes what it adopts, so a lookup here would only cost time. Its bytes are forgotten
 * once a range's result holds them (`forgetThrough`); the cap bounds what is left (a start,
 * 4 B a string) and the main thread's remap for it (4 B a string).
 */
export const MAX_WORKER_POOL_STRINGS = 1 << 20;

/** The cap in use: `SIMFLEET_WORKER_POOL_STRINGS` overrides it (tests use a tiny one). */
const poolCap = Number(process.env['SIMFLEET_WORKER_POOL_STRINGS'] ?? MAX_WORKER_POOL_STRINGS);

let pool = StringPool.appendOnly();
let generation = 0;
/** The columns of the last range, reused by the next one while the pool stays the same. */
let columns: EventColumns | undefined;
/**
 * This worker's WebAssembly decoder (its own instance and memory): kept across ranges while
 * the options stay the same, so a string it interned once is known in every range (until its
 * cache empties, or the worker starts a new pool: then it is retargeted, not made again).
 */
let decoder: { readonly wasm: WasmLineDecoder; readonly key: string } | undefined;
/** Result buffers the main thread sent back (see `SpareBuffers`); at most two of each kept. */
const spare: SpareBuffers = new Map();
const poolId = (): number => threadId * 2 ** 20 + generation;

/**
 * The worker's pool for the next range, its id (unique among the replay's workers and
 * their pools) and, when the cap made it start afresh, the id of the pool it retired.
 */
function workerPool(): WorkerPool {
  if (!(pool.size > poolCap)) return { pool, id: poolId(), columns };
  const retired = poolId();
  pool = StringPool.appendOnly();
  generation++;
  return { pool, id: poolId(), retired };
}

/** The worker's decoder for a range into `columns` with `options` (made again when the options changed). */
function decoderFor(columns: EventColumns, options: RangeOptions): WasmLineDecoder {
  const key = `${options.until}/${options.watchEndpoint}/${options.maxLineBytes}`;
  if (decoder === undefined || decoder.key !== key) decoder = { wasm: wasmDecoderFor(columns, options), key };
  decoder.wasm.retarget(columns.pool);
  return decoder.wasm;
}

/**
 * Decodes one range of a file: read straight into the decoder's WASM memory (no copy), one
 * call per chunk; the same line bound and byte-order-mark rule as the main thread's reader.
 * `cut()` is asked before each chunk: when it says so, the range ends after the last whole
 * line decoded so far (`end` says where; the caller decodes the rest), else at `job.end`.
 */
export function replayRange(job: RangeJob, cut: () => boolean = () => false): { readonly result: RangeResult; readonly end: number } {
  const ingest = new RangeIngest(job.options, workerPool());
  const lines = new WasmLines(ingest.chunkSink(), decoderFor(ingest.columns, job.options), { atInputStart: job.start === 0 });
  const fd = openSync(job.path, 'r');
  let end = job.end;
  try {
    for (let pos = job.start; pos < job.end; ) {
      if (cut() && endsLine(fd, job.start + lines.boundary)) {
        end = job.start + lines.boundary;
        break;
      }
      const space = lines.space();
      const n = readSync(fd, space, 0, Math.min(space.length, job.end - pos), pos);
      if (n === 0) break;
      lines.wrote(n);
      pos += n;
    }
  } finally {
    closeSync(fd);
  }
  // A cut range stops before its partial line (the next reader starts there); a whole one decodes its last line.
  if (end === job.end) lines.end();
  columns = ingest.columns;
  const result = ingest.result(lines.nextLine - 1, spare);
  // The range's new strings were copied into the result: the main thread adopts them, nobody here reads them.
  pool.forgetThrough(pool.size);
  return { result, end };
}

const oneByte = Buffer.alloc(1);

/** Whether file position `at` starts a line (a cut can be made there): 0, or after a `\n`. */
function endsLine(fd: number, at: number): boolean {
  if (at === 0) return true;
  return readSync(fd, oneByte, 0, 1, at - 1) === 1 && oneByte[0] === 0x0a;
}

/** Buffers of a merged result coming back from the main thread, by array name. */
export interface RecycleMessage {
  readonly recycle: readonly { readonly name: string; readonly buffer: ArrayBuffer }[];
}

/**
 * Claims and decodes ranges of `run` until none is left to claim: first the back of the main
 * thread's window, then the back of the next one (so a worker is not idle while the main thread
 * merges); it waits when both are taken. One reply per range, in the order it decoded them
 * (the order their strings must be adopted in), then `done`.
 */
async function runRanges(run: RangeRun): Promise<void> {
  const claims = new RangeClaims(run.claims);
  const ranges = run.bounds.length - 1;
  const per = run.windowRanges;
  const windows = Math.ceil(ranges / per);
  const claim = workerClaim(run.worker);
  const windowEnd = (w: number): number => Math.min(ranges, (w + 1) * per);
  for (;;) {
    if (claims.stopped) break;
    const w = claims.window;
    if (w >= windows) break;
    if (claims.paused) {
      await claims.windowAfter(w, 200);
      continue;
    }
    let k = claims.claimBack(w * per, windowEnd(w), claim);
    if (k < 0 && w + 1 < windows) k = claims.claimBack((w + 1) * per, windowEnd(w + 1), claim);
    if (k < 0) {
      if (w + 1 >= windows) break;
      await claims.windowAfter(w, 200);
      continue;
    }
    const job: RangeJob = { path: run.path, start: run.bounds[k] as number, end: run.bounds[k + 1] as number, options: run.options };
    let decoded: ReturnType<typeof replayRange>;
    claims.addBusy(1);
    try {
      decoded = replayRange(job, () => claims.cutRequested(k));
    } catch (error) {
      const reply: RangeReply = { run: run.run, range: k, ok: false, error: error instanceof Error ? error.message : String(error) };
      parentPort?.postMessage(reply);
      break;
    } finally {
      claims.addBusy(-1);
    }
    const reply: RangeReply = { run: run.run, range: k, ok: true, result: decoded.result, end: decoded.end };
    parentPort?.postMessage(reply, transferList(decoded.result));
    // Let the buffers the main thread sent back in before the next range (its results reuse them).
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  const done: RangeReply = { run: run.run, done: true };
  parentPort?.postMessage(done);
}

parentPort?.on('message', (message: RangeRun | RecycleMessage) => {
  if ('recycle' in message) {
    for (const { name, buffer } of message.recycle) {
      const list = spare.get(name) ?? [];
      if (list.length < 2) list.push(buffer);
      spare.set(name, list);
    }
    return;
  }
  void runRanges(message);
});
