/**
 * The JSON view of one endpoint: the `endpoints[]` entries of the snapshot contract
 * (`simfleet/snapshot@1`, docs/snapshot.md) and the body of `GET /endpoints/:id`.
 * Key order is fixed here, once, so every output that shows an endpoint shows the
 * same bytes for the same state.
 */
import { formatTimestamp } from '../decode/timestamp.js';
import type { EndpointState } from '../machine/endpointState.js';
import type { JsonValue } from '../model/event.js';

const instant = (ms: number | null): string | null => (ms === null ? null : formatTimestamp(ms));

/**
 * The snapshot entry of an endpoint: the contract's fields first, then simfleet's
 * additions (thresholds, PDP context, counters), which are only ever appended.
 *
 * @example
 * stringifyJson(endpointJson(fleet.readEndpoint(11089066)!))
 */
export function endpointJson(state: EndpointState): { readonly [key: string]: JsonValue } {
  return {
    endpointId: state.endpointId,
    status: state.status,
    connectivity: state.connectivity,
    since: instant(state.since),
    simStatus: state.simStatus,
    endpointStatus: state.endpointStatus,
    blocked: state.blocked,
    dataQuota: state.dataQuota,
    smsQuota: state.smsQuota,
    organisationId: state.organisationId,
    simId: state.simId,
    iccid: state.iccid,
    imsi: state.imsi,
    imei: state.imei,
    ipAddress: state.ipAddress,
    operator:
      state.operator === null
        ? null
        : { name: state.operator.name, mcc: state.operator.mcc, mnc: state.operator.mnc, country: state.operator.country },
    lastEventId: state.lastEventId,
    lastEventAt: instant(state.lastEventAt),
    dataQuotaThresholdReached: state.dataQuotaThresholdReached,
    smsQuotaThresholdReached: state.smsQuotaThresholdReached,
    ratType: state.ratType,
    apn: state.apn,
    attaches: state.attaches,
    sessions: state.sessions,
    rejections: state.rejections,
    lastRejectionReason: state.lastRejectionReason,
  };
}
