/**
 * Copies a caller's JavaScript value into a `JsonValue`, for the parts of a record
 * the model keeps as sent (`detail`, `pdp_context`, `endpoint.tags`).
 *
 * Only values from the caller need this: values from `parseJsonText` are fresh JSON
 * that nobody else holds, so the text path keeps them without a copy. The copy
 * guarantees the model holds JSON only (what `encodeEvent` can write back) and that
 * later changes to the caller's object do not change a decoded event.
 */
import type { JsonObject, JsonValue } from '../../model/event.js';
import { childPath, fail, isFields } from './readStrict.js';

/** Real records nest a handful of levels; this bound also stops cycles. */
const MAX_DEPTH = 64;

export function copyJsonValue(value: unknown, path: string, depth = 0): JsonValue {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'bigint':
      return value;
    case 'number':
      if (Number.isFinite(value)) return value;
      return fail('invalid_value', path, 'a finite number', value);
    case 'object':
      if (value === null) return null;
      if (depth >= MAX_DEPTH) return fail('invalid_value', path, `JSON nested at most ${MAX_DEPTH} levels deep`, value);
      if (Array.isArray(value)) return copyArray(value, path, depth);
      return copyJsonObject(value, path, depth);
    default:
      return fail('wrong_type', path, 'a JSON value', value);
  }
}

function copyArray(value: readonly unknown[], path: string, depth: number): JsonValue[] {
  const out: JsonValue[] = [];
  for (let i = 0; i < value.length; i++) {
    const item = value[i];
    if (item === undefined) return fail('wrong_type', childPath(path, i), 'a JSON value', item);
    out.push(copyJsonValue(item, childPath(path, i), depth + 1));
  }
  return out;
}

/** A plain object's own enumerable keys; keys holding `undefined` are left out, as JSON.stringify does. */
export function copyJsonObject(value: object, path: string, depth = 0): JsonObject {
  const proto: unknown = Object.getPrototypeOf(value);
  if (!isFields(value) || (proto !== Object.prototype && proto !== null)) {
    return fail('wrong_type', path, 'a plain JSON object', value);
  }
  const entries: [string, JsonValue][] = [];
  for (const key of Object.keys(value)) {
    const item = value[key];
    if (item !== undefined) entries.push([key, copyJsonValue(item, childPath(path, key), depth + 1)]);
  }
  // fromEntries defines own properties, so a "__proto__" key stays a key.
  return Object.fromEntries(entries);
}
