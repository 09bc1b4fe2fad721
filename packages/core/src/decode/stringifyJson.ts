/**
 * JSON text from a `JsonValue`, with `bigint`s written as their exact digits.
 *
 * `JSON.stringify` throws on a bigint, and Node 20 has no `JSON.rawJSON`; event ids
 * beyond 2^53 must still be written as bare JSON numbers, the way emnify sends them,
 * so that `parseJsonText` reads back the same digits.
 */
import type { JsonValue } from '../model/event.js';

/**
 * Compact JSON text of a value; bigints as bare digits, non-finite numbers as `null`
 * (as `JSON.stringify` does).
 *
 * @example
 * stringifyJson({ id: 18446744073709551615n, ok: true }) // '{"id":18446744073709551615,"ok":true}'
 */
export function stringifyJson(value: JsonValue): string {
  switch (typeof value) {
    case 'bigint':
      return value.toString();
    case 'object': {
      if (value === null) return 'null';
      if (isArray(value)) return `[${value.map(stringifyJson).join(',')}]`;
      const parts: string[] = [];
      for (const key of Object.keys(value)) {
        const item = value[key];
        if (item !== undefined) parts.push(`${JSON.stringify(key)}:${stringifyJson(item)}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      return JSON.stringify(value);
  }
}

/** `Array.isArray` narrows readonly arrays badly; this keeps the element type. */
function isArray(value: object): value is readonly JsonValue[] {
  return Array.isArray(value);
}
