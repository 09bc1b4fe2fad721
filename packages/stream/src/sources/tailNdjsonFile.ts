import { type FileHandle, open, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { Observable } from 'rxjs';
import { DEFAULT_MAX_LINE_LENGTH, LineSplitter } from '../internal/LineSplitter.js';

export interface TailNdjsonFileOptions {
  /** Keep watching for appended lines after reaching the end (default `true`). */
  readonly follow?: boolean;
  /** Start at the current end of the file instead of its beginning (default `false`). */
  readonly fromEnd?: boolean;
  /** How often to look for growth once at the end, in ms (default 200). */
  readonly pollInterval?: number;
  /** Longest accepted line, in bytes (default 8 MiB); longer is a `SourceError`. */
  readonly maxLineLength?: number;
  /** Read size in bytes (default 64 KiB). */
  readonly chunkSize?: number;
}

/**
 * The lines of an NDJSON file that keeps growing (`tail -F`): reads to the end, then
 * polls for appended bytes. A line is emitted only once its `\n` has been written, so a
 * record caught half-written is never seen truncated. A file that shrinks (truncated)
 * is read again from its start; a file replaced under the same name (log rotation) is
 * reopened. With `follow: false` it completes at the end of the file, the last line
 * emitted even without a trailing newline.
 *
 * Backpressure: the next chunk is read only after the previous chunk's lines were
 * pushed downstream, so memory holds one chunk and one unfinished line.
 *
 * @example
 * tailNdjsonFile('/var/log/emnify/events.ndjson').pipe(decodeEvents({ rejects }), …)
 */
export function tailNdjsonFile(path: string, options: TailNdjsonFileOptions = {}): Observable<string> {
  const follow = options.follow ?? true;
  const pollInterval = options.pollInterval ?? 200;
  const chunkSize = options.chunkSize ?? 64 * 1024;
  const maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  return new Observable<string>((subscriber) => {
    const abort = new AbortController();
    const { signal } = abort;
    const run = async (): Promise<void> => {
      let handle: FileHandle = await open(path, 'r');
      try {
        const buffer = Buffer.allocUnsafe(chunkSize);
        const splitter = new LineSplitter(maxLineLength);
        const emit = (line: string): void => subscriber.next(line);
        let position = options.fromEnd === true ? (await handle.stat()).size : 0;
        while (!signal.aborted) {
          const { bytesRead } = await handle.read(buffer, 0, chunkSize, position);
          if (signal.aborted) return;
          if (bytesRead > 0) {
            position += bytesRead;
            splitter.push(buffer.subarray(0, bytesRead), emit);
            continue;
          }
          if (!follow) {
            splitter.end(emit);
            subscriber.complete();
            return;
          }
          const [onDisk, opened] = await Promise.all([stat(path).catch(() => undefined), handle.stat()]);
          if (onDisk !== undefined && (onDisk.ino !== opened.ino || onDisk.dev !== opened.dev)) {
            // Rotated: the old file is read to its end; continue with the new one.
            await handle.close();
            handle = await open(path, 'r');
            position = 0;
            splitter.reset();
            continue;
          }
          if (opened.size < position) {
            position = 0;
            splitter.reset();
            continue;
          }
          await sleep(pollInterval, undefined, { signal });
        }
      } finally {
        await handle.close().catch(() => undefined);
      }
    };
    run().catch((err: unknown) => {
      if (!signal.aborted) subscriber.error(err);
    });
    return () => abort.abort();
  });
}
