/**
 * The decoder's one error type: a stable `code`, a JSON path, what was expected and
 * what was found, and — for text input — where in the text it went wrong.
 *
 * The decoder returns it as a value (`DecodeResult`) and never throws it: a bad
 * record on a live stream is data to count and report, not an exception.
 */

/** Why a record could not be decoded. Stable: consumers count and switch on it. */
export type DecodeErrorCode =
  | 'invalid_json'
  | 'not_an_object'
  | 'missing_field'
  | 'wrong_type'
  | 'invalid_timestamp'
  | 'unsafe_integer'
  | 'invalid_value'
  /** Objects and arrays nested deeper than `MAX_JSON_DEPTH` levels. */
  | 'too_deep';

/** Where in a text an error is: 1-based line and column (UTF-16 code units). */
export interface TextLocation {
  readonly line?: number;
  readonly column?: number;
}

/**
 * A record that could not be decoded.
 *
 * @example
 * const r = decodeEvent({ id: 1, timestamp: '2021-10-27T08:38:02Z', event_type: { id: 'x' } });
 * if (!r.ok) r.error.message; // '$.event_type.id: expected an integer, found string "x"'
 */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  readonly code: DecodeErrorCode;
  /** JSON path of the offending value, `$` for the whole record: `$.event_type.id`. */
  readonly path: string;
  /** What the decoder needed there, in words: `an integer`. */
  readonly expected: string;
  /** What it got: the type and a short preview, `string "x"`, or `nothing` when missing. */
  readonly found: string;
  /** 1-based line in the source text (offset by `decodeEventText`'s `at.line`). */
  readonly line?: number;
  /** 1-based column in that line, for JSON syntax errors. */
  readonly column?: number;

  constructor(code: DecodeErrorCode, path: string, expected: string, found: string, location: TextLocation = {}) {
    super(formatMessage(path, expected, found, location));
    this.code = code;
    this.path = path;
    this.expected = expected;
    this.found = found;
    if (location.line !== undefined) this.line = location.line;
    if (location.column !== undefined) this.column = location.column;
  }

  /**
   * The same error, placed at a line of a source file (a record's line in a log).
   *
   * @example
   * error.atLocation({ line: 42 }).line // 42
   */
  atLocation(location: TextLocation): DecodeError {
    return new DecodeError(this.code, this.path, this.expected, this.found, location);
  }
}

/** The decoder's answer: the value, or why there is none. */
export type DecodeResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: DecodeError };

function formatMessage(path: string, expected: string, found: string, location: TextLocation): string {
  const where =
    location.line === undefined ? '' : location.column === undefined ? ` (line ${location.line})` : ` (line ${location.line}, column ${location.column})`;
  return `${path}: expected ${expected}, found ${found}${where}`;
}
