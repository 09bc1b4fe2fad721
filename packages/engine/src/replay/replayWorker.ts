/**
 * Worker thread entry of a parallel replay: reads byte ranges of NDJSON files and
 * answers each with a `RangeResult` (see RangeIngest.ts). One message in, one out.
 */
import { open } from 'node:fs/promises';
import { parentPort, threadId } from 'node:worker_threads';
import { type EventColumns, StringPool } from '@simfleet/core';
import { NdjsonLines } from '@simfleet/core/columns';
import { tooLongRecord } from '../input/readRecords.js';
import { RangeIngest, type RangeOptions, type SpareBuffers, transferList, type WorkerPool } from './RangeIngest.js';

/** A job: the lines of `path` in bytes [start, end) (start is a line start). */
export interface RangeJob {
  readonly path: string;
  readonly start: number;
  readonly end: number;
  readonly options: RangeOptions;
}

const CHUNK = 1 << 20;

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

/** Decodes one range of a file. */
export async function replayRange(job: RangeJob): Promise<ReturnType<RangeIngest['result']>> {
  const ingest = new RangeIngest(job.options, workerPool());
  // The same splitter, bound and byte-order-mark rule as the main thread's reader.
  const lines = new NdjsonLines({
    atInputStart: job.start === 0,
    maxLineBytes: job.options.maxLineBytes,
    onTooLong: (line, bytes, head) => ingest.defer(tooLongRecord(line, bytes, head, job.options.maxLineBytes)),
  });
  const onLine = (b: Uint8Array, s: number, e: number, line: number): void => ingest.ingestLine(b, s, e, line);
  const handle = await open(job.path, 'r');
  try {
    // One chunk buffer for the whole range: NdjsonLines copies a cut line, and lines are
    // decoded before the next read, so the buffer is free to be overwritten.
    const buffer = Buffer.allocUnsafe(CHUNK);
    for (let pos = job.start; pos < job.end; ) {
      const want = Math.min(CHUNK, job.end - pos);
      const { bytesRead } = await handle.read(buffer, 0, want, pos);
      if (bytesRead === 0) break;
      lines.push(buffer.subarray(0, bytesRead), onLine);
      pos += bytesRead;
    }
  } finally {
    await handle.close();
  }
  lines.end(onLine);
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
  replayRange(job).then(
    (result) => parentPort?.postMessage({ ok: true, result }, transferList(result)),
    (error: unknown) => parentPort?.postMessage({ ok: false, error: error instanceof Error ? error.message : String(error) }),
  );
});
