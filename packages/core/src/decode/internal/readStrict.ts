/**
 * Readers for the fields the engine relies on (ids, identifiers, names outside
 * `detail`). A value of the wrong kind is a `DecodeError` with the field's JSON path.
 *
 * They throw the `DecodeError` instead of returning it so the record decoder reads
 * as a plain list of fields; `decodeRecord`'s boundary catches it and returns it as
 * a value, so nothing escapes the public functions. Paths are only built on failure.
 */
import { DecodeError } from '../DecodeError.js';
import { describeValue } from './describeValue.js';

/** A JSON object as the decoder sees it: any non-null, non-array object. */
export type Fields = { readonly [key: string]: unknown };

export function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `$.a.b`, or `$.a["odd key"]` for keys that are not identifiers. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

export function fail(code: DecodeError['code'], path: string, expected: string, value: unknown): never {
  throw new DecodeError(code, path, expected, describeValue(value));
}

/** An optional nested object: `null` when null or missing. */
export function optionalObject(value: unknown, path: string): Fields | null {
  if (value === null || value === undefined) return null;
  if (isFields(value)) return value;
  return fail('wrong_type', path, 'an object or null', value);
}

/** A required nested object. */
export function requiredObject(value: unknown, path: string): Fields {
  if (value === undefined) return fail('missing_field', path, 'an object', value);
  if (isFields(value)) return value;
  return fail('wrong_type', path, 'an object', value);
}

const INTEGER_TEXT = /^-?\d+$/;

/**
 * An integer as a number, bigint or numeric string (`"gtp_version": "1"`). Required:
 * missing is `missing_field`; optional: null or missing is `null`.
 */
export function integerField(obj: Fields, key: string, parent: string, required: boolean): number | null {
  const value = obj[key];
  if (value === undefined || value === null) {
    if (!required) return null;
    return fail(value === undefined ? 'missing_field' : 'wrong_type', childPath(parent, key), 'an integer', value);
  }
  switch (typeof value) {
    case 'number':
      if (Number.isSafeInteger(value)) return value;
      if (Number.isInteger(value)) return fail('unsafe_integer', childPath(parent, key), 'an integer within ±2^53', value);
      return fail('invalid_value', childPath(parent, key), 'an integer', value);
    case 'bigint':
      if (value >= Number.MIN_SAFE_INTEGER && value <= Number.MAX_SAFE_INTEGER) return Number(value);
      return fail('unsafe_integer', childPath(parent, key), 'an integer within ±2^53', value);
    case 'string': {
      if (!INTEGER_TEXT.test(value)) return fail('wrong_type', childPath(parent, key), 'an integer', value);
      const n = Number(value);
      if (Number.isSafeInteger(n)) return n;
      return fail('unsafe_integer', childPath(parent, key), 'an integer within ±2^53', value);
    }
    default:
      return fail('wrong_type', childPath(parent, key), 'an integer', value);
  }
}

/** A string, `null` when null or missing. */
export function stringField(obj: Fields, key: string, parent: string): string | null {
  const value = obj[key];
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  return fail('wrong_type', childPath(parent, key), 'a string or null', value);
}

/**
 * An identifier made of digits (ICCID, IMSI, IMEI, MSISDN) kept as text. Bare JSON
 * numbers are accepted, but only if they are still exact: a `number` beyond 2^53 was
 * already rounded, so its digits are not the identifier's. Formats are never
 * validated: IMEIs with a hex digit and 14- or 20-digit IMSIs occur.
 */
export function identifierField(obj: Fields, key: string, parent: string): string | null {
  const value = obj[key];
  switch (typeof value) {
    case 'undefined':
      return null;
    case 'string':
      return value;
    case 'bigint':
      if (value >= 0n) return value.toString();
      return fail('invalid_value', childPath(parent, key), 'digits as a string or a non-negative integer', value);
    case 'number':
      if (Number.isSafeInteger(value) && value >= 0) return String(value);
      if (Number.isInteger(value) && value > 0) {
        return fail('unsafe_integer', childPath(parent, key), 'digits as a string or an exact integer', value);
      }
      return fail('invalid_value', childPath(parent, key), 'digits as a string or a non-negative integer', value);
    default:
      if (value === null) return null;
      return fail('wrong_type', childPath(parent, key), 'digits as a string or number, or null', value);
  }
}
