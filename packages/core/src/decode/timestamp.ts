/**
 * emnify timestamps to and from UTC epoch milliseconds.
 *
 * Records spell times several ways (emnify's documentation and real streams):
 * `2021-10-27T11:59:29.000Z`, `2019-01-21T09:36:17Z` (no milliseconds),
 * `2017-10-26T07:28:00.000+0000` (offset without colon), `2021-12-20 12:27:56`
 * (space, no zone) and `2021-08-09T12:00:27` (no zone). A time without a zone is
 * UTC. Luxon does the calendar work (leap years, day-of-month, offsets); the common
 * `…Z` spelling takes a hot path proven equal to luxon (internal/fastTimestamp.ts).
 */
import { DateTime } from 'luxon';
import { civilFromDays } from './civilFromDays.js';
import { fastUtcTimestamp } from './internal/fastTimestamp.js';

/**
 * The accepted shapes, checked before luxon sees the text: luxon's ISO parser also
 * takes week dates, ordinal dates and bare times ("12:00" = today), and a bare time
 * would make decoding depend on the day it runs.
 */
const TIMESTAMP_SHAPE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$/;

const UTC = { zone: 'utc' } as const;

/** First and last millisecond of years 0000 and 9999 (UTC). */
const MIN_FOUR_DIGIT_YEAR_MS = -62167219200000;
const MAX_FOUR_DIGIT_YEAR_MS = 253402300799999;

/**
 * Parses an emnify timestamp to UTC epoch milliseconds, `null` if it is not one.
 *
 * @example
 * parseTimestamp('2017-10-26T07:28:00.000+0000') // 1509002880000
 * parseTimestamp('2021-12-20 12:27:56')          // 1640003276000 (no zone: UTC)
 * parseTimestamp('2021-02-30T00:00:00Z')         // null
 */
export function parseTimestamp(text: string): number | null {
  const fast = fastUtcTimestamp(text);
  if (fast !== undefined) return fast;
  if (!TIMESTAMP_SHAPE.test(text)) return null;
  const iso = text.charCodeAt(10) === 0x20 ? `${text.slice(0, 10)}T${text.slice(11)}` : text;
  const parsed = DateTime.fromISO(iso, UTC);
  return parsed.isValid ? parsed.toMillis() : null;
}

/**
 * Formats UTC epoch milliseconds as ISO-8601 UTC with milliseconds, the way emnify
 * sends timestamps. Throws a `RangeError` for a non-finite or out-of-range number
 * (a programming error: decoded timestamps are always valid).
 *
 * @example
 * formatTimestamp(1635323882000) // '2021-10-27T08:38:02.000Z'
 */
export function formatTimestamp(ms: number): string {
  // Whole milliseconds in years 0000–9999: a small civil-calendar writer prints exactly
  // what luxon prints (a property test holds them equal) at a fraction of the cost —
  // snapshots format two instants per endpoint. Otherwise luxon's own form is kept.
  if (ms >= MIN_FOUR_DIGIT_YEAR_MS && ms <= MAX_FOUR_DIGIT_YEAR_MS && Number.isInteger(ms)) return isoFromMillis(ms);
  const iso = DateTime.fromMillis(ms, UTC).toISO();
  if (iso === null) throw new RangeError(`not a valid epoch millisecond time: ${ms}`);
  return iso;
}

const DAY_MS = 86_400_000;
/** `formatTimestamp`'s fast path writes here (24 ASCII bytes), then makes its string. */
const ISO_SCRATCH = new Uint8Array(24);

/** `YYYY-MM-DDTHH:mm:ss.SSSZ` of whole epoch milliseconds in years 0000–9999. */
function isoFromMillis(ms: number): string {
  writeIsoMillis(ISO_SCRATCH, 0, ms);
  return String.fromCharCode.apply(null, ISO_SCRATCH as unknown as number[]);
}

/**
 * Writes `formatTimestamp(ms)` as ASCII bytes into `out` at `at` and returns the position
 * after it (24 bytes later), for whole milliseconds in years 0000–9999; returns -1 (nothing
 * written) otherwise. The byte-level snapshot writer's instants, and `formatTimestamp`'s.
 *
 * @example
 * writeTimestamp(out, 0, 1635323882000) // 24: out holds '2021-10-27T08:38:02.000Z'
 */
export function writeTimestamp(out: Uint8Array, at: number, ms: number): number {
  if (!(ms >= MIN_FOUR_DIGIT_YEAR_MS && ms <= MAX_FOUR_DIGIT_YEAR_MS && Number.isInteger(ms))) return -1;
  writeIsoMillis(out, at, ms);
  return at + 24;
}

function writeIsoMillis(out: Uint8Array, at: number, ms: number): void {
  const days = Math.floor(ms / DAY_MS);
  let rest = ms - days * DAY_MS;
  const date = civilFromDays(days);
  const year = Math.floor(date / 10_000);
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  const millis = rest - seconds * 1000;
  two(out, at, Math.floor(year / 100));
  two(out, at + 2, year % 100);
  out[at + 4] = 0x2d; // -
  two(out, at + 5, Math.floor(date / 100) % 100);
  out[at + 7] = 0x2d;
  two(out, at + 8, date % 100);
  out[at + 10] = 0x54; // T
  two(out, at + 11, hours);
  out[at + 13] = 0x3a; // :
  two(out, at + 14, minutes);
  out[at + 16] = 0x3a;
  two(out, at + 17, seconds);
  out[at + 19] = 0x2e; // .
  out[at + 20] = 0x30 + Math.floor(millis / 100);
  two(out, at + 21, millis % 100);
  out[at + 23] = 0x5a; // Z
}

/** Two decimal digits of 0 ≤ v < 100. */
function two(out: Uint8Array, at: number, v: number): void {
  const tens = Math.floor(v / 10);
  out[at] = 0x30 + tens;
  out[at + 1] = 0x30 + v - tens * 10;
}
