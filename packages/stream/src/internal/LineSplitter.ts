import { StringDecoder } from 'node:string_decoder';
import { SourceError } from '../sources/SourceError.js';

/** Default bound on one line: far above any real event record (~1 KB), far below memory trouble. */
export const DEFAULT_MAX_LINE_LENGTH = 8 * 1024 * 1024;

/**
 * Splits a byte or text stream into lines (`\n`, with a trailing `\r` removed), holding
 * only the unfinished last line between chunks. UTF-8 sequences split across chunks
 * are joined by a `StringDecoder`. A line longer than `maxLineLength` characters is an
 * error rather than an ever-growing buffer.
 */
export class LineSplitter {
  readonly #decoder = new StringDecoder('utf8');
  readonly #maxLineLength: number;
  #rest = '';
  #line = 0;

  constructor(maxLineLength: number = DEFAULT_MAX_LINE_LENGTH) {
    this.#maxLineLength = maxLineLength;
  }

  /** Lines emitted so far. */
  get lineCount(): number {
    return this.#line;
  }

  /** Feeds a chunk; calls `emit` for every line it completes. */
  push(chunk: Buffer | string, emit: (line: string) => void): void {
    const text = typeof chunk === 'string' ? chunk : this.#decoder.write(chunk);
    let start = 0;
    let newline = text.indexOf('\n');
    if (newline === -1) {
      this.#rest += text;
      this.#check();
      return;
    }
    let first = true;
    while (newline !== -1) {
      let piece = text.slice(start, newline);
      if (first) {
        piece = this.#rest + piece;
        this.#rest = '';
        first = false;
      }
      this.#emitLine(piece, emit);
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    this.#rest = text.slice(start);
    this.#check();
  }

  /** Ends the input: emits an unterminated last line, if any. */
  end(emit: (line: string) => void): void {
    const tail = this.#rest + this.#decoder.end();
    this.#rest = '';
    if (tail !== '') this.#emitLine(tail, emit);
  }

  /** Forgets buffered input (a tailed file was truncated). */
  reset(): void {
    this.#decoder.end();
    this.#rest = '';
  }

  #emitLine(piece: string, emit: (line: string) => void): void {
    this.#line += 1;
    if (piece.length > this.#maxLineLength) this.#tooLong(this.#line);
    emit(piece.endsWith('\r') ? piece.slice(0, -1) : piece);
  }

  #check(): void {
    if (this.#rest.length > this.#maxLineLength) this.#tooLong(this.#line + 1);
  }

  #tooLong(line: number): never {
    throw new SourceError('line_too_long', line, `line ${line} is longer than ${this.#maxLineLength} characters`);
  }
}
