import type { Readable } from 'node:stream';
import { Observable } from 'rxjs';
import { DEFAULT_MAX_LINE_LENGTH, LineSplitter } from '../internal/LineSplitter.js';
import { fromAsyncIterable } from './fromAsyncIterable.js';

export interface FromReadableOptions {
  /** Longest accepted line, in bytes (default 8 MiB); longer is a `SourceError`. */
  readonly maxLineLength?: number;
}

/**
 * The lines of an NDJSON byte stream (a file, stdin, an HTTP body), every line including
 * blank ones, without the line break, so `decodeEvents` numbers them like the file.
 *
 * Backpressure: chunks are pulled through the stream's async iterator, one at a time,
 * and the next chunk is read only after every line of the previous one was pushed
 * downstream; the stream stays paused meanwhile, so memory holds one chunk plus the
 * stream's own `highWaterMark`. Unsubscribing destroys the stream.
 *
 * @example
 * fromReadable(fs.createReadStream('events.ndjson')).pipe(decodeEvents({ rejects }))
 */
export function fromReadable(stream: Readable, options: FromReadableOptions = {}): Observable<string> {
  const maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  return new Observable<string>((subscriber) => {
    const subscription = fromAsyncIterable(readableLines(stream, maxLineLength)).subscribe(subscriber);
    return () => {
      subscription.unsubscribe();
      // The iterator may be waiting for a chunk that never comes (an idle stdin):
      // destroying the stream ends that wait now rather than at the next chunk.
      if (!stream.destroyed) stream.destroy();
    };
  });
}

async function* readableLines(stream: Readable, maxLineLength: number): AsyncGenerator<string, void, undefined> {
  const splitter = new LineSplitter(maxLineLength);
  const lines: string[] = [];
  const collect = (line: string): void => {
    lines.push(line);
  };
  try {
    for await (const chunk of stream as AsyncIterable<Buffer | string>) {
      splitter.push(chunk, collect);
      // Yield the chunk's lines before asking the stream for the next chunk.
      for (let i = 0; i < lines.length; i++) yield lines[i] as string;
      lines.length = 0;
    }
    splitter.end(collect);
    yield* lines;
  } finally {
    if (!stream.destroyed) stream.destroy();
  }
}
