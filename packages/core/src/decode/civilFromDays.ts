/**
 * The calendar date of a day number, in integer arithmetic: Howard Hinnant's
 * `civil_from_days` ("chrono-Compatible Low-Level Date Algorithms"). Shared by the
 * snapshot's timestamp writer and the simulator's date writer, where `Date` costs as
 * much as the rest of the work.
 */

/** Days from 0000-03-01 (the algorithm's era origin) to 1970-01-01. */
const EPOCH_SHIFT = 719_468;

/**
 * Year, month (1–12) and day (1–31) of `day` (days since 1970-01-01), packed as
 * `year * 10_000 + month * 100 + day` so that a hot caller allocates nothing. Exact for
 * years 0000–9999 (day −719,528 … 2,932,896).
 *
 * @example
 * civilFromDays(0)     // 19700101
 * civilFromDays(18927) // 20211027
 */
export function civilFromDays(day: number): number {
  const z = day + EPOCH_SHIFT;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return y * 10_000 + m * 100 + d;
}
