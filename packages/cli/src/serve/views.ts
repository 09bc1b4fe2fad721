import { endpointJson, formatTimestamp, type JsonValue } from '@simfleet/core';
import type { LiveTransition } from '@simfleet/engine';
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
 * A transition as the HTTP API shows it (`at` as ISO-8601 UTC, `eventId` exact), with
 * `correction: true` when a late event changed the device's history (`from` is then what
 * was reported before, `to` the state the device has now, `at`/`eventId` the late event's).
 *
 * @example
 * transitionJson(t) // { endpointId: 11089066, region: 'connectivity', from: 'ATTACHED', to: 'ONLINE', at: '…Z', eventId: 137112624332866 }
 */
export function transitionJson(t: FleetTransition | LiveTransition): { readonly [key: string]: JsonValue } {
  const json = { endpointId: t.endpointId, region: t.region, from: t.from, to: t.to, at: formatTimestamp(t.at), eventId: t.eventId };
  // A late event rewrote the device's history: from = what subscribers were told, to = the state now.
  return 'correction' in t && t.correction ? { ...json, correction: true } : json;
}
