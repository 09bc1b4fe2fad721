/**
 * PostgreSQL's COPY text format: one line per row, columns separated by a tab, `\N` for
 * NULL, and backslash, tab, newline and carriage return escaped inside values. Strings
 * come from event records, so any of those can appear in them.
 */

/** The COPY text of a nullable string. */
export function copyString(value: string | null): string {
  if (value === null) return '\\N';
  return NEEDS_ESCAPE.test(value) ? value.replace(ESCAPED, escapeOne) : value;
}

/** The COPY text of a nullable number (integers as JavaScript prints them). */
export const copyNumber = (value: number | null): string => (value === null ? '\\N' : String(value));

/** The COPY text of a boolean. */
export const copyBoolean = (value: boolean): string => (value ? 't' : 'f');

const NEEDS_ESCAPE = /[\\\t\n\r]/;
const ESCAPED = /[\\\t\n\r]/g;
const escapeOne = (c: string): string => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r');

/** Characters of COPY text handed to the socket at a time. */
const CHUNK_CHARS = 1 << 18;

/**
 * Joins the lines `line(i)` for i in [0, count) into chunks of about 256 K characters:
 * few writes to the COPY stream, no string of the whole table.
 */
export function* copyChunks(count: number, line: (i: number) => string): Generator<string> {
  let chunk = '';
  for (let i = 0; i < count; i++) {
    chunk += `${line(i)}\n`;
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}
