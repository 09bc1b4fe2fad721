/**
 * Deterministic JSON text for simfleet's outputs (snapshots, HTTP bodies).
 *
 * `JSON.stringify` cannot write a `bigint`, and event ids beyond 2^53 must leave as
 * the exact digits they arrived with: this writer emits a bigint as a bare JSON
 * integer. Key order is the object's insertion order, which the snapshot builder
 * fixes, so the same state always gives the same bytes.
 */
export type JsonOut = null | boolean | number | bigint | string | readonly JsonOut[] | { readonly [key: string]: JsonOut | undefined };

/**
 * Serialises a value; `undefined` object members are left out, non-finite numbers are
 * an error (simfleet never emits NaN).
 *
 * @example
 * toJsonText({ id: 2n ** 60n }) // '{"id":1152921504606846976}'
 */
export function toJsonText(value: JsonOut): string {
  switch (typeof value) {
    case 'bigint':
      return value.toString();
    case 'number':
      if (!Number.isFinite(value)) throw new RangeError(`cannot write ${value} as JSON`);
      return JSON.stringify(value);
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    default:
      break;
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map((item: JsonOut) => toJsonText(item)).join(',')}]`;
  const parts: string[] = [];
  for (const [key, member] of Object.entries(value)) {
    if (member === undefined) continue;
    parts.push(`${JSON.stringify(key)}:${toJsonText(member)}`);
  }
  return `{${parts.join(',')}}`;
}
