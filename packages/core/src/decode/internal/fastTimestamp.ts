/**
 * Hot path for the UTC timestamp spellings records use most,
 * `2021-10-27T11:59:29.000Z`, without milliseconds, without a zone
 * (`2021-08-09T12:00:27`) or with a space (`2021-12-20 12:27:56`): a record carries
 * two to four of them and luxon's general ISO parser costs several microseconds each,
 * more than the whole JSON parse of the record.
 *
 * It answers only for those shapes with every field in range and a year from 1000
 * on; anything else (offsets, 24:00, a leap second, other precisions…) is left to
 * luxon. timestamp.test.ts proves it equal to luxon on generated timestamps of these
 * shapes, valid and invalid.
 */

const CANONICAL = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{3}))?Z?$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/** UTC epoch ms of a canonical UTC timestamp, `undefined` when luxon must decide. */
export function fastUtcTimestamp(text: string): number | undefined {
  const m = CANONICAL.exec(text);
  if (m === null) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = Number(m[6]);
  if (year < 1000 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (DAYS_IN_MONTH[month - 1] ?? 0) + (leap ? 1 : 0)) return undefined;
  return Date.UTC(year, month - 1, day, hour, minute, second, m[7] === undefined ? 0 : Number(m[7]));
}
