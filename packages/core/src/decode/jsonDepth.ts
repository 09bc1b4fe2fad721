/**
 * The one nesting limit of the project's JSON decoders. Real records nest a handful of
 * levels. A limit that is explicit and checked without recursion is the same on every
 * thread: a recursive parser's limit is the stack it happens to run on, which differs
 * between the main thread and a worker, so one line could be applied by one and
 * rejected by the other.
 */

/** Deepest nesting of objects and arrays accepted in a record (the record's own object is level 1). */
export const MAX_JSON_DEPTH = 64;

/**
 * Index in `text` of the bracket that opens level `max + 1`, or -1 when the text
 * nests at most `max` levels. A flat scan (strings skipped, escapes honoured); meant for
 * text already known to be valid JSON.
 *
 * @example
 * tooDeepAt('[[1]]', 1) // 1
 * tooDeepAt('{"a":"[[["}', 1) // -1
 */
export function tooDeepAt(text: string, max: number = MAX_JSON_DEPTH): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return i;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return -1;
}
