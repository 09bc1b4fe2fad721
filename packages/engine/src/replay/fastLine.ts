/**
 * The fast-path step both ingest routes share (the main thread's `ReplaySession` and a
 * worker's `RangeIngest`): decode a line straight into the columns, and keep the row only
 * when no option needs the whole record. One place for that rule, because a line must be
 * settled the same way whichever thread reads it (threaded and single-threaded replays
 * give the same bytes).
 */
import { type EventColumns, FAST_BLANK, type FastLineDecoder } from '@simfleet/core';
import type { RangeOptions } from './RangeOptions.js';

/** A blank line: nothing to count. */
export const LINE_BLANK = 0;
/** A row was written (an event with an endpoint). */
export const LINE_KEPT = 1;
/** A row was written (an event without an endpoint). */
export const LINE_KEPT_WITHOUT_ENDPOINT = 2;
/** No row: the line's text goes to the full decoder (a fallback, after `until`, or the watched endpoint). */
export const LINE_FULL = 3;

/**
 * Decodes one line on the fast path. A row after `until` or of the watched endpoint is
 * taken back (the full route decides those with the whole record).
 *
 * @example
 * const kind = decodeFastLine(fast, columns, { until }, bytes, start, end);
 * if (kind === LINE_FULL) ingest(lineRecord(bytes.subarray(start, end), line));
 */
export function decodeFastLine(
  fast: FastLineDecoder,
  columns: EventColumns,
  options: RangeOptions,
  bytes: Uint8Array,
  start: number,
  end: number,
): number {
  const row = fast.decodeLine(bytes, start, end);
  if (row === FAST_BLANK) return LINE_BLANK;
  if (row >= 0) {
    const until = options.until;
    const watch = options.watchEndpoint;
    const endpoint = columns.endpointId[row] as number;
    if ((until === undefined || (columns.at[row] as number) <= until) && (watch === undefined || endpoint !== watch)) {
      return Number.isNaN(endpoint) ? LINE_KEPT_WITHOUT_ENDPOINT : LINE_KEPT;
    }
    columns.length = row;
  }
  return LINE_FULL;
}
