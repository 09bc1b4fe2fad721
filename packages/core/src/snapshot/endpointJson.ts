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
    operator: state.operator === null ? null : { name: state.operator.name, mcc: state.operator.mcc, mnc: state.operator.mnc, country: state.operator.country },
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
    name: state.name,
  };
}

/**
 * `stringifyJson(endpointJson(state))`, written directly: snapshots print one line per
 * endpoint, and at a million endpoints building two objects and walking them costs
 * seconds. Same keys in the same order, same bytes — a property test holds the two
 * equal on arbitrary states, including strings that need escaping.
 *
 * @example
 * endpointJsonText(fleet.readEndpoint(11089066)!) === stringifyJson(endpointJson(fleet.readEndpoint(11089066)!)) // true
 */
export function endpointJsonText(s: EndpointState): string {
  const operator = operatorJsonText(s.operator);
  return (
    `{"endpointId":${num(s.endpointId)},"status":${text(s.status)},"connectivity":${text(s.connectivity)},` +
    `"since":${time(s.since)},"simStatus":${text(s.simStatus)},"endpointStatus":${text(s.endpointStatus)},` +
    `"blocked":${s.blocked},"dataQuota":${text(s.dataQuota)},"smsQuota":${text(s.smsQuota)},` +
    `"organisationId":${num(s.organisationId)},"simId":${num(s.simId)},"iccid":${text(s.iccid)},"imsi":${text(s.imsi)},` +
    `"imei":${text(s.imei)},"ipAddress":${text(s.ipAddress)},"operator":${operator},` +
    `"lastEventId":${s.lastEventId === null ? 'null' : s.lastEventId.toString()},"lastEventAt":${time(s.lastEventAt)},` +
    `"dataQuotaThresholdReached":${s.dataQuotaThresholdReached},"smsQuotaThresholdReached":${s.smsQuotaThresholdReached},` +
    `"ratType":${num(s.ratType)},"apn":${text(s.apn)},"attaches":${num(s.attaches)},"sessions":${num(s.sessions)},` +
    `"rejections":${num(s.rejections)},"lastRejectionReason":${text(s.lastRejectionReason)},"name":${text(s.name)}}`
  );
}

/**
 * An operator as `endpointJsonText` writes it (`null`, or its four fields in the contract's order).
 * @internal
 */
export function operatorJsonText(op: EndpointState['operator']): string {
  return op === null ? 'null' : `{"name":${text(op.name)},"mcc":${text(op.mcc)},"mnc":${text(op.mnc)},"country":${text(op.country)}}`;
}

/** A string value as JSON (the engine's own escaping), or `null`. */
const text = (v: string | null): string => (v === null ? 'null' : JSON.stringify(v));
/** A number as JSON: non-finite numbers are `null`, as in `JSON.stringify`. */
const num = (v: number | null): string => (v === null || !Number.isFinite(v) ? 'null' : String(v));
/** An instant as JSON: its ISO text needs no escaping. */
const time = (v: number | null): string => (v === null ? 'null' : `"${formatTimestamp(v)}"`);
