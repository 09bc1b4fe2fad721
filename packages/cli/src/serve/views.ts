import { endpointJson, formatTimestamp, type JsonValue } from '@simfleet/core';
import type { EndpointView, FleetTransition } from '@simfleet/stream';

/**
 * An endpoint as the HTTP API shows it: the snapshot's endpoint JSON (times as ISO-8601
 * UTC, the event id as an exact JSON number) plus the inactivity flag.
 *
 * @example
 * endpointViewJson(view).lastEventAt // '2021-10-27T08:38:02.000Z'
 */
export function endpointViewJson(view: EndpointView): { readonly [key: string]: JsonValue } {
  return { ...endpointJson(view), stale: view.stale };
}

/**
 * A transition as the HTTP API shows it (`at` as ISO-8601 UTC, `eventId` exact).
 *
 * @example
 * transitionJson(t) // { endpointId: 11089066, region: 'connectivity', from: 'ATTACHED', to: 'ONLINE', at: '…Z', eventId: 137112624332866 }
 */
export function transitionJson(t: FleetTransition): { readonly [key: string]: JsonValue } {
  return { endpointId: t.endpointId, region: t.region, from: t.from, to: t.to, at: formatTimestamp(t.at), eventId: t.eventId };
}
