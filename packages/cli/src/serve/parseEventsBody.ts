import { type DecodeError, decodeEvent, decodeEventText, type EmnifyEvent, parseJsonText } from '@simfleet/core';

/** Why one record of a body was refused, and where it was. */
export interface RecordReject {
  /** 0-based record index in the body (array element, or non-blank NDJSON line); `null` when the body as a whole failed. */
  readonly index: number | null;
  /** 1-based line in the body, where known. */
  readonly line: number | null;
  /** 1-based column, for JSON syntax errors. */
  readonly column: number | null;
  /** The decoder's error code (`invalid_json`, `missing_field`, …) or `empty_body`. */
  readonly code: string;
  /** JSON path inside the record (`$.event_type.id`). */
  readonly path: string;
  readonly message: string;
}

/** A body, split into decoded events and refused records. */
export interface ParsedBody {
  readonly format: 'object' | 'array' | 'ndjson';
  readonly events: readonly EmnifyEvent[];
  readonly rejects: readonly RecordReject[];
}

const NDJSON_TYPES = new Set(['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/x-jsonlines', 'application/jsonlines']);

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
export function parseEventsBody(raw: string, contentType: string | undefined): ParsedBody {
  const text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  const lines = text.split('\n');
  const nonBlank = lines.filter((line) => line.trim() !== '');
  if (nonBlank.length === 0) {
    return { format: 'object', events: [], rejects: [{ index: null, line: null, column: null, code: 'empty_body', path: '$', message: 'the body holds no event' }] };
  }
  const first = (nonBlank[0] as string).trim();
  const ndjson =
    NDJSON_TYPES.has(mediaType) ||
    (nonBlank.length > 1 && !first.startsWith('[') && (parseJsonText(first).ok || nonBlank.every((line) => line.trimStart().startsWith('{'))));
  if (ndjson) return parseNdjson(lines);
  return parseJsonBody(text);
}

function parseNdjson(lines: readonly string[]): ParsedBody {
  const events: EmnifyEvent[] = [];
  const rejects: RecordReject[] = [];
  let index = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).replace(/\r$/, '');
    if (line.trim() === '') continue;
    const result = decodeEventText(line, { line: i + 1 });
    if (result.ok) events.push(result.value);
    else rejects.push(reject(index, i + 1, result.error));
    index += 1;
  }
  return { format: 'ndjson', events, rejects };
}

function parseJsonBody(text: string): ParsedBody {
  const parsed = parseJsonText(text);
  if (!parsed.ok) return { format: 'object', events: [], rejects: [reject(null, parsed.error.line ?? null, parsed.error)] };
  const value = parsed.value;
  if (!Array.isArray(value)) {
    const result = decodeEvent(value);
    return result.ok ? { format: 'object', events: [result.value], rejects: [] } : { format: 'object', events: [], rejects: [reject(0, null, result.error)] };
  }
  const events: EmnifyEvent[] = [];
  const rejects: RecordReject[] = [];
  value.forEach((item, index) => {
    const result = decodeEvent(item);
    if (result.ok) events.push(result.value);
    else rejects.push(reject(index, null, result.error));
  });
  if (value.length === 0) rejects.push({ index: null, line: null, column: null, code: 'empty_body', path: '$', message: 'the array holds no event' });
  return { format: 'array', events, rejects };
}

function reject(index: number | null, line: number | null, error: DecodeError): RecordReject {
  return { index, line: error.line ?? line, column: error.column ?? null, code: error.code, path: error.path, message: error.message };
}
