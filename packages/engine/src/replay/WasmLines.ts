/**
 * NDJSON bytes → rows, one WebAssembly call per chunk (`@simfleet/wasm`), for both ingest
 * routes (the main thread's `ReplaySession`, a worker's `RangeIngest`): the module validates
 * and decodes every line, interns its strings and hands back a chunk; here the chunk's rows
 * go to the sink in runs, and each line the module did not decode (a form it does not
 * decide, invalid JSON, a row an option needs the whole record for) goes to the sink's full
 * route, in line order, so rows and full-route records land in the columns in the order of
 * their lines, exactly as the full decoder alone would put them.
 *
 * The input rules are core's `NdjsonLines`' (the one splitter every other reader uses): a
 * line is cut at each newline, a byte-order mark at the input's first byte is dropped, and a
 * line longer than `maxLineBytes` goes to `tooLong` with its length and first bytes, streamed
 * past without being held.
 */
import type { EventColumns } from '@simfleet/core';
import { TOO_LONG_HEAD_BYTES } from '@simfleet/core/columns';
import { type DecodedChunk, STATUS_BLANK, STATUS_ROW, STATUS_TOO_LONG, WasmLineDecoder } from '@simfleet/wasm';
import type { RangeOptions } from './RangeOptions.js';

/** Where decoded lines go. */
export interface ChunkSink {
  /** The columns rows are appended to (their pool is the decoder's). */
  readonly columns: EventColumns;
  /** Rows [from, to) of the chunk (consecutive lines' rows): append them (`chunk.appendRows`) and count them. */
  rows(chunk: DecodedChunk, from: number, to: number): void;
  /** A line for the full decoder: `bytes[start, end)` without its newline, its 1-based number. */
  line(bytes: Uint8Array, start: number, end: number, line: number): void;
  /** A line longer than the bound: its number, its length in bytes and its first bytes (a copy). */
  tooLong(line: number, bytes: number, head: Uint8Array): void;
}

/** Options of one input's `WasmLines`. */
export interface WasmLinesOptions {
  /** Lines up to this number (a resumed checkpoint's) are passed over (default 0). */
  readonly skip?: number | undefined;
  /** Number of the first line (default 1). */
  readonly firstLine?: number | undefined;
  /** The first bytes pushed are the input's first: a byte-order mark there is dropped (default false). */
  readonly atInputStart?: boolean | undefined;
}

/**
 * Feeds one input's NDJSON chunks to the WebAssembly decoder and settles every line with the
 * sink. Lines are numbered from 1 (or `firstLine`).
 *
 * @example
 * const lines = new WasmLines(sink, decoder, { atInputStart: true });
 * for (const chunk of chunks) lines.push(chunk);
 * lines.end();
 */
export class WasmLines {
  readonly #sink: ChunkSink;
  readonly #decoder: WasmLineDecoder;
  readonly #skip: number;
  #line = 1;
  #taken = 0;
  #boundary = 0;
  readonly #onChunk = (chunk: DecodedChunk): void => this.#settle(chunk);

  constructor(sink: ChunkSink, decoder: WasmLineDecoder, options: WasmLinesOptions = {}) {
    this.#sink = sink;
    // No skip: no line is passed over, whatever its number (a caller may number lines from 0).
    this.#skip = options.skip ?? Number.NEGATIVE_INFINITY;
    this.#line = options.firstLine ?? 1;
    this.#decoder = decoder;
    decoder.startInput(options.atInputStart ?? false);
  }

  /** Number of the next line. */
  get nextLine(): number {
    return this.#line;
  }

  /** Lines settled so far that were not passed over (`skip`): this input's records in this run. */
  get taken(): number {
    return this.#taken;
  }

  /**
   * Input bytes up to the end of the last settled line, its newline included (counted from the
   * input's first byte, a byte-order mark included): where the next line starts. Lines after it
   * are not settled yet, so an input cut here (and read on by another decoder) loses none.
   */
  get boundary(): number {
    return this.#boundary;
  }

  /** Decodes the complete lines of the input so far (the chunk is copied; the caller may reuse it). */
  push(chunk: Uint8Array): void {
    this.#decoder.feed(chunk, false, this.#onChunk);
  }

  /**
   * Where the next input bytes may be written (WASM memory): reading a file straight into it
   * saves a copy. Then `wrote(n)`.
   *
   * @example
   * lines.wrote(readSync(fd, lines.space()));
   */
  space(): Uint8Array {
    return this.#decoder.space();
  }

  /** Decodes after `n` bytes were written into `space()`. */
  wrote(n: number): void {
    this.#decoder.decode(n, false, this.#onChunk);
  }

  /** The last line, when the input does not end with a newline. */
  end(): void {
    this.#decoder.decode(0, true, this.#onChunk);
  }

  #settle(chunk: DecodedChunk): void {
    const first = this.#line;
    this.#line += chunk.lines;
    if (chunk.lines > 0) {
      // A streamed line's `end` is that of its head: its length is `streamedBytes`.
      const last = chunk.streamedBytes > 0 ? chunk.streamedBytes : (chunk.end[chunk.lines - 1] as number);
      this.#boundary = chunk.offset + last + 1;
    }
    const skip = this.#skip;
    if (first + chunk.lines - 1 <= skip) return;
    const sink = this.#sink;
    // Lines up to `skip` were ingested before the checkpoint: start after them.
    const from = first > skip ? 0 : skip - first + 1;
    this.#taken += chunk.lines - from;
    let row = from === 0 ? 0 : (chunk.row[from] as number);
    const status = chunk.status;
    for (let i = from; i < chunk.lines; i++) {
      const s = status[i] as number;
      if (s === STATUS_ROW) continue;
      const before = chunk.row[i] as number;
      if (before > row) {
        sink.rows(chunk, row, before);
        row = before;
      }
      const start = chunk.start[i] as number;
      const end = chunk.end[i] as number;
      if (s === STATUS_TOO_LONG) {
        const head = chunk.bytes.slice(start, Math.min(end, start + TOO_LONG_HEAD_BYTES));
        sink.tooLong(first + i, chunk.streamedBytes > 0 ? chunk.streamedBytes : end - start, head);
      } else if (s !== STATUS_BLANK) sink.line(chunk.bytes, start, end, first + i);
    }
    if (chunk.rows > row) sink.rows(chunk, row, chunk.rows);
  }
}

/** A decoder for rows into `columns`' pool that holds the rows `options` need whole and bounds lines by `options.maxLineBytes`. */
export function wasmDecoderFor(columns: EventColumns, options: RangeOptions, chunkBytes?: number): WasmLineDecoder {
  return new WasmLineDecoder(columns.pool, {
    ...(chunkBytes === undefined ? {} : { chunkBytes }),
    ...(options.until === undefined ? {} : { until: options.until }),
    ...(options.watchEndpoint === undefined ? {} : { watchEndpoint: options.watchEndpoint }),
    ...(options.maxLineBytes === undefined ? {} : { maxLineBytes: options.maxLineBytes }),
  });
}

/** Rows among `columns`' rows [from, to) whose event has no endpoint. */
export function rowsWithoutEndpoint(columns: EventColumns, from: number, to: number): number {
  const endpoints = columns.endpointId;
  let n = 0;
  for (let r = from; r < to; r++) if (Number.isNaN(endpoints[r])) n++;
  return n;
}
