/**
 * The JSON step of text decoding, exact for big integers.
 *
 * Event ids are 64-bit and ICCIDs/IMSIs sometimes arrive as bare numbers of 19–20
 * digits: `JSON.parse` would round them to the nearest double, so two events could
 * collide in deduplication. The fast path is still `JSON.parse`; only a text with an
 * unquoted-looking run of 16+ digits (every integer beyond 2^53 has 16+ digits) is
 * parsed again with lossless-json, whose number parser turns integers beyond 2^53
 * into `bigint` and leaves every other number exactly as `JSON.parse` would.
 *
 * JSON is strict here, as RFC 8259 says: a raw control character inside a string
 * (such as the line break in the seed's Update location example) is invalid JSON,
 * reported with the line and column of that character.
 *
 * Nesting is limited to `MAX_JSON_DEPTH` levels, checked by a flat scan before anything
 * recursive runs: a deeper text is `too_deep` on every thread (a recursive parser's limit
 * would be the stack of the thread it runs on).
 */
import { parse as parseLossless } from 'lossless-json';
import type { JsonValue } from '../model/event.js';
import { DecodeError, type DecodeResult } from './DecodeError.js';
import { MAX_JSON_DEPTH, tooDeepAt } from './jsonDepth.js';

export { MAX_JSON_DEPTH } from './jsonDepth.js';

/**
 * A run of 16+ digits where a JSON value starts (start of text, after `:`, `[` or
 * `,`). Cheap and may fire inside a string too: that only costs a second parse.
 */
const LONG_INTEGER = /(?:^|[:[,])\s*-?\d{16}/;

const INTEGER_LITERAL = /^-?\d+$/;

/** Integers beyond 2^53 become `bigint`; everything else is the double `JSON.parse` gives. */
function parseNumber(literal: string): number | bigint {
  const n = Number(literal);
  if (Number.isSafeInteger(n) || !INTEGER_LITERAL.test(literal)) return n;
  return BigInt(literal);
}

/** `JSON.parse` keeps the last of duplicate keys; lossless-json throws unless told to do the same. */
const LOSSLESS_OPTIONS = {
  parseNumber,
  onDuplicateKey: ({ newValue }: { newValue: unknown }) => newValue,
};

/**
 * Parses one JSON text. Integers beyond 2^53 come back as exact `bigint`s; invalid
 * JSON is an `invalid_json` error with the 1-based line and column of the problem.
 * Never throws.
 *
 * @example
 * parseJsonText('{"id": 18446744073709551615}') // { ok: true, value: { id: 18446744073709551615n } }
 * parseJsonText('{"a": 1,}')                     // { ok: false, error: DecodeError (line 1, column 9) }
 */
export function parseJsonText(text: string): DecodeResult<JsonValue> {
  if (typeof text !== 'string') {
    return { ok: false, error: new DecodeError('wrong_type', '$', 'a JSON text (string)', typeof text) };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (fast) {
    return { ok: false, error: syntaxError(text, fast) };
  }
  const deep = tooDeepAt(text, MAX_JSON_DEPTH);
  if (deep !== -1) {
    const { line, column } = lineAndColumn(text, deep);
    return {
      ok: false,
      error: new DecodeError(
        'too_deep',
        '$',
        `JSON nested at most ${MAX_JSON_DEPTH} levels deep`,
        `a level ${MAX_JSON_DEPTH + 1} ${JSON.stringify(text.charAt(deep))}`,
        { line, column },
      ),
    };
  }
  if (LONG_INTEGER.test(text)) {
    try {
      // At most MAX_JSON_DEPTH levels: lossless-json's recursion stays far from any stack's end.
      value = parseLossless(text, null, LOSSLESS_OPTIONS);
    } catch (slow) {
      // The text is valid JSON (JSON.parse took it): a SyntaxError is a disagreement between the parsers.
      return { ok: false, error: syntaxError(text, slow) };
    }
  }
  return { ok: true, value: value as JsonValue };
}

/**
 * The error for an invalid text. V8's messages do not always carry a position
 * ("Unexpected token '}'…"), lossless-json's always do ("… at position 8"), so
 * the position comes from re-running lossless-json on the (rare) failure path.
 */
function syntaxError(text: string, first: unknown): DecodeError {
  let reason = messageOf(first);
  let position = positionIn(reason);
  try {
    parseLossless(text, null, LOSSLESS_OPTIONS);
  } catch (second) {
    const secondReason = messageOf(second);
    const secondPosition = positionIn(secondReason);
    if (secondPosition !== null) {
      reason = secondReason;
      position = secondPosition;
    }
  }
  const at = position ?? text.length;
  const { line, column } = lineAndColumn(text, at);
  return new DecodeError('invalid_json', '$', 'valid JSON', `${foundAt(text, at)} (${plainReason(reason)})`, {
    line,
    column,
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The 0-based position in a parser message, if it has one. */
function positionIn(message: string): number | null {
  const match = /at position (\d+)/.exec(message);
  return match?.[1] === undefined ? null : Number(match[1]);
}

/** The parser's reason without the position part (the error carries line and column). */
function plainReason(message: string): string {
  if (message.startsWith('Invalid character')) return 'control characters in strings must be escaped';
  const cut = message.replace(/\s*(?:but (?:got '[\s\S]'|reached end of input)\s*)?(?:in JSON\s*)?at position \d+[\s\S]*$/, '').trim();
  if (cut === '') return 'syntax error';
  const readable = escapeControls(cut);
  return /^[A-Z][a-z]/.test(readable) ? readable.charAt(0).toLowerCase() + readable.slice(1) : readable;
}

/** Control characters quoted from the text would break the message: show them as `\u0001`. */
function escapeControls(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.charCodeAt(0);
    out += code < 0x20 ? `\\u${code.toString(16).padStart(4, '0')}` : char;
  }
  return out;
}

/** What is at the error position, e.g. `line break U+000A`, `"}"`, `end of input`. */
function foundAt(text: string, at: number): string {
  if (at >= text.length) return 'end of input';
  const code = text.charCodeAt(at);
  if (code === 0x0a) return 'line break U+000A';
  if (code === 0x0d) return 'carriage return U+000D';
  if (code < 0x20) return `control character U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return JSON.stringify(text.charAt(at));
}

/**
 * 1-based line and column of a 0-based position. A line ends at `\n`, `\r\n` or a
 * lone `\r`; a line break belongs to the line it ends, so an error pointing at a raw
 * line break is reported at the end of the line the break closes.
 */
export function lineAndColumn(text: string, position: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < position && i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x0a || (code === 0x0d && text.charCodeAt(i + 1) !== 0x0a)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: position - lineStart + 1 };
}
