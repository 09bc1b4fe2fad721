import { DecodeError, decodeEventText, type EmnifyEvent, parseJsonText } from '@simfleet/core';
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
  const steps = bodySteps(typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw, contentType, options.maxListedRejects ?? Number.POSITIVE_INFINITY);
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
  const sliceMs = options.sliceMs ?? 4;
  const steps = bodySteps(body, contentType, options.maxListedRejects ?? 100);
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
function runSlice(steps: Generator<void, ParsedBody>, sliceMs: number): IteratorResult<void, ParsedBody> {
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
 * The decoding itself, as a generator that yields every `STEP` records or lines: the
 * one place the body rules live, run to completion by `parseEventsBody` and in time
 * slices by `decodeEventsBody`. It reads the bytes line by line or element by element
 * and never makes one string of the whole body.
 */
function* bodySteps(bytes: Buffer, contentType: string | undefined, maxListed: number): Generator<void, ParsedBody> {
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  // The first two non-blank lines decide, unless the content type already did.
  const first = nextNonBlankLine(bytes, start);
  if (first === null) return whole('object', 'empty_body', 'the body holds no event', maxListed);
  const hasSecond = nextNonBlankLine(bytes, first.end + 1) !== null;
  let ndjson = NDJSON_TYPES.has(mediaType);
  if (!ndjson && hasSecond && !first.text.startsWith('[')) {
    ndjson = parseJsonText(first.text).ok || (yield* everyLineStartsWithBrace(bytes, start));
  }
  if (ndjson) return yield* ndjsonSteps(bytes, start, maxListed);
  if (first.text.startsWith('[')) return yield* arraySteps(bytes, start, maxListed);
  const text = bytes.toString('utf8', start);
  const parsed = parseJsonText(text);
  const tally = new RejectTally(maxListed);
  if (!parsed.ok) {
    tally.add(reject(null, parsed.error.line ?? null, parsed.error));
    return tally.result('object', []);
  }
  const result = decodeEventText(text);
  if (result.ok) return tally.result('object', [result.value]);
  tally.add(reject(0, null, result.error));
  return tally.result('object', []);
}

function whole(format: ParsedBody['format'], code: string, message: string, maxListed: number): ParsedBody {
  const tally = new RejectTally(maxListed);
  tally.add({ index: null, line: null, column: null, code, path: '$', message });
  return tally.result(format, []);
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

function* ndjsonSteps(bytes: Buffer, from: number, maxListed: number): Generator<void, ParsedBody> {
  const events: EmnifyEvent[] = [];
  const texts: string[] = [];
  const indexes: number[] = [];
  const tally = new RejectTally(maxListed);
  const failed = new FailedDecodes();
  let index = 0;
  let lineNumber = 1;
  for (let at = from; at < bytes.length; lineNumber++) {
    const line = lineAt(bytes, at);
    at = line.end + 1;
    if (line.text.trim() === '') continue;
    const result = failed.decode(line.text, lineNumber);
    if (result.ok) {
      events.push(result.value);
      texts.push(line.text);
      indexes.push(index);
    } else tally.add(reject(index, lineNumber, result.error));
    if (++index % STEP === 0) yield;
  }
  return { ...tally.result('ndjson', events, indexes), texts };
}

const isJsonSpace = (b: number | undefined): boolean => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

/**
 * A JSON array, element by element: a byte scanner finds where each element ends
 * (brackets and strings only; structural bytes are ASCII, so UTF-8 never fools it),
 * then each element is decoded as its own JSON text. A syntax error anywhere makes the
 * whole body invalid JSON, as parsing it in one piece would: nothing is accepted and the
 * one reason points at the line and column in the body.
 */
function* arraySteps(bytes: Buffer, from: number, maxListed: number): Generator<void, ParsedBody> {
  const events: EmnifyEvent[] = [];
  const indexes: number[] = [];
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
  const syntax = (found: string, at = cursor.at): ParsedBody => {
    const location = positionOf(bytes, cursor, at);
    const bad = new RejectTally(maxListed);
    bad.add(reject(null, location.line, new DecodeError('invalid_json', '$', 'valid JSON', found, location)));
    return bad.result('array', []);
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
        const column = error.column === undefined ? undefined : error.line === elementLine ? error.column + columnOf(bytes, elementLineStart, elementStart) - 1 : error.column;
        const location = column === undefined ? { line: error.line ?? elementLine } : { line: error.line ?? elementLine, column };
        const bad = new RejectTally(maxListed);
        bad.add(reject(null, location.line, error.atLocation(location)));
        return bad.result('array', []);
      }
      if (result.ok) {
        events.push(result.value);
        indexes.push(index);
      } else tally.add(reject(index, null, result.error));
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
  return tally.result('array', events, indexes);
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
