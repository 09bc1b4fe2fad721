import type { JsonValue } from '@simfleet/core';

const BIGINT = /"\\u0000(-?\d+)"/g;

/**
 * JSON text of a record that may hold `bigint`s (ids or ICCIDs beyond 2^53), written
 * as bare integers with their exact digits, as emnify sends them.
 *
 * @example
 * recordToJson({ id: 9007199254740993n }) // '{"id":9007199254740993}'
 */
export function recordToJson(value: JsonValue): string {
  let sawBigint = false;
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== 'bigint') return v;
    sawBigint = true;
    return `\u0000${v.toString()}`;
  });
  return sawBigint ? text.replace(BIGINT, '$1') : text;
}
