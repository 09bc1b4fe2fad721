/**
 * Decoding one emnify event record from its JSON text (a line of an NDJSON log, a
 * webhook body).
 */
import type { EmnifyEvent } from '../model/event.js';
import type { DecodeResult } from './DecodeError.js';
import { decodeRecord } from './internal/decodeRecord.js';
import { parseJsonText } from './parseJsonText.js';

export { parseJsonText } from './parseJsonText.js';

/**
 * Decodes one JSON text holding one event record. Integers beyond 2^53 (event ids,
 * bare-number ICCIDs) keep their exact digits. Never throws.
 *
 * JSON is strict: a raw control character inside a string is invalid JSON. The
 * seed's Update location example has a raw line break inside its description, so
 * that text is an `invalid_json` error pointing at the break (the line it ends and
 * the column just past that line's last character); with the break escaped as
 * `\n` the same record decodes. Being lenient here would accept records no other
 * JSON tool accepts, and a line-based log cannot hold such a record on one line.
 *
 * `at.line` is the line of the source file where the text starts (default 1): JSON
 * syntax errors report `line` in the file and `column` in that line; structural
 * errors (a missing field…) report `at.line` as their `line`, when given.
 *
 * @example
 * const r = decodeEventText('{"id":1,"timestamp":"2021-10-27T08:38:02Z","event_type":{"id":0}}');
 * if (r.ok) r.value.type; // 'generic'
 * decodeEventText('{"id":1,', { line: 12 }); // error invalid_json, line 12, column 9
 */
export function decodeEventText(text: string, at?: { line?: number }): DecodeResult<EmnifyEvent> {
  const parsed = parseJsonText(text);
  const firstLine = at?.line ?? 1;
  if (!parsed.ok) {
    const { error } = parsed;
    if (firstLine === 1 || error.line === undefined) return parsed;
    return {
      ok: false,
      error: error.atLocation(error.column === undefined ? { line: error.line + firstLine - 1 } : { line: error.line + firstLine - 1, column: error.column }),
    };
  }
  const decoded = decodeRecord(parsed.value, true);
  if (decoded.ok || at?.line === undefined) return decoded;
  return { ok: false, error: decoded.error.atLocation({ line: at.line }) };
}
