/**
 * Worker thread entry of a parallel replay: reads byte ranges of NDJSON files and
 * answers each with a `RangeResult` (see RangeIngest.ts). One message in, one out.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort, threadId } from 'node:worker_threads';
import { type EventColumns, StringPool } from '@simfleet/core';
import type { WasmLineDecoder } from '@simfleet/wasm';
import { RangeIngest, type RangeOptions, type SpareBuffers, transferList, type WorkerPool } from './RangeIngest.js';
import { WasmLines, wasmDecoderFor } from './WasmLines.js';

/** A job: the lines of `path` in bytes [start, end) (start is a line start). */
export interface RangeJob {
  readonly path: string;
  readonly start: number;
  readonly end: number;
  readonly options: RangeOptions;
}

/**
 * Strings a worker's pool may hold before it starts a new one. A pool kept across
 * ranges interns each ICCID, IMSI, … once per worker instead of once per range (and
 * sends it to the main thread once); the cap bounds its memory (~40 B a string) on
 * fleets of millions of devices, where few strings repeat within a worker anyway.
 */
export const MAX_WORKER_POOL_STRINGS = 1 << 20;

/** The cap in use: `SIMFLEET_WORKER_POOL_STRINGS` overrides it (tests use a tiny one). */
const poolCap = Number(process.env['SIMFLEET_WORKER_POOL_STRINGS'] ?? MAX_WORKER_POOL_STRINGS);

let pool = new StringPool();
let generation = 0;
/** The columns of the last range, reused by the next one while the pool stays the same. */
let columns: EventColumns | undefined;
/**
 * This worker's WebAssembly decoder (its own instance and memory): kept across ranges while
 * the pool and the options stay the same, so a string it interned once is known in every range.
 */
let decoder: { readonly wasm: WasmLineDecoder; readonly pool: StringPool; readonly key: string } | undefined;
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
  pool = new StringPool();
  generation++;
  return { pool, id: poolId(), retired };
}

/** The worker's decoder for a range into `columns` with `options` (made again when either changed). */
function decoderFor(columns: EventColumns, options: RangeOptions): WasmLineDecoder {
  const key = `${options.until}/${options.watchEndpoint}/${options.maxLineBytes}`;
  if (decoder === undefined || decoder.pool !== columns.pool || decoder.key !== key) {
    decoder = { wasm: wasmDecoderFor(columns, options), pool: columns.pool, key };
  }
  return decoder.wasm;
}

/**
 * Decodes one range of a file: read straight into the decoder's WASM memory (no copy), one
 * call per chunk; the same line bound and byte-order-mark rule as the main thread's reader.
 */
export function replayRange(job: RangeJob): ReturnType<RangeIngest['result']> {
  const ingest = new RangeIngest(job.options, workerPool());
  const lines = new WasmLines(ingest.chunkSink(), decoderFor(ingest.columns, job.options), { atInputStart: job.start === 0 });
  const fd = openSync(job.path, 'r');
  try {
    for (let pos = job.start; pos < job.end; ) {
      const space = lines.space();
      const n = readSync(fd, space, 0, Math.min(space.length, job.end - pos), pos);
      if (n === 0) break;
      lines.wrote(n);
      pos += n;
    }
  } finally {
    closeSync(fd);
  }
  lines.end();
  columns = ingest.columns;
  return ingest.result(lines.nextLine - 1, spare);
}

/** Buffers of a merged result coming back from the main thread, by array name. */
export interface RecycleMessage {
  readonly recycle: readonly { readonly name: string; readonly buffer: ArrayBuffer }[];
}

parentPort?.on('message', (message: RangeJob | RecycleMessage) => {
  if ('recycle' in message) {
    for (const { name, buffer } of message.recycle) {
      const list = spare.get(name) ?? [];
      if (list.length < 2) list.push(buffer);
      spare.set(name, list);
    }
    return;
  }
  const job = message;
  let result: ReturnType<RangeIngest['result']>;
  try {
    result = replayRange(job);
  } catch (error) {
    parentPort?.postMessage({ ok: false, error: error instanceof Error ? error.message : String(error) });
    return;
  }
  parentPort?.postMessage({ ok: true, result }, transferList(result));
});
