import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import type { EventSink } from './EventSink.js';
import { FetchError } from './FetchError.js';

/**
 * Appends events to an NDJSON file, whole lines only: each delivery is one buffer of
 * complete lines written in full before the call returns, so a fetch stopped by a
 * permanent error leaves a valid file. `append` continues a file (resumed runs): a
 * last line left incomplete by a killed process is cut off first (its event was not
 * yet counted in the state, so the next sweep fetches it again).
 *
 * @example
 * const sink = NdjsonFileSink.open('events.ndjson', { append: false, durable: false });
 * await sink.deliver(['{"id":1,…}']);
 */
export class NdjsonFileSink implements EventSink {
  readonly #fd: number;
  readonly #path: string;
  readonly #durable: boolean;
  #lines = 0;
  /** Bytes dropped from an incomplete last line when the file was opened. */
  readonly repairedBytes: number;

  private constructor(fd: number, path: string, durable: boolean, repairedBytes: number) {
    this.#fd = fd;
    this.#path = path;
    this.#durable = durable;
    this.repairedBytes = repairedBytes;
  }

  /** Opens `path` to continue it (`append`) or start it afresh; `durable` fsyncs every delivery. */
  static open(path: string, options: { append: boolean; durable: boolean }): NdjsonFileSink {
    const fd = openSync(path, options.append ? 'a+' : 'w');
    let repaired = 0;
    try {
      if (options.append) repaired = cutIncompleteLine(fd);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    return new NdjsonFileSink(fd, path, options.durable, repaired);
  }

  deliver(lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return Promise.resolve();
    const buffer = Buffer.from(`${lines.join('\n')}\n`, 'utf8');
    let offset = 0;
    try {
      while (offset < buffer.length) offset += writeSync(this.#fd, buffer, offset);
      if (this.#durable) fsyncSync(this.#fd);
    } catch (error) {
      // A short write (disk full) would leave part of a line: cut the file back to whole lines.
      if (offset > 0) ftruncateSync(this.#fd, fstatSync(this.#fd).size - offset);
      return Promise.reject(new FetchError('write_failed', this.#path, (error as Error).message));
    }
    this.#lines += lines.length;
    return Promise.resolve();
  }

  describe(): string {
    return `${this.#lines} written`;
  }

  close(): Promise<void> {
    closeSync(this.#fd);
    return Promise.resolve();
  }
}

/** Truncates the file after its last line break; returns the bytes removed. */
function cutIncompleteLine(fd: number): number {
  const size = fstatSync(fd).size;
  if (size === 0) return 0;
  const chunk = Buffer.alloc(64 * 1024);
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - chunk.length);
    const read = readSync(fd, chunk, 0, end - start, start);
    const at = chunk.subarray(0, read).lastIndexOf(0x0a);
    if (at !== -1) {
      const keep = start + at + 1;
      if (keep < size) ftruncateSync(fd, keep);
      return size - keep;
    }
    end = start;
  }
  ftruncateSync(fd, 0);
  return size;
}
