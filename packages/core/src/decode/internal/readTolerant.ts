/**
 * Tolerant readers for `detail` and nested dates: a value that does not fit becomes
 * `null` instead of an error. The engine does not depend on these fields, the shapes
 * vary between emnify, 1NCE and record generations, and the whole detail is kept
 * raw anyway, so a surprise here must not cost the event.
 */
import { parseTimestamp } from '../timestamp.js';
import { type Fields, isFields } from './readStrict.js';

/** JSON-number-looking text: `"0.015085"`, `"-0.00120000000000009"`, `"1"`. */
const NUMBER_TEXT = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** The first of the keys whose value is neither null nor missing. */
export function pick(obj: Fields | null, ...keys: readonly string[]): unknown {
  if (obj === null) return undefined;
  for (const key of keys) {
    const value = obj[key];
    if (value !== undefined && value !== null) return value;
  }
  return undefined;
}

export function objectOrNull(value: unknown): Fields | null {
  return isFields(value) ? value : null;
}

/** A finite number from a number, a bigint or numeric text. */
export function looseNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && NUMBER_TEXT.test(value)) {
    const n = Number(value);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

/** A safe integer from a number, a bigint or numeric text. */
export function looseInteger(value: unknown): number | null {
  const n = looseNumber(value);
  return n !== null && Number.isSafeInteger(n) ? n : null;
}

export function looseString(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** A code such as an MCC, MNC or IMSI: text, or a bare number written as its digits. */
export function looseCode(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return null;
}

/** A nested date in any of emnify's spellings; `null` if absent or unparseable. */
export function looseDate(value: unknown): number | null {
  return typeof value === 'string' ? parseTimestamp(value) : null;
}
