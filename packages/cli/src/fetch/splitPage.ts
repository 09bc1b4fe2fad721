import { parseJsonText, parseTimestamp } from '@simfleet/core';

/** One event of a page: its exact id, its time, and its original JSON text on one line. */
export interface PageEvent {
  /** The id's decimal digits, exact for every 64-bit id. */
  readonly id: string;
  /** Epoch milliseconds of `timestamp`. */
  readonly timestamp: number;
  /** The element's JSON text as the server sent it, whitespace between tokens removed. */
  readonly line: string;
}

/** An element that is JSON but not an event this client can place (no id or no time). */
export interface PageReject {
  /** 0-based position in the page's array. */
  readonly index: number;
  readonly reason: string;
  readonly text: string;
}

export type SplitPage =
  | { readonly ok: true; readonly events: readonly PageEvent[]; readonly rejects: readonly PageReject[] }
  | { readonly ok: false; readonly reason: string };

/**
 * Splits an Event API page (a JSON array of events) into its events, keeping each
 * element's own text: ids are read from the digits (core's `parseJsonText` gives a
 * `bigint` beyond 2^53), never through a double, and the line written is the text
 * the server sent, not a re-serialisation. A body that is not a JSON array is a
 * malformed page (`ok: false`, retried by the caller); an element without a
 * readable `id` or `timestamp` is a reject with its index.
 *
 * @example
 * splitPage('[{"id":18446744073709551615,"timestamp":"2021-10-27T11:59:29.000Z"}]').events[0].id // '18446744073709551615'
 */
export function splitPage(body: string): SplitPage {
  const text = body.charCodeAt(0) === 0xfeff ? body.slice(1) : body;
  const parsed = parseJsonText(text);
  if (!parsed.ok) return { ok: false, reason: `the body is not JSON: ${parsed.error.message}` };
  if (!Array.isArray(parsed.value)) return { ok: false, reason: `the body is JSON but not an array of events (${describe(parsed.value)})` };
  const elements = elementTexts(text);
  if (elements.length !== parsed.value.length) {
    // The scanner and the parser disagree: a bug, not a server fault; refuse rather than misattribute texts.
    return { ok: false, reason: `the array holds ${parsed.value.length} elements but ${elements.length} were framed` };
  }
  const events: PageEvent[] = [];
  const rejects: PageReject[] = [];
  parsed.value.forEach((value, index) => {
    const line = elements[index] as string;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      rejects.push({ index, reason: `not an event object (${describe(value)})`, text: line });
      return;
    }
    const record = value as { readonly id?: unknown; readonly timestamp?: unknown };
    const id = idDigits(record.id);
    if (id === null) {
      rejects.push({ index, reason: `no integer id (found ${describe(record.id)})`, text: line });
      return;
    }
    const timestamp = typeof record.timestamp === 'string' ? parseTimestamp(record.timestamp) : null;
    if (timestamp === null) {
      rejects.push({ index, reason: `no readable timestamp (found ${describe(record.timestamp)})`, text: line });
      return;
    }
    events.push({ id, timestamp, line });
  });
  return { ok: true, events, rejects };
}

/** An event id as decimal digits: a JSON integer (number or bigint) or a string of digits. */
function idDigits(value: unknown): string | null {
  if (typeof value === 'bigint') return value >= 0n ? value.toString() : null;
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? String(value) : null;
  if (typeof value === 'string' && /^\d{1,20}$/.test(value)) return BigInt(value).toString();
  return null;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The texts of a valid JSON array's elements, each with the whitespace between tokens
 * removed (a pretty-printed page has line breaks inside elements; NDJSON needs one line
 * per event). Whitespace inside strings is kept; raw line breaks cannot occur there in
 * valid JSON. The caller has already checked that the text is a valid array.
 */
function elementTexts(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let inString = false;
  let escaped = false;
  let current = '';
  let runStart = -1;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (escaped) escaped = false;
      else if (code === BACKSLASH) escaped = true;
      else if (code === QUOTE) inString = false;
      continue;
    }
    if (code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09) {
      if (runStart !== -1) {
        current += text.slice(runStart, i);
        runStart = -1;
      }
      continue;
    }
    if (depth === 0) {
      if (code === 0x5b) depth = 1;
      continue;
    }
    if (depth === 1 && (code === 0x2c || code === 0x5d)) {
      if (runStart !== -1) current += text.slice(runStart, i);
      runStart = -1;
      if (current !== '') out.push(current);
      current = '';
      if (code === 0x5d) depth = 0;
      continue;
    }
    if (code === 0x7b || code === 0x5b) depth++;
    else if (code === 0x7d || code === 0x5d) depth--;
    else if (code === QUOTE) inString = true;
    if (runStart === -1) runStart = i;
  }
  return out;
}
