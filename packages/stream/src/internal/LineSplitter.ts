import { NdjsonLines } from '@simfleet/core/columns';
import { SourceError } from '../sources/SourceError.js';

/** Default bound on one line: far above any real event record (~1 KB), far below memory trouble. */
export const DEFAULT_MAX_LINE_LENGTH = 8 * 1024 * 1024;

/**
 * The stream sources' view of the project's one byte line splitter (`NdjsonLines` of
 * @simfleet/core, which the replay's readers use too): lines as strings (`\n`, with a
 * trailing `\r` removed), each decoded once it is complete, so UTF-8 sequences cut by a
 * chunk boundary are whole. A line longer than `maxLineLength` bytes is a `SourceError`
 * (`line_too_long`); it is counted, never held, on its way to its end. A byte-order mark
 * at the start of the input is dropped, as the replay drops it.
 */
export class LineSplitter {
  readonly #maxLineLength: number;
  #lines: NdjsonLines;
  #count = 0;

  constructor(maxLineLength: number = DEFAULT_MAX_LINE_LENGTH) {
    this.#maxLineLength = maxLineLength;
    this.#lines = this.#fresh(1);
  }

  /** Lines emitted so far. */
  get lineCount(): number {
    return this.#count;
  }

  /** Feeds a chunk; calls `emit` for every line it completes. */
  push(chunk: Buffer | string, emit: (line: string) => void): void {
    this.#lines.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk, (b, s, e) => this.#emit(b, s, e, emit));
  }

  /** Ends the input: emits an unterminated last line, if any. */
  end(emit: (line: string) => void): void {
    this.#lines.end((b, s, e) => this.#emit(b, s, e, emit));
  }

  /** Forgets buffered input (a tailed file was truncated): the next byte starts an input again. */
  reset(): void {
    this.#lines = this.#fresh(this.#lines.nextLine);
  }

  #fresh(firstLine: number): NdjsonLines {
    return new NdjsonLines({
      firstLine,
      atInputStart: true,
      maxLineBytes: this.#maxLineLength,
      onTooLong: (line) => {
        throw new SourceError('line_too_long', line, `line ${line} is longer than ${this.#maxLineLength} bytes`);
      },
    });
  }

  #emit(bytes: Uint8Array, start: number, end: number, emit: (line: string) => void): void {
    this.#count += 1;
    const text = Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('utf8');
    emit(text.endsWith('\r') ? text.slice(0, -1) : text);
  }
}
