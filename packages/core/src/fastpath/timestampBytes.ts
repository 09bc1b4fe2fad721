/**
 * The common emnify timestamp spellings → UTC epoch ms, straight from the bytes.
 *
 * Handles only what is certain: `YYYY-MM-DD` + `T` or space + `hh:mm:ss`, optional
 * `.mmm` (exactly three digits), optional `Z`, `+0000` or `+00:00`; years 1000–9999,
 * real calendar days, hours 0–23, minutes and seconds 0–59. Anything else (other
 * offsets, 1–2 or 4–9 fraction digits, leap seconds…) is `NaN`, and the caller falls
 * back to `parseTimestamp` (luxon), which is the definition; the fast path property
 * test checks the two agree.
 */

const D0 = 0x30;

/** The digit at i, or -1. */
const digit = (b: Uint8Array, i: number): number => {
  const v = (b[i] as number) - D0;
  return v >= 0 && v <= 9 ? v : -1;
};

/** The two-digit number at i, or -1 (never a sum that could pass for a number). */
const two = (b: Uint8Array, i: number): number => {
  const h = digit(b, i);
  const l = digit(b, i + 1);
  return h < 0 || l < 0 ? -1 : h * 10 + l;
};

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * UTC epoch ms of the timestamp in `bytes[start, end)` (the string's content, no
 * quotes), or `NaN` when it is not one of the forms above.
 *
 * @example
 * timestampBytes(new TextEncoder().encode('2021-10-27T08:38:02Z'), 0, 20) // 1635323882000
 */
export function timestampBytes(b: Uint8Array, start: number, end: number): number {
  const len = end - start;
  if (len < 19) return Number.NaN;
  const s = start;
  if (b[s + 4] !== 0x2d || b[s + 7] !== 0x2d || b[s + 13] !== 0x3a || b[s + 16] !== 0x3a) return Number.NaN;
  const sep = b[s + 10];
  if (sep !== 0x54 && sep !== 0x20) return Number.NaN;
  const century = two(b, s);
  const yy = two(b, s + 2);
  if (century < 0 || yy < 0) return Number.NaN;
  const year = century * 100 + yy;
  const month = two(b, s + 5);
  const day = two(b, s + 8);
  const hour = two(b, s + 11);
  const minute = two(b, s + 14);
  const second = two(b, s + 17);
  if (!(year >= 1000 && month >= 1 && month <= 12 && day >= 1 && hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 59)) {
    return Number.NaN;
  }
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const dim = month === 2 && leap ? 29 : (DAYS_IN_MONTH[month] as number);
  if (day > dim) return Number.NaN;
  let p = s + 19;
  let ms = 0;
  if (p < end && b[p] === 0x2e) {
    if (p + 4 > end) return Number.NaN;
    const d1 = digit(b, p + 1);
    const d2 = digit(b, p + 2);
    const d3 = digit(b, p + 3);
    if (d1 < 0 || d2 < 0 || d3 < 0) return Number.NaN;
    ms = d1 * 100 + d2 * 10 + d3;
    p += 4;
    // A fourth fraction digit: luxon's rounding is the definition, not ours.
    if (p < end && digit(b, p) >= 0) return Number.NaN;
  }
  const rest = end - p;
  if (rest === 1) {
    if (b[p] !== 0x5a) return Number.NaN;
  } else if (rest === 5) {
    if (b[p] !== 0x2b || b[p + 1] !== D0 || b[p + 2] !== D0 || b[p + 3] !== D0 || b[p + 4] !== D0) return Number.NaN;
  } else if (rest === 6) {
    if (b[p] !== 0x2b || b[p + 1] !== D0 || b[p + 2] !== D0 || b[p + 3] !== 0x3a || b[p + 4] !== D0 || b[p + 5] !== D0) return Number.NaN;
  } else if (rest !== 0) {
    return Number.NaN;
  }
  return ((daysFromCivil(year, month, day) * 24 + hour) * 60 + minute) * 60000 + second * 1000 + ms;
}
