/**
 * NDJSON bytes → lines, without a string per line: the consumer gets the chunk and the
 * line's byte range, and makes text only when it must (the fast path's fallback).
 * Lines are numbered from `firstLine`; a line cut by a chunk boundary is carried over
 * (copied) to the next chunk, and only that line is joined: the chunks are not.
 */

const NEWLINE = 0x0a;

/** Called for every line: `bytes[start, end)` without its `\n`, and its 1-based number. */
export type OnLine = (bytes: Buffer, start: number, end: number, line: number) => void;

/**
 * Splits NDJSON chunks into lines.
 *
 * @example
 * const lines = new NdjsonLines(1);
 * for (const chunk of chunks) lines.push(chunk, onLine);
 * lines.end(onLine);
 */
export class NdjsonLines {
  #carry: Buffer | undefined;
  #line: number;

  constructor(firstLine = 1) {
    this.#line = firstLine;
  }

  /** Number of the next line. */
  get nextLine(): number {
    return this.#line;
  }

  push(chunk: Buffer, onLine: OnLine): void {
    const bytes = chunk;
    let start = 0;
    let line = this.#line;
    const carry = this.#carry;
    if (carry !== undefined) {
      // Only the cut line is copied: carry + the chunk up to its first newline.
      this.#carry = undefined;
      const nl = chunk.indexOf(NEWLINE);
      if (nl === -1) {
        this.#carry = Buffer.concat([carry, chunk]);
        return;
      }
      const joined = Buffer.concat([carry, chunk.subarray(0, nl)]);
      onLine(joined, 0, joined.length, line);
      line++;
      start = nl + 1;
    }
    for (let nl = bytes.indexOf(NEWLINE, start); nl !== -1; nl = bytes.indexOf(NEWLINE, start)) {
      onLine(bytes, start, nl, line);
      line++;
      start = nl + 1;
    }
    this.#line = line;
    // Copied: the caller may reuse the chunk's memory.
    if (start < bytes.length) this.#carry = Buffer.from(bytes.subarray(start));
  }

  /** The last line, when the input does not end with a newline. */
  end(onLine: OnLine): void {
    const carry = this.#carry;
    this.#carry = undefined;
    if (carry !== undefined && carry.length > 0) {
      onLine(carry, 0, carry.length, this.#line);
      this.#line++;
    }
  }
}
