import { parseTimestamp } from '@simfleet/core';
import { UsageError } from '../cliIo.js';

/** What `--until` accepts, for the commands' help texts. */
export const UNTIL_HELP = `--until accepts 2021-10-27 (midnight UTC), 2021-10-27T09:00, 2021-10-27T09:00:00[.mmm] with
an optional zone (Z, +02:00, +0200); a time without a zone is UTC. Events after it are not
applied: counted as rejected with code after_until (records = applied + duplicates +
rejected still holds), reported apart from bad records, and not failing --strict.`;

const BARE_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * `--until` as UTC epoch ms, or a usage error saying what was wrong. The formats are the
 * ones event records use (a zoneless time is UTC there too), plus a bare date.
 *
 * @example
 * parseUntil('2021-10-27');           // 1635292800000 (midnight UTC)
 * parseUntil('2021-10-27T09:00:00');  // 1635325200000 (no zone: UTC)
 * parseUntil(undefined);              // undefined
 */
export function parseUntil(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseTimestamp(BARE_DATE.test(text) ? `${text}T00:00:00Z` : text);
  if (ms === null) {
    throw new UsageError(`--until expects a date or an ISO-8601 time like 2021-10-27, 2021-10-27T12:00:00 (UTC) or 2021-10-27T12:00:00+02:00, got '${text}'`);
  }
  return ms;
}
