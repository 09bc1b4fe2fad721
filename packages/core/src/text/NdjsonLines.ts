/**
 * The project's one byte line splitter: NDJSON bytes → lines, without a string per line.
 * The consumer gets the bytes and the line's range, and makes text only when it must
 * (the fast path decodes bytes; the full decoder's fallback and the tailing sources make
 * text). Used by the replay's main thread, its workers and the stream sources alike, so
 * every reader cuts an input into the same lines with the same numbers.
 *
 * Why memory stays bounded and time linear
 * - A line cut by chunk boundaries is carried as a list of copied pieces and joined once,
 *   when its newline arrives (joining carry + chunk at every chunk was quadratic: a 50 MB
 *   line in 16 KB gzip chunks cost 40 s).
 * - A line longer than `maxLineBytes` is never joined: once its carried bytes pass the
 *   bound they are dropped and the rest of the line is only counted until its newline,
 *   then reported to `onTooLong` with its length and first bytes. A gigabyte without a
 *   newline costs a counter, not a gigabyte.
 *
 * A byte-order mark at the very start of the input (`atInputStart`) is dropped: the same
 * rule as for JSON arrays (`firstNonBlank`).
 */
import { bomLength, concatPrefix } from './inputBytes.js';

const NEWLINE = 0x0a;

/** Bytes of a too-long line kept to show what it was (`onTooLong`'s `head`). */
export const TOO_LONG_HEAD_BYTES = 200;

/** Default bound on one line: 16 MiB, far above any real event record (~1 KB). */
export const DEFAULT_MAX_LINE_BYTES = 16 * 2 ** 20;

/** Called for every line: `bytes[start, end)` without its `\n`, and its 1-based number. */
export type OnLine<B extends Uint8Array = Uint8Array> = (bytes: B, start: number, end: number, line: number) => void;

/** Called for a line longer than the bound: its number, its length in bytes and its first bytes. */
export type OnTooLong = (line: number, bytes: number, head: Uint8Array) => void;

/** Options of `NdjsonLines`. */
export interface NdjsonLinesOptions {
  /** Number of the first line (default 1). */
  readonly firstLine?: number | undefined;
  /** Longest line handed to `onLine`, in bytes without its `\n` (default `DEFAULT_MAX_LINE_BYTES`). */
  readonly maxLineBytes?: number | undefined;
  /** Where longer lines go; without it a longer line throws a `RangeError`. */
  readonly onTooLong?: OnTooLong | undefined;
  /** The first chunk is the input's first byte: a byte-order mark there is dropped (default false). */
  readonly atInputStart?: boolean | undefined;
}

/**
 * Splits NDJSON chunks into lines.
 *
 * @example
 * const lines = new NdjsonLines({ maxLineBytes: 1 << 20, onTooLong: (line, n) => console.log(line, n) });
 * for (const chunk of chunks) lines.push(chunk, onLine);
 * lines.end(onLine);
 */
export class NdjsonLines {
  #line: number;
  readonly #max: number;
  readonly #onTooLong: OnTooLong;
  /** Copied pieces of the line cut by the last chunk boundary, and their total length. */
  #parts: Uint8Array[] = [];
  #carried = 0;
  /** The current line passed the bound: its length so far and its first bytes. */
  #tooLong = -1;
  #head: Uint8Array = new Uint8Array(0);
  /** Waiting for the first 3 bytes (a byte-order mark or not). */
  #atStart: boolean;
  #startBytes: Uint8Array | undefined;

  constructor(options: NdjsonLinesOptions | number = {}) {
    const o = typeof options === 'number' ? { firstLine: options } : options;
    this.#line = o.firstLine ?? 1;
    this.#max = o.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.#onTooLong =
      o.onTooLong ??
      ((line, bytes) => {
        throw new RangeError(`line ${line} is ${bytes} bytes long, more than ${this.#max}`);
      });
    this.#atStart = o.atInputStart ?? false;
  }

  /** Number of the next line. */
  get nextLine(): number {
    return this.#line;
  }

  /** Bytes held for the line not yet complete (bounded by `maxLineBytes`). */
  get carriedBytes(): number {
    return this.#carried;
  }

  push<B extends Uint8Array>(chunk: B, onLine: OnLine<B | Uint8Array>): void {
    let bytes: Uint8Array = chunk;
    if (this.#atStart) {
      const held = this.#startBytes === undefined ? bytes : concatPrefix([this.#startBytes, bytes], this.#startBytes.length + bytes.length);
      if (held.length < 3 && isBomPrefix(held)) {
        this.#startBytes = copy(held);
        return;
      }
      this.#atStart = false;
      this.#startBytes = undefined;
      bytes = held.subarray(bomLength(held));
    }
    let start = 0;
    let line = this.#line;
    if (this.#carried > 0 || this.#tooLong >= 0) {
      const nl = bytes.indexOf(NEWLINE);
      if (nl === -1) {
        this.#carry(bytes);
        return;
      }
      this.#carry(bytes.subarray(0, nl));
      this.#finishCarried(onLine, line);
      line++;
      start = nl + 1;
    }
    const max = this.#max;
    for (let nl = bytes.indexOf(NEWLINE, start); nl !== -1; nl = bytes.indexOf(NEWLINE, start)) {
      // The head stops at the line's end (a bound under TOO_LONG_HEAD_BYTES must not show the next line).
      if (nl - start > max) this.#onTooLong(line, nl - start, copy(bytes.subarray(start, Math.min(nl, start + TOO_LONG_HEAD_BYTES))));
      else onLine(bytes as B, start, nl, line);
      line++;
      start = nl + 1;
    }
    this.#line = line;
    if (start < bytes.length) this.#carry(bytes.subarray(start));
  }

  /** The last line, when the input does not end with a newline. */
  end(onLine: OnLine): void {
    if (this.#startBytes !== undefined) {
      // Fewer than 3 bytes in all, a prefix of a byte-order mark: they are the input.
      const held = this.#startBytes;
      this.#startBytes = undefined;
      this.#atStart = false;
      this.#carry(held);
    }
    if (this.#carried > 0 || this.#tooLong >= 0) {
      this.#finishCarried(onLine, this.#line);
      this.#line++;
    }
  }

  /** Forgets a partial line (a tailed file was truncated; a corrupt input stops). */
  reset(): void {
    this.#parts = [];
    this.#carried = 0;
    this.#tooLong = -1;
  }

  /** Adds bytes of the line being cut (copied: the caller may reuse the chunk's memory). */
  #carry(piece: Uint8Array): void {
    if (piece.length === 0) return;
    if (this.#tooLong >= 0) {
      this.#tooLong += piece.length;
      // The head is the line's first bytes whatever the chunking: fill it up from the next pieces.
      if (this.#head.length < TOO_LONG_HEAD_BYTES) this.#head = concatPrefix([this.#head, piece], TOO_LONG_HEAD_BYTES);
      return;
    }
    if (this.#carried + piece.length > this.#max) {
      // Past the bound: keep only the first bytes to show, count the rest.
      const total = this.#carried + piece.length;
      this.#parts.push(piece.subarray(0, TOO_LONG_HEAD_BYTES));
      this.#head = concatPrefix(this.#parts, TOO_LONG_HEAD_BYTES);
      this.#parts = [];
      this.#carried = 0;
      this.#tooLong = total;
      return;
    }
    this.#parts.push(copy(piece));
    this.#carried += piece.length;
  }

  #finishCarried(onLine: OnLine, line: number): void {
    if (this.#tooLong >= 0) {
      const length = this.#tooLong;
      this.#tooLong = -1;
      this.#onTooLong(line, length, this.#head);
      this.#head = new Uint8Array(0);
      return;
    }
    const joined = this.#parts.length === 1 ? (this.#parts[0] as Uint8Array) : concatPrefix(this.#parts, this.#carried);
    this.#parts = [];
    this.#carried = 0;
    onLine(joined, 0, joined.length, line);
  }
}

/** A copy (`Buffer#slice` would share the memory: never call `slice` on a chunk). */
function copy(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  out.set(bytes);
  return out;
}

function isBomPrefix(bytes: Uint8Array): boolean {
  const bom = [0xef, 0xbb, 0xbf];
  for (let i = 0; i < bytes.length && i < 3; i++) if (bytes[i] !== bom[i]) return false;
  return true;
}
