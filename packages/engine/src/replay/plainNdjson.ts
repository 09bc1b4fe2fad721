/**
 * A plain NDJSON file (not gzip, not a JSON array) read straight into the WebAssembly
 * decoder's memory: no buffer is allocated per chunk and no byte is copied in JavaScript.
 * A stream of 1 MiB `Buffer`s is external memory V8 counts, and it answered with a full
 * collection every few chunks; this route makes no garbage per chunk.
 */
import { readSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { firstNonBlank, isGzipMagic } from '@simfleet/core/columns';
import type { WasmLines } from './WasmLines.js';

/** Bytes read to decide the format (the rule of `planRanges` for parallel replays). */
const HEAD = 1 << 16;

/**
 * The file opened for reading when its first 64 KiB say plain NDJSON; `undefined` when it is
 * gzip, a JSON array or blank there (the stream route reads those).
 *
 * @example
 * const handle = await openPlainNdjson('log.ndjson');
 * if (handle !== undefined) await readPlainNdjson(handle, session.wasmLines('log.ndjson', { atInputStart: true }), () => {});
 */
export async function openPlainNdjson(path: string): Promise<FileHandle | undefined> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(HEAD);
    const { bytesRead } = await handle.read(head, 0, HEAD, 0);
    const bytes = head.subarray(0, bytesRead);
    const first = firstNonBlank(bytes, 0, true);
    if (isGzipMagic(bytes) || first === -1 || first === 0x5b) {
      await handle.close();
      return undefined;
    }
    return handle;
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/**
 * Reads the file's bytes [start, end) (default: all of it) into `lines` (the decoder's
 * memory), one read and one decoder call per chunk, then ends the input; `onChunk(n)` after
 * each read (progress, checkpoints), awaited when it returns a promise. The handle stays open
 * (the caller closes it).
 *
 * Reads are synchronous: a read from the page cache takes less time than the hop to libuv's
 * thread pool and back that an asynchronous one costs, and the decoder waits for it either way
 * (there is one buffer: WASM memory). On a busy machine the hop also waits for a core.
 */
export async function readPlainNdjson(
  handle: FileHandle,
  lines: WasmLines,
  onChunk: (bytes: number) => Promise<void> | void,
  start = 0,
  end = Number.POSITIVE_INFINITY,
): Promise<void> {
  let position = start;
  while (position < end) {
    // Asked again each time: the decoder's memory may have grown (a new buffer).
    const space = lines.space();
    const bytesRead = readSync(handle.fd, space, 0, Math.min(space.length, end - position), position);
    if (bytesRead === 0) break;
    position += bytesRead;
    lines.wrote(bytesRead);
    const pending = onChunk(bytesRead);
    if (pending !== undefined) await pending;
  }
  lines.end();
}
