import { DecodeError, decodeEventText, type EmnifyEvent, parseJsonText } from '@simfleet/core';
import { invalidUtf8Offset } from '@simfleet/core/columns';
import { type DecodedChunk, STATUS_BLANK, STATUS_ROW } from '@simfleet/wasm';
import { type BodyRows, LINE_BLANK, LINE_ROW, type RowBufferPool, RowCollector } from './BodyRows.js';
import type { ParsedBody, RecordReject } from './ParsedBody.js';
import { RejectTally } from './RejectTally.js';

export type { ParsedBody, RecordReject } from './ParsedBody.js';

/** Options of `parseEventsBody` and `decodeEventsBody`. */
export interface ParseBodyOptions {
  /** How many reasons to keep in full (default: all for `parseEventsBody`, 100 for `decodeEventsBody`). */
  readonly maxListedRejects?: number;
}

const NDJSON_TYPES = new Set(['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/x-jsonlines', 'application/jsonlines']);
/** Records (or lines) between two points where decoding may pause. */
const STEP = 64;
/**
 * NDJSON bodies up to this size go through the WebAssembly decoder, in one call (about a
 * millisecond for this many bytes, and one chunk of the decoder's input); larger ones
 * through the fast decoder in JavaScript, in slices.
 */
const WASM_BODY_BYTES = 256 * 1024;
/**
 * Lines the WebAssembly decoder leaves to the full decoder that one body may have and
 * still be settled in that same call; a body with more (a batch of bad records) is decoded
 * again in slices, so that no body holds the event loop for long.
 */
const WASM_MAX_FULL_LINES = 64;

/**
 * Splits a `POST /events` body into events. A body is NDJSON when its `Content-Type`
 * says so, or when it has several non-blank lines and either the first one is a JSON
 * text by itself or every one starts with `{`; otherwise it is one JSON text: an event
 * object or an array of events (Data Streamer style). Every record is decoded on its
 * own: one bad record does not hide the good ones.
 *
 * @example
 * parseEventsBody('{"id":1,…}\n{"id":2,…}', 'application/x-ndjson').events.length // 2
 */
export function parseEventsBody(raw: string | Buffer, contentType: string | undefined, options: ParseBodyOptions = {}): ParsedBody {
  const bytes = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
  const steps = bodySteps(bytes, contentType, options.maxListedRejects ?? Number.POSITIVE_INFINITY, new EventCollector());
  for (;;) {
    const step = runSlice(steps, Number.POSITIVE_INFINITY);
    if (step.done === true) return step.value;
  }
}

/**
 * `parseEventsBody` that never holds the event loop for more than about `sliceMs` (default
 * 4 ms) at a time: it decodes a few records, checks the clock, and yields to other
 * requests (`setImmediate`) once its slice is spent. Same result as `parseEventsBody`.
 *
 * @example
 * const parsed = await decodeEventsBody(body, req.headers['content-type']);
 */
export async function decodeEventsBody(
  body: Buffer,
  contentType: string | undefined,
  options: ParseBodyOptions & { readonly sliceMs?: number } = {},
): Promise<ParsedBody> {
  return runSliced(bodySteps(body, contentType, options.maxListedRejects ?? 100, new EventCollector()), options.sliceMs ?? 4);
}

/**
 * `decodeEventsBody` straight into the engine's rows (`BodyRows`): the same body rules,
 * records and reasons, but NDJSON lines go through core's fast line decoder (no event
 * object, no string per line) and only the lines it cannot be sure of through the full
 * decoder. Sliced like `decodeEventsBody`.
 *
 * @example
 * const body = await decodeBodyRows(bytes, req.headers['content-type'], new RowBufferPool(live.fleet));
 * body.rows.length; // records the engine can hold
 */
export async function decodeBodyRows(
  body: Buffer,
  contentType: string | undefined,
  buffers: RowBufferPool,
  options: ParseBodyOptions & { readonly sliceMs?: number } = {},
): Promise<BodyRows> {
  return runSliced(bodySteps(body, contentType, options.maxListedRejects ?? 100, new RowsCollector(buffers, body)), options.sliceMs ?? 4);
}

async function runSliced<R>(steps: Generator<void, R>, sliceMs: number): Promise<R> {
  for (;;) {
    const step = runSlice(steps, sliceMs);
    if (step.done === true) return step.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/**
 * Runs the steps for up to `sliceMs`. The decoder reports a bad record by throwing and
 * catching a `DecodeError` inside itself; capturing a stack trace for each is most of
 * the cost of a bad record (about 4 of 7 µs) and the trace is never read, so there is
 * none while a slice runs (the setting is restored before anything else can run).
 */
function runSlice<R>(steps: Generator<void, R>, sliceMs: number): IteratorResult<void, R> {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    const start = performance.now();
    for (;;) {
      const step = steps.next();
      if (step.done === true || performance.now() - start >= sliceMs) return step;
    }
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** Short texts whose decoding failed, with the result, for one body: a body repeating one bad record pays for it once. */
class FailedDecodes {
  readonly #results = new Map<string, ReturnType<typeof decodeEventText>>();

  decode(text: string, line: number): ReturnType<typeof decodeEventText> {
    if (text.length > 64) return decodeEventText(text, { line });
    const key = `${line}\u0000${text}`;
    const known = this.#results.get(key);
    if (known !== undefined) return known;
    const result = decodeEventText(text, { line });
    if (!result.ok && this.#results.size < 1024) this.#results.set(key, result);
    return result;
  }
}

/**
 * Where the body rules put the records: event objects (`parseEventsBody`) or the engine's
 * rows (`decodeBodyRows`). One set of rules, two destinations.
 */
interface Collector<R> {
  /**
   * An NDJSON line `bytes[start, stop)` (without its `\n` and a final `\r`), its 1-based line
   * number and record index; decodes it or adds its reason to `tally`. False when blank.
   */
  line(bytes: Buffer, start: number, stop: number, lineNumber: number, index: number, tally: RejectTally): boolean;
  /** A decoded record of an array or object body (`text` decoded to it). */
  event(event: EmnifyEvent, index: number): void;
  /** Forgets every record collected (a body that turned out not to be JSON accepts none). */
  reset(): void;
  result(format: ParsedBody['format'], tally: RejectTally): R;
}

/** The records as event objects, and each NDJSON line's text (`ParsedBody`). */
class EventCollector implements Collector<ParsedBody> {
  readonly #events: EmnifyEvent[] = [];
  readonly #texts: string[] = [];
  readonly #indexes: number[] = [];
  readonly #failed = new FailedDecodes();

  line(bytes: Buffer, start: number, stop: number, lineNumber: number, index: number, tally: RejectTally): boolean {
    const text = bytes.toString('utf8', start, stop);
    if (text.trim() === '') return false;
    const result = this.#failed.decode(text, lineNumber);
    if (result.ok) {
      this.#events.push(result.value);
      this.#texts.push(text);
      this.#indexes.push(index);
    } else tally.add(reject(index, lineNumber, result.error));
    return true;
  }

  event(event: EmnifyEvent, index: number): void {
    this.#events.push(event);
    this.#indexes.push(index);
  }

  reset(): void {
    this.#events.length = 0;
    this.#texts.length = 0;
    this.#indexes.length = 0;
  }

  result(format: ParsedBody['format'], tally: RejectTally): ParsedBody {
    const parsed = { format, events: this.#events, eventIndexes: this.#indexes, ...tally.summary() };
    return format === 'ndjson' ? { ...parsed, texts: this.#texts } : parsed;
  }
}

/** The records as the engine's rows (`BodyRows`): NDJSON lines through the fast decoder first. */
class RowsCollector implements Collector<BodyRows> {
  readonly #rows: RowCollector;
  readonly #bytes: Buffer;
  readonly #failed = new FailedDecodes();
  readonly buffers: RowBufferPool;

  constructor(buffers: RowBufferPool, bytes: Buffer) {
    this.#rows = new RowCollector(buffers);
    this.#bytes = bytes;
    this.buffers = buffers;
  }

  /** A line the WebAssembly decoder made a row of (see `RowCollector.wasmLine`). */
  wasmLine(start: number, stop: number, index: number): void {
    this.#rows.wasmLine(start, stop, index);
  }

  wasmRows(chunk: DecodedChunk, from: number, to: number): void {
    this.#rows.wasmRows(chunk, from, to);
  }

  line(bytes: Buffer, start: number, stop: number, lineNumber: number, index: number, tally: RejectTally): boolean {
    const kind = this.#rows.fastLine(bytes, start, stop, index);
    if (kind === LINE_ROW) return true;
    if (kind === LINE_BLANK) return false;
    // What the fast decoder cannot be sure of: the full decoder on the text, as parseEventsBody does.
    const text = bytes.toString('utf8', start, stop);
    if (text.trim() === '') return false;
    const result = this.#failed.decode(text, lineNumber);
    if (result.ok) {
      // Bytes that are not UTF-8 decoded with U+FFFD in their place: the journal keeps that text, as replay reads only UTF-8.
      if (invalidUtf8Offset(bytes, start, stop) === -1) this.#rows.event(result.value, index, start, stop);
      else this.#rows.event(result.value, index, -1, -1, text);
    } else tally.add(reject(index, lineNumber, result.error));
    return true;
  }

  event(event: EmnifyEvent, index: number): void {
    this.#rows.event(event, index);
  }

  reset(): void {
    this.#rows.reset();
  }

  result(format: ParsedBody['format'], tally: RejectTally): BodyRows {
    return this.#rows.result(format, this.#bytes, tally.summary());
  }
}

/**
 * The decoding itself, as a generator that yields every `STEP` records or lines: the
 * one place the body rules live, run to completion by `parseEventsBody` and in time
 * slices by `decodeEventsBody` and `decodeBodyRows`. It reads the bytes line by line or
 * element by element and never makes one string of the whole body.
 */
function* bodySteps<R>(bytes: Buffer, contentType: string | undefined, maxListed: number, into: Collector<R>): Generator<void, R> {
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  // The first two non-blank lines decide, unless the content type already did.
  const first = nextNonBlankLine(bytes, start);
  if (first === null) return whole(into, 'object', 'empty_body', 'the body holds no event', maxListed);
  const hasSecond = nextNonBlankLine(bytes, first.end + 1) !== null;
  let ndjson = NDJSON_TYPES.has(mediaType);
  if (!ndjson && hasSecond && !first.text.startsWith('[')) {
    ndjson = parseJsonText(first.text).ok || (yield* everyLineStartsWithBrace(bytes, start));
  }
  if (ndjson) {
    if (into instanceof RowsCollector && bytes.length - start <= WASM_BODY_BYTES) {
      const decoded = ndjsonWasm(bytes, start, maxListed, into);
      if (decoded !== null) return decoded as R;
    }
    return yield* ndjsonSteps(bytes, start, maxListed, into);
  }
  if (first.text.startsWith('[')) return yield* arraySteps(bytes, start, maxListed, into);
  const text = bytes.toString('utf8', start);
  const parsed = parseJsonText(text);
  const tally = new RejectTally(maxListed);
  if (!parsed.ok) {
    tally.add(reject(null, parsed.error.line ?? null, parsed.error));
    return into.result('object', tally);
  }
  const result = decodeEventText(text);
  if (result.ok) into.event(result.value, 0);
  else tally.add(reject(0, null, result.error));
  return into.result('object', tally);
}

function whole<R>(into: Collector<R>, format: ParsedBody['format'], code: string, message: string, maxListed: number): R {
  const tally = new RejectTally(maxListed);
  tally.add({ index: null, line: null, column: null, code, path: '$', message });
  into.reset();
  return into.result(format, tally);
}

/** The line starting at `from` (without its `\n` and a final `\r`), and where it ends. */
function lineAt(bytes: Buffer, from: number): { text: string; end: number } {
  const nl = bytes.indexOf(10, from);
  const end = nl === -1 ? bytes.length : nl;
  const stop = end > from && bytes[end - 1] === 13 ? end - 1 : end;
  return { text: bytes.toString('utf8', from, stop), end };
}

function nextNonBlankLine(bytes: Buffer, from: number): { text: string; end: number } | null {
  for (let at = from; at < bytes.length; ) {
    const line = lineAt(bytes, at);
    const trimmed = line.text.trim();
    if (trimmed !== '') return { text: trimmed, end: line.end };
    at = line.end + 1;
  }
  return null;
}

function* everyLineStartsWithBrace(bytes: Buffer, from: number): Generator<void, boolean> {
  let n = 0;
  for (let at = from; at < bytes.length; ) {
    const line = lineAt(bytes, at);
    if (line.text.trim() !== '' && !line.text.trimStart().startsWith('{')) return false;
    at = line.end + 1;
    if (++n % STEP === 0) yield;
  }
  return true;
}

function* ndjsonSteps<R>(bytes: Buffer, from: number, maxListed: number, into: Collector<R>): Generator<void, R> {
  const tally = new RejectTally(maxListed);
  let index = 0;
  let lineNumber = 1;
  for (let at = from; at < bytes.length; lineNumber++) {
    const nl = bytes.indexOf(10, at);
    const end = nl === -1 ? bytes.length : nl;
    const stop = end > at && bytes[end - 1] === 13 ? end - 1 : end;
    const start = at;
    at = end + 1;
    if (!into.line(bytes, start, stop, lineNumber, index, tally)) continue;
    if (++index % STEP === 0) yield;
  }
  return into.result('ndjson', tally);
}

/**
 * `ndjsonSteps` for a small body, through the WebAssembly decoder (`@simfleet/wasm`, as
 * replay reads files) in one call: its rows go straight into the columns, and each line it
 * leaves to the full decoder (a form it does not decide, invalid JSON or UTF-8) goes through
 * `RowsCollector.line` as `ndjsonSteps` would send it, in line order, so rows, records,
 * indexes and reasons are the same. Null (nothing collected) when more than
 * `WASM_MAX_FULL_LINES` lines need the full decoder: the caller decodes in slices instead.
 */
function ndjsonWasm(bytes: Buffer, from: number, maxListed: number, into: RowsCollector): BodyRows | null {
  const tally = new RejectTally(maxListed);
  const decoder = into.buffers.wasm();
  let index = 0;
  let lineNumber = 1;
  let fullLines = 0;
  let bailed = false;
  decoder.startInput(false);
  decoder.feed(bytes.subarray(from), true, (chunk) => {
    if (bailed) return;
    const status = chunk.status;
    for (let i = 0; i < chunk.lines; i++) if (status[i] !== STATUS_ROW && status[i] !== STATUS_BLANK) fullLines++;
    if (fullLines > WASM_MAX_FULL_LINES) {
      bailed = true;
      return;
    }
    const base = from + chunk.offset;
    let row = 0;
    for (let i = 0; i < chunk.lines; i++, lineNumber++) {
      const s = status[i] as number;
      if (s === STATUS_BLANK) continue;
      const start = base + (chunk.start[i] as number);
      const end = base + (chunk.end[i] as number);
      // Spans as ndjsonSteps cuts them: without a final '\r'.
      const stop = end > start && bytes[end - 1] === 13 ? end - 1 : end;
      if (s === STATUS_ROW) {
        into.wasmLine(start, stop, index++);
        continue;
      }
      const before = chunk.row[i] as number;
      if (before > row) {
        into.wasmRows(chunk, row, before);
        row = before;
      }
      if (into.line(bytes, start, stop, lineNumber, index, tally)) index++;
    }
    if (chunk.rows > row) into.wasmRows(chunk, row, chunk.rows);
  });
  if (bailed) {
    into.reset();
    return null;
  }
  return into.result('ndjson', tally);
}

const isJsonSpace = (b: number | undefined): boolean => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

/**
 * A JSON array, element by element: a byte scanner finds where each element ends
 * (brackets and strings only; structural bytes are ASCII, so UTF-8 never fools it),
 * then each element is decoded as its own JSON text. A syntax error anywhere makes the
 * whole body invalid JSON, as parsing it in one piece would: nothing is accepted and the
 * one reason points at the line and column in the body.
 */
function* arraySteps<R>(bytes: Buffer, from: number, maxListed: number, into: Collector<R>): Generator<void, R> {
  const tally = new RejectTally(maxListed);
  const failed = new FailedDecodes();
  const cursor = { at: from, line: 1, lineStart: from };
  const skipSpace = (): void => {
    while (isJsonSpace(bytes[cursor.at])) {
      if (bytes[cursor.at] === 0x0a) {
        cursor.line += 1;
        cursor.lineStart = cursor.at + 1;
      }
      cursor.at += 1;
    }
  };
  const syntax = (found: string, at = cursor.at): R => {
    const location = positionOf(bytes, cursor, at);
    const bad = new RejectTally(maxListed);
    bad.add(reject(null, location.line, new DecodeError('invalid_json', '$', 'valid JSON', found, location)));
    into.reset();
    return into.result('array', bad);
  };
  skipSpace();
  cursor.at += 1; // the '['
  skipSpace();
  let index = 0;
  if (bytes[cursor.at] === 0x5d) {
    cursor.at += 1;
  } else {
    for (;;) {
      skipSpace();
      const elementStart = cursor.at;
      const elementLine = cursor.line;
      const elementLineStart = cursor.lineStart;
      const end = elementEnd(bytes, elementStart, cursor);
      if (end === -1) return syntax('the end of the body inside an array element (unbalanced brackets or an unterminated string)', bytes.length);
      if (end === elementStart) return syntax(`${describeByte(bytes[end])} where an array element should start`);
      const result = failed.decode(bytes.toString('utf8', elementStart, end).trimEnd(), elementLine);
      if (!result.ok && result.error.code === 'invalid_json') {
        const error = result.error;
        // Only now the element's column (counting it for every element would be quadratic on a one-line body).
        const column =
          error.column === undefined
            ? undefined
            : error.line === elementLine
              ? error.column + columnOf(bytes, elementLineStart, elementStart) - 1
              : error.column;
        const location = column === undefined ? { line: error.line ?? elementLine } : { line: error.line ?? elementLine, column };
        const bad = new RejectTally(maxListed);
        bad.add(reject(null, location.line, error.atLocation(location)));
        into.reset();
        return into.result('array', bad);
      }
      if (result.ok) into.event(result.value, index);
      else tally.add(reject(index, null, result.error));
      index += 1;
      cursor.at = end;
      if (bytes[cursor.at] === 0x5d) {
        cursor.at += 1;
        break;
      }
      if (bytes[cursor.at] !== 0x2c) return syntax(`${describeByte(bytes[cursor.at])} where a ',' or ']' should follow an array element`);
      cursor.at += 1;
      if (index % STEP === 0) yield;
    }
  }
  skipSpace();
  if (cursor.at < bytes.length) return syntax(`${describeByte(bytes[cursor.at])} after the array's closing bracket`);
  if (index === 0) tally.add({ index: null, line: null, column: null, code: 'empty_body', path: '$', message: 'the array holds no event' });
  return into.result('array', tally);
}

/**
 * Where the element starting at `from` ends: the offset of the first `,`, `]` or `}` outside
 * any bracket (trailing spaces belong to the element), or -1 when the body ends first. Counts lines
 * into `cursor` on the way.
 */
function elementEnd(bytes: Buffer, from: number, cursor: { line: number; lineStart: number }): number {
  let depth = 0;
  for (let i = from; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (b === 0x22) {
      // A string: skip to its closing quote, over escapes.
      for (i += 1; i < bytes.length && bytes[i] !== 0x22; i++) {
        if (bytes[i] === 0x5c) i += 1;
        else if (bytes[i] === 0x0a) {
          cursor.line += 1;
          cursor.lineStart = i + 1;
        }
      }
      if (i >= bytes.length) return -1;
    } else if (b === 0x7b || b === 0x5b) depth += 1;
    else if (b === 0x7d || b === 0x5d) {
      if (depth === 0) return i;
      depth -= 1;
    } else if (b === 0x2c && depth === 0) return i;
    else if (b === 0x0a) {
      cursor.line += 1;
      cursor.lineStart = i + 1;
    }
  }
  return -1;
}

function columnOf(bytes: Buffer, lineStart: number, at: number): number {
  // Columns count characters, as the JSON parser's do.
  return bytes.toString('utf8', lineStart, at).length + 1;
}

function positionOf(bytes: Buffer, cursor: { line: number; lineStart: number }, at: number): { line: number; column: number } {
  return { line: cursor.line, column: columnOf(bytes, cursor.lineStart, Math.min(at, bytes.length)) };
}

function describeByte(b: number | undefined): string {
  return b === undefined ? 'the end of the body' : `'${String.fromCharCode(b)}'`;
}

function reject(index: number | null, line: number | null, error: DecodeError): RecordReject {
  return { index, line: error.line ?? line, column: error.column ?? null, code: error.code, path: error.path, message: error.message };
}
