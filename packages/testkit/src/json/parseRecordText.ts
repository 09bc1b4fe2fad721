import type { JsonObject, JsonValue } from '@simfleet/core';

/** An unquoted integer of 16+ digits: the only numbers that may exceed 2^53. */
const LONG_INTEGER = /([:,[]\s*)(-?\d{16,})(?=\s*[,}\]])/g;
const MARK = '\u0000';

/**
 * Parses one record the testkit rendered, keeping integers beyond 2^53 exact.
 *
 * Why not plain `JSON.parse`: a bare 20-digit ICCID would be rounded. Unquoted runs of
 * 16+ digits are quoted with a marker first and revived as `bigint` (or `number`
 * when safe). Only for the testkit's own text, whose strings never contain such a
 * run after `:`, `,` or `[`; it is not a general JSON parser.
 *
 * @example
 * parseRecordText('{"iccid":89883030000057338501}')['iccid'] // 89883030000057338501n
 */
export function parseRecordText(text: string): JsonObject {
  LONG_INTEGER.lastIndex = 0;
  if (!LONG_INTEGER.test(text)) return JSON.parse(text) as JsonObject;
  const marked = text.replace(LONG_INTEGER, `$1"\\u0000$2"`);
  return JSON.parse(marked, (_key, value: unknown) =>
    typeof value === 'string' && value.startsWith(MARK) ? integer(value.slice(1)) : value,
  ) as JsonObject;
}

function integer(digits: string): JsonValue {
  const big = BigInt(digits);
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}
