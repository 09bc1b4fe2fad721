/**
 * The worker-thread half of a parallel replay: decodes the lines of one byte range of
 * an NDJSON file into its own columns and string pool, and hands back everything the
 * main thread needs to merge it as if it had read the lines itself.
 *
 * What a worker cannot decide alone it defers: a line the full decoder rejects, one
 * after `--until`, or one of the watched endpoint goes back to the main thread as
 * (local line number, text), and the main thread ingests it through
 * `ReplaySession.ingest` once it knows the range's first line number. So rejects,
 * their reasons and line numbers, and the watched timeline are produced by exactly
 * the code that produces them single-threaded, in the same order.
 */
import { classifyEvent, decodeEventText, EventColumns, StringPool } from '@simfleet/core';
import { ROW_COLUMNS, type RowArrays, type StoredStrings } from '@simfleet/core/columns';
import type { RawRecord } from '../input/RawRecord.js';
import { lineRecord, tooLongRecord } from '../input/readRecords.js';
import type { RangeOptions } from './RangeOptions.js';
import { type ChunkSink, rowsWithoutEndpoint } from './WasmLines.js';

export type { RangeOptions } from './RangeOptions.js';

/** The columns of a range, as transferable typed arrays cut to their length. */
export type RangeColumns = Readonly<RowArrays>;

/** What a worker returns for one range. */
export interface RangeResult {
  /** Records accounted for in the range (not counting deferred lines). */
  readonly records: number;
  readonly withoutEndpoint: number;
  /** [event id (decimal), type id] of the events of unknown types (counted once per id when merged). */
  readonly unknownTypes: readonly (readonly [string, number])[];
  /** Lines the main thread must ingest itself, with line numbers local to the range (1-based). */
  readonly deferred: readonly RawRecord[];
  /** Lines in the range (its `\n`s, plus a last unterminated one). */
  readonly lines: number;
  /**
   * The strings the range's pool gained during this range, as bytes (transferable copies;
   * no index): references `strings.after + 1 …` of pool `strings.pool`. A worker keeps
   * its pool across ranges, so a string seen in an earlier range is not sent again; the
   * main thread keeps one remap per worker pool and extends it (`ReplaySession.mergeRange`).
   */
  readonly strings: StoredStrings & { readonly pool: number; readonly after: number; readonly retired?: number | undefined };
  readonly columns: RangeColumns;
}

/**
 * Decodes one range's lines (the WebAssembly decoder first, the full decoder for the lines it
 * does not decode).
 *
 * @example
 * const ingest = new RangeIngest({});
 * const lines = new WasmLines(ingest.chunkSink(), wasmDecoderFor(ingest.columns, {}));
 * lines.push(chunk);
 * lines.end();
 * const result = ingest.result(lines.nextLine - 1);
 */
export class RangeIngest {
  readonly #pool: StringPool;
  readonly #poolId: number;
  readonly #retired: number | undefined;
  readonly #after: number;
  readonly #columns: EventColumns;
  readonly #options: RangeOptions;
  #records = 0;
  #withoutEndpoint = 0;
  readonly #unknown: [string, number][] = [];
  readonly #deferred: RawRecord[] = [];

  /**
   * `pool` (with its id, unique in the replay) may hold an earlier range's strings: only
   * new ones are sent. `retired`: a pool this worker dropped, whose remap the main thread can drop.
   */
  constructor(options: RangeOptions, pool: WorkerPool = { pool: new StringPool(), id: 0 }) {
    this.#options = options;
    this.#pool = pool.pool;
    this.#poolId = pool.id;
    this.#retired = pool.retired;
    this.#after = pool.pool.size;
    const reuse = pool.columns !== undefined && pool.columns.pool === pool.pool;
    if (reuse) pool.columns?.clear();
    this.#columns = reuse ? (pool.columns as EventColumns) : new EventColumns(this.#pool, 1 << 16);
  }

  /** The columns rows are decoded into (a worker hands them to its next range). */
  get columns(): EventColumns {
    return this.#columns;
  }

  /** The WebAssembly route's sink (see WasmLines.ts): rows appended in runs, other lines through the full decoder. */
  chunkSink(): ChunkSink {
    const columns = this.#columns;
    return {
      columns,
      rows: (chunk, from, to) => {
        const at = columns.length;
        chunk.appendRows(columns, from, to);
        this.#records += to - from;
        this.#withoutEndpoint += rowsWithoutEndpoint(columns, at, columns.length);
      },
      line: (bytes, start, end, line) => this.ingestFullLine(bytes, start, end, line),
      tooLong: (line, bytes, head) => this.defer(tooLongRecord(line, bytes, head, this.#options.maxLineBytes)),
    };
  }

  /** A line for the full decoder (as text): one the WebAssembly decoder did not decode. */
  ingestFullLine(bytes: Uint8Array, start: number, end: number, line: number): void {
    const c = this.#columns;
    const until = this.#options.until;
    const watch = this.#options.watchEndpoint;
    const record = lineRecord(bytes.subarray(start, end), line);
    if (record === undefined) return;
    if (record.framingError !== undefined) {
      this.defer(record);
      return;
    }
    const decoded = decodeEventText(record.text, { line });
    if (!decoded.ok) {
      this.#defer(record.text, line);
      return;
    }
    const event = decoded.value;
    if ((until !== undefined && event.timestamp > until) || (watch !== undefined && event.endpoint?.id === watch)) {
      this.#defer(record.text, line);
      return;
    }
    if (!c.push(classifyEvent(event)).ok) {
      this.#defer(record.text, line);
      return;
    }
    if (event.type === 'unknown') this.#unknown.push([event.id.toString(), event.typeId]);
    if (event.endpoint === null) this.#withoutEndpoint++;
    this.#records++;
  }

  #defer(text: string, line: number): void {
    this.#deferred.push({ line, text });
  }

  /** A record the main thread rejects itself (a line too long, bytes that are not UTF-8). */
  defer(record: RawRecord): void {
    this.#deferred.push(record);
  }

  /**
   * The result, after the last line; `lines` is the number of lines the range held.
   * Arrays are copied out into `spare` buffers when there are some big enough (buffers
   * the main thread sent back after merging an earlier result), else into new ones.
   */
  result(lines: number, spare?: SpareBuffers): RangeResult {
    const c = this.#columns;
    const n = c.length;
    const delta = this.#pool.storedSince(this.#after);
    const strings = {
      byteLengths: copyOut(spare, 'byteLengths', delta.byteLengths, delta.byteLengths.length),
      bytes: copyOut(spare, 'bytes', delta.bytes, delta.bytes.length),
      escaped: delta.escaped,
      pool: this.#poolId,
      after: this.#after,
      retired: this.#retired,
    };
    const columns = { length: n } as RowArrays;
    for (const [name] of ROW_COLUMNS) (columns as unknown as Record<string, TypedArray>)[name] = copyOut(spare, name, c[name], n);
    return {
      records: this.#records,
      withoutEndpoint: this.#withoutEndpoint,
      unknownTypes: this.#unknown,
      deferred: this.#deferred,
      lines,
      strings,
      columns,
    };
  }
}

/** A worker's string pool for a range (see replayWorker.ts), and the columns it last decoded into. */
export interface WorkerPool {
  readonly pool: StringPool;
  readonly id: number;
  /** A pool this worker dropped, whose remap the main thread can drop. */
  readonly retired?: number | undefined;
  readonly columns?: EventColumns | undefined;
}

type TypedArray = Float64Array | Uint32Array | Uint8Array | Int16Array;

/**
 * Buffers sent back by the main thread once it merged a result, by array name (a
 * column's, `bytes`, `byteLengths`). Reusing them means a replay allocates a range's
 * result buffers a few times, not once per range: the main thread makes little
 * garbage while it merges, so V8 rarely collects, and each dropped result would stay
 * in memory until it did (RSS grew by every range's rows).
 */
export type SpareBuffers = Map<string, ArrayBuffer[]>;

function copyOut<T extends TypedArray>(spare: SpareBuffers | undefined, name: string, from: T, n: number): T {
  const Ctor = from.constructor as new (buffer: ArrayBuffer, offset: number, length: number) => T;
  const list = spare?.get(name);
  const bytes = n * from.BYTES_PER_ELEMENT;
  if (list !== undefined) {
    for (let i = 0; i < list.length; i++) {
      const buffer = list[i] as ArrayBuffer;
      if (buffer.byteLength < bytes) continue;
      list.splice(i, 1);
      const view = new Ctor(buffer, 0, n);
      view.set(from.subarray(0, n) as never);
      return view;
    }
  }
  return from.slice(0, n) as T;
}

/** The array buffers of a merged result by name, to send back to its worker (`SpareBuffers`). */
export function resultBuffers(result: RangeResult): { name: string; buffer: ArrayBuffer }[] {
  const out = [
    { name: 'byteLengths', buffer: result.strings.byteLengths.buffer as ArrayBuffer },
    { name: 'bytes', buffer: result.strings.bytes.buffer as ArrayBuffer },
  ];
  for (const [name] of ROW_COLUMNS) out.push({ name, buffer: result.columns[name].buffer as ArrayBuffer });
  return out;
}

/** The buffers of a result's arrays, to transfer instead of copy. */
export function transferList(result: RangeResult): ArrayBuffer[] {
  return resultBuffers(result).map((b) => b.buffer);
}
