import { classifyEvent, decodeEventText, type EmnifyEvent, type EventColumns, encodeEvent, type FleetStore, stringifyJson } from '@simfleet/core';
import { FAST_BLANK, FastLineDecoder } from '@simfleet/core/columns';
import { type DecodedChunk, WasmLineDecoder } from '@simfleet/wasm';
import type { RecordReject } from './ParsedBody.js';

/**
 * A decoded record the engine's columns cannot hold (an id past 2^64, an endpoint id that
 * is not a safe integer…): the engine refuses it with `code` unless its time is past the
 * clock guard, which it checks first.
 */
export interface RowMisfit {
  /** Its record index in the body. */
  readonly index: number;
  /** Its event time (the clock guard's input). */
  readonly at: number;
  readonly code: string;
  readonly message: string;
}

/**
 * A `POST /events` body decoded once, straight into the engine's rows: what the journal,
 * the live fold and the reply need, without an event object per record.
 *
 * - `rows` holds every decoded record the engine can hold, in body order (`rowIndexes[k]`
 *   is row k's record index in the body); NDJSON lines the fast decoder reads go there
 *   directly, the others through the full decoder (same rows, proven equal by core's
 *   fast-path tests).
 * - `misfits` are decoded records the columns refuse (see `RowMisfit`).
 * - The decoder's own reasons (`rejects`, counts) are those of `parseEventsBody`.
 * - `journalPayload` gives the records as received (the NDJSON lines' bytes, not
 *   re-serialised), `events()` decodes event objects only for those who need them.
 *
 * @example
 * const body = await decodeBodyRows(bytes, 'application/x-ndjson', buffers);
 * live.ingestColumns(body.rows, body);
 */
export class BodyRows {
  readonly format: 'object' | 'array' | 'ndjson';
  readonly rows: EventColumns;
  readonly rowIndexes: readonly number[];
  /** Per row, the catalog type id when the type is unknown to the catalog, else -1; null when no row has one. */
  readonly unknownTypes: Int32Array | null;
  readonly misfits: readonly RowMisfit[];
  readonly rejects: readonly RecordReject[];
  readonly rejectCount: number;
  readonly rejectedRecords: number;
  readonly rejectsByCode: Readonly<Record<string, number>>;
  readonly #bytes: Buffer;
  /** Per row, its line's bytes in the body: [start, stop); start -1 when it has no line (an array element). */
  readonly #spans: Int32Array;
  /** Event objects the full decoder made, by row (array elements, lines the fast decoder passed on). */
  readonly #decoded: ReadonlyMap<number, EmnifyEvent>;
  /** Lines journaled as their decoded text, by row: those whose bytes are not UTF-8 (the text holds U+FFFD where they were). */
  readonly #texts: ReadonlyMap<number, string>;
  readonly #release: () => void;
  #events: EmnifyEvent[] | undefined;

  /** Built by `RowCollector.result`. */
  constructor(parts: {
    format: BodyRows['format'];
    rows: EventColumns;
    rowIndexes: readonly number[];
    unknownTypes: Int32Array | null;
    misfits: readonly RowMisfit[];
    tally: { rejects: readonly RecordReject[]; rejectCount: number; rejectedRecords: number; rejectsByCode: Readonly<Record<string, number>> };
    bytes: Buffer;
    spans: Int32Array;
    decoded: ReadonlyMap<number, EmnifyEvent>;
    texts: ReadonlyMap<number, string>;
    release: () => void;
  }) {
    this.format = parts.format;
    this.rows = parts.rows;
    this.rowIndexes = parts.rowIndexes;
    this.unknownTypes = parts.unknownTypes;
    this.misfits = parts.misfits;
    this.rejects = parts.tally.rejects;
    this.rejectCount = parts.tally.rejectCount;
    this.rejectedRecords = parts.tally.rejectedRecords;
    this.rejectsByCode = parts.tally.rejectsByCode;
    this.#bytes = parts.bytes;
    this.#spans = parts.spans;
    this.#decoded = parts.decoded;
    this.#texts = parts.texts;
    this.#release = parts.release;
  }

  /** Records decoded (rows and misfits): the batch the engine judges. */
  get records(): number {
    return this.rows.length + this.misfits.length;
  }

  /** Body record index of batch record `i` (rows first, then misfits). */
  bodyIndex(i: number): number {
    const n = this.rows.length;
    return i < n ? (this.rowIndexes[i] as number) : (this.misfits[i - n] as RowMisfit).index;
  }

  /**
   * One journal record holding rows `keep` selects, one per line, in row order: the NDJSON
   * lines' bytes as received (a body of only such lines is one slice of it, no copy), an
   * array element as `encodeEvent`'s canonical JSON (which decodes to the same event).
   * Null when no row is kept.
   */
  journalPayload(keep: (row: number) => boolean): Uint8Array | null {
    const spans = this.#spans;
    const pieces: Uint8Array[] = [];
    let runStart = -1;
    let runStop = -1;
    const close = (): void => {
      if (runStart >= 0) pieces.push(this.#bytes.subarray(runStart, runStop));
      runStart = -1;
    };
    for (let row = 0; row < this.rows.length; row++) {
      if (!keep(row)) continue;
      const start = spans[2 * row] as number;
      const stop = spans[2 * row + 1] as number;
      if (start < 0) {
        close();
        const text = this.#texts.get(row) ?? stringifyJson(encodeEvent(this.#decoded.get(row) as EmnifyEvent));
        pieces.push(Buffer.from(text, 'utf8'));
        continue;
      }
      // The next line right after a '\n' (no '\r', no blank line between): the run goes on.
      if (runStart >= 0 && start === runStop + 1 && this.#bytes[runStop] === 0x0a) runStop = stop;
      else {
        close();
        runStart = start;
        runStop = stop;
      }
    }
    close();
    if (pieces.length === 0) return null;
    if (pieces.length === 1) return pieces[0] as Uint8Array;
    const joined: Uint8Array[] = [];
    for (const piece of pieces) {
      if (joined.length > 0) joined.push(NEWLINE);
      joined.push(piece);
    }
    return Buffer.concat(joined);
  }

  /**
   * The rows as event objects (`events()[k]` is row k's), decoded on first use from the
   * lines (for `--checkpoint` and `--pg`, which keep events; the durable path never asks).
   */
  events(): readonly EmnifyEvent[] {
    if (this.#events !== undefined) return this.#events;
    const events: EmnifyEvent[] = [];
    for (let row = 0; row < this.rows.length; row++) {
      const known = this.#decoded.get(row);
      if (known !== undefined) {
        events.push(known);
        continue;
      }
      const text = this.#bytes.toString('utf8', this.#spans[2 * row] as number, this.#spans[2 * row + 1] as number);
      const decoded = decodeEventText(text);
      // The fast decoder took this line, so the full decoder accepts it (core's fast-path proof).
      if (!decoded.ok) throw new Error(`a line the fast decoder read does not decode: ${decoded.error.message}`);
      events.push(decoded.value);
    }
    this.#events = events;
    return events;
  }

  /**
   * Row `row`'s catalog type id (`event_type.id`): from its event object when one was
   * decoded, else read from its line (only the type member, not the whole record);
   * undefined when neither says one.
   */
  typeIdOf(row: number): number | undefined {
    const known = this.#events?.[row] ?? this.#decoded.get(row);
    if (known !== undefined) return known.typeId;
    const start = this.#spans[2 * row] as number;
    if (start < 0) return undefined;
    const line = this.#bytes.toString('latin1', start, this.#spans[2 * row + 1] as number);
    const id = EVENT_TYPE_ID.exec(line)?.[1];
    return id === undefined ? undefined : Number(id);
  }

  /** Gives the row buffers back for the next body (call once the rows were ingested: `rows` and `records` are empty after). */
  release(): void {
    this.#release();
  }
}

const NEWLINE = new Uint8Array([0x0a]);
/** `"event_type": {… "id": N …}` in a record's line (the type object holds no nested object). */
const EVENT_TYPE_ID = /"event_type"\s*:\s*\{[^{}]*?"id"\s*:\s*(\d+)/;

/** `RowCollector.fastLine`: the line is a row now. */
export const LINE_ROW = 0;
/** `RowCollector.fastLine`: a blank line, not a record. */
export const LINE_BLANK = 1;
/** `RowCollector.fastLine`: the full decoder must decide. */
export const LINE_FULL = 2;

/** Row buffers and a fast decoder on them, kept between bodies (an empty body's rows are reused). */
export interface RowBuffers {
  readonly columns: EventColumns;
  readonly fast: FastLineDecoder;
}

/** Bodies above this many rows give their buffers up instead of keeping them for the next. */
const KEEP_ROWS = 1 << 14;

/**
 * Spare row buffers on one fleet's string pool: each body being decoded takes its own
 * (bodies decode in slices, so several are under way at once), and gives it back once
 * its rows are ingested.
 *
 * @example
 * const buffers = new RowBufferPool(live.fleet);
 * const body = await decodeBodyRows(bytes, contentType, buffers);
 */
export class RowBufferPool {
  readonly #fleet: FleetStore;
  readonly #spare: RowBuffers[] = [];
  #wasm: WasmLineDecoder | undefined;

  constructor(fleet: FleetStore) {
    this.#fleet = fleet;
  }

  /**
   * The WebAssembly line decoder on the fleet's pool (made on first use, then kept: its
   * string pools remember what it interned). One for every body: a body is decoded by it in
   * one synchronous call, so two bodies never share its input.
   */
  wasm(): WasmLineDecoder {
    this.#wasm ??= new WasmLineDecoder(this.#fleet.pool);
    return this.#wasm;
  }

  take(): RowBuffers {
    const spare = this.#spare.pop();
    if (spare !== undefined) return spare;
    const columns = this.#fleet.createColumns(256);
    return { columns, fast: new FastLineDecoder(columns) };
  }

  give(buffers: RowBuffers): void {
    buffers.columns.clear();
    if (buffers.columns.capacity <= KEEP_ROWS && this.#spare.length < 64) this.#spare.push(buffers);
  }
}

/**
 * Collects one body's records as rows (see `BodyRows`): the body rules in
 * parseEventsBody.ts hand it each NDJSON line's bytes, or each decoded array element.
 */
export class RowCollector {
  readonly #buffers: RowBuffers;
  readonly #pool: RowBufferPool;
  readonly #rowIndexes: number[] = [];
  #spans: Int32Array<ArrayBuffer> = new Int32Array(512);
  #unknownTypes: Int32Array<ArrayBuffer> | null = null;
  readonly #misfits: RowMisfit[] = [];
  readonly #decoded = new Map<number, EmnifyEvent>();
  readonly #texts = new Map<number, string>();
  /** Lines the WebAssembly decoder made rows of, not yet appended (`wasmLine`): start, stop, record index. */
  #wasmLines: number[] = [];

  constructor(pool: RowBufferPool) {
    this.#pool = pool;
    this.#buffers = pool.take();
  }

  /**
   * An NDJSON line `bytes[start, stop)` (without `\n` and a final `\r`) through the fast
   * decoder: `LINE_ROW` (a row), `LINE_BLANK` (not a record), or `LINE_FULL` (it cannot be
   * sure: decode the text fully and pass the event to `event`).
   */
  fastLine(bytes: Buffer, start: number, stop: number, index: number): number {
    const row = this.#buffers.fast.decodeLine(bytes, start, stop);
    if (row === FAST_BLANK) return LINE_BLANK;
    if (row < 0) return LINE_FULL;
    this.#rowIndexes.push(index);
    this.#span(row, start, stop);
    return LINE_ROW;
  }

  /**
   * A record the full decoder decoded: an array element (journaled as canonical JSON), or a
   * line: then its bytes are journaled as they are, or `text` (what they decoded from) when
   * given (bytes that are not UTF-8: the journal holds text).
   */
  event(event: EmnifyEvent, index: number, start = -1, stop = -1, text?: string): void {
    const device = classifyEvent(event);
    const columns = this.#buffers.columns;
    const pushed = columns.push(device);
    if (!pushed.ok) {
      this.#misfits.push({ index, at: device.at, code: pushed.error.code, message: pushed.error.message });
      return;
    }
    const row = pushed.value;
    this.#rowIndexes.push(index);
    this.#span(row, start, stop);
    this.#decoded.set(row, event);
    if (text !== undefined) {
      this.#texts.set(row, text);
      this.#span(row, -1, -1);
    }
    if (event.type === 'unknown') {
      const types = ensure(this.#unknownTypes ?? new Int32Array(0), row + 1, -1);
      types[row] = event.typeId;
      this.#unknownTypes = types;
    }
  }

  /**
   * A line `bytes[start, stop)` the WebAssembly decoder made a row of: its row comes with the
   * next `wasmRows` (rows and lines in the same order).
   */
  wasmLine(start: number, stop: number, index: number): void {
    this.#wasmLines.push(start, stop, index);
  }

  /** Appends rows [from, to) of `chunk`: those of the lines `wasmLine` gave since the last call, in order. */
  wasmRows(chunk: DecodedChunk, from: number, to: number): void {
    const lines = this.#wasmLines;
    if (lines.length !== 3 * (to - from)) throw new Error(`${lines.length / 3} lines for ${to - from} rows of the WebAssembly decoder`);
    const first = this.#buffers.columns.length;
    chunk.appendRows(this.#buffers.columns, from, to);
    for (let k = 0; k < to - from; k++) {
      this.#rowIndexes.push(lines[3 * k + 2] as number);
      this.#span(first + k, lines[3 * k] as number, lines[3 * k + 1] as number);
    }
    lines.length = 0;
  }

  /** Forgets every record collected (an array body that turned out not to be JSON accepts none). */
  reset(): void {
    this.#wasmLines.length = 0;
    this.#buffers.columns.clear();
    this.#rowIndexes.length = 0;
    this.#unknownTypes = null;
    this.#misfits.length = 0;
    this.#decoded.clear();
    this.#texts.clear();
  }

  #span(row: number, start: number, stop: number): void {
    this.#spans = ensure(this.#spans, 2 * row + 2, 0);
    this.#spans[2 * row] = start;
    this.#spans[2 * row + 1] = stop;
  }

  result(format: BodyRows['format'], bytes: Buffer, tally: ConstructorParameters<typeof BodyRows>[0]['tally']): BodyRows {
    const buffers = this.#buffers;
    const n = buffers.columns.length;
    let released = false;
    return new BodyRows({
      format,
      rows: buffers.columns,
      rowIndexes: this.#rowIndexes,
      unknownTypes: this.#unknownTypes === null ? null : ensure(this.#unknownTypes, n, -1),
      misfits: this.#misfits,
      tally,
      bytes,
      spans: this.#spans,
      decoded: this.#decoded,
      texts: this.#texts,
      release: () => {
        if (released) return;
        released = true;
        this.#pool.give(buffers);
      },
    });
  }
}

/** `a`, or a copy of it grown to at least `n` entries (new ones `fill`). */
function ensure(a: Int32Array<ArrayBuffer>, n: number, fill: number): Int32Array<ArrayBuffer> {
  if (a.length >= n) return a;
  const grown = new Int32Array(Math.max(n, a.length * 2)).fill(fill);
  grown.set(a);
  return grown;
}
