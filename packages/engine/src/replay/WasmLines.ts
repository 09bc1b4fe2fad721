/**
 * NDJSON bytes → rows, one WebAssembly call per chunk (`@simfleet/wasm`), for both ingest
 * routes (the main thread's `ReplaySession`, a worker's `RangeIngest`): the module validates
 * and decodes every line, interns its strings and hands back a chunk; here the chunk's rows
 * go to the sink in runs, and each line the module did not decode (a form it does not
 * decide, invalid JSON, a row an option needs the whole record for) goes to the sink's full
 * route, in line order, so rows and full-route records land in the columns in the order of
 * their lines, exactly as the line-by-line fast path put them.
 */
import type { EventColumns } from '@simfleet/core';
import { type DecodedChunk, STATUS_BLANK, STATUS_ROW, WasmLineDecoder } from '@simfleet/wasm';
import type { RangeOptions } from './RangeIngest.js';

/** Where decoded lines go. */
export interface ChunkSink {
  /** The columns rows are appended to (their pool is the decoder's). */
  readonly columns: EventColumns;
  /** Rows [from, to) of the chunk (consecutive lines' rows): append them (`chunk.appendRows`) and count them. */
  rows(chunk: DecodedChunk, from: number, to: number): void;
  /** A line for the full decoder: `bytes[start, end)` without its newline, its 1-based number. */
  line(bytes: Uint8Array, start: number, end: number, line: number): void;
}

/**
 * Feeds NDJSON chunks to the WebAssembly decoder and settles every line with the sink.
 * Lines are numbered from 1; those up to `skip` (a resumed checkpoint's) are passed over.
 *
 * @example
 * const lines = new WasmLines(sink, options);
 * for (const chunk of chunks) lines.push(chunk);
 * lines.end();
 */
export class WasmLines {
  readonly #sink: ChunkSink;
  readonly #decoder: WasmLineDecoder;
  readonly #skip: number;
  #line = 1;
  readonly #onChunk = (chunk: DecodedChunk): void => this.#settle(chunk);

  constructor(sink: ChunkSink, options: RangeOptions, skip = 0, decoder?: WasmLineDecoder) {
    this.#sink = sink;
    this.#skip = skip;
    this.#decoder = decoder ?? wasmDecoderFor(sink.columns, options);
  }

  /** Number of the next line. */
  get nextLine(): number {
    return this.#line;
  }

  /** Decodes the complete lines of the input so far (the chunk is copied; the caller may reuse it). */
  push(chunk: Uint8Array): void {
    this.#decoder.feed(chunk, false, this.#onChunk);
  }

  /** The last line, when the input does not end with a newline. */
  end(): void {
    this.#decoder.feed(new Uint8Array(0), true, this.#onChunk);
  }

  #settle(chunk: DecodedChunk): void {
    const first = this.#line;
    this.#line += chunk.lines;
    const skip = this.#skip;
    if (first + chunk.lines - 1 <= skip) return;
    const sink = this.#sink;
    // Lines up to `skip` were ingested before the checkpoint: start after them.
    const from = first > skip ? 0 : skip - first + 1;
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
      if (s !== STATUS_BLANK) sink.line(chunk.bytes, chunk.start[i] as number, chunk.end[i] as number, first + i);
    }
    if (chunk.rows > row) sink.rows(chunk, row, chunk.rows);
  }
}

/** A decoder for rows into `columns`' pool that holds the rows `options` need whole. */
export function wasmDecoderFor(columns: EventColumns, options: RangeOptions): WasmLineDecoder {
  return new WasmLineDecoder(columns.pool, {
    ...(options.until === undefined ? {} : { until: options.until }),
    ...(options.watchEndpoint === undefined ? {} : { watchEndpoint: options.watchEndpoint }),
  });
}

/** Rows among `columns`' rows [from, to) whose event has no endpoint. */
export function rowsWithoutEndpoint(columns: EventColumns, from: number, to: number): number {
  const endpoints = columns.endpointId;
  let n = 0;
  for (let r = from; r < to; r++) if (Number.isNaN(endpoints[r])) n++;
  return n;
}
