/**
 * The `organisation_transitions` rows of shared changes (`TransitionLog.split`), as COPY
 * text: the change once, with the endpoints it reached as a `bigint[]`.
 */
import { type FleetStore, formatTimestamp } from '@simfleet/core';
import { copyNumber, copyString } from './copyText.js';
import type { SharedChange } from './TransitionLog.js';

/** Columns of `organisation_transitions`, in table order. */
export const SHARED_COLUMNS = ['organisation_id', 'region', 'from_state', 'to_state', 'at', 'event_id', 'endpoint_ids'] as const;

/**
 * One shared change as a COPY text line (no newline). Its organisation is the one its
 * first endpoint belongs to in `fleet` (null when that endpoint has none).
 *
 * @example
 * sharedCopyLine({ region: 'block', from: 'NOT_BLOCKED', to: 'BLOCKED', at, eventId: 42n, endpointIds: [1, 2] }, fleet)
 * // '12033\tblock\tNOT_BLOCKED\tBLOCKED\t2021-10-27T08:38:02.000Z\t42\t{1,2}'
 */
export function sharedCopyLine(change: SharedChange, fleet: FleetStore): string {
  const d = fleet.findDevice(change.endpointIds[0] as number);
  const o = d < 0 ? -1 : fleet.organisationIndexOfDevice(d);
  const organisation = o < 0 ? null : (fleet.organisationIds[o] as number);
  return [
    copyNumber(organisation),
    copyString(change.region),
    copyString(change.from),
    copyString(change.to),
    formatTimestamp(change.at),
    change.eventId.toString(),
    `{${change.endpointIds.join(',')}}`,
  ].join('\t');
}
