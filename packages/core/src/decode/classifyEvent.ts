/**
 * A decoded record → the one `DeviceEvent` the statechart and reducer consume.
 *
 * The catalog's `effect` column decides, through `DEVICE_EVENT_RULES` below (the
 * table `docs/events.md` prints); the three record-dependent effects read the flag
 * the decoder already classified (Generic data-disconnect, Create PDP Context
 * accepted/rejected, type-4 deletion). Nothing here reads a description.
 */
import { type CatalogEffect, eventTypeByKey } from '../catalog/eventTypes.js';
import type { DeviceEvent, DeviceEventType, Observation, Operator } from '../machine/deviceEvent.js';
import type { EmnifyEvent, OperatorDetail } from '../model/event.js';

/** A record-dependent flag set by the decoder. */
export type RecordFlag = 'dataDisconnect' | 'accepted' | 'deletion';

/** How one catalog effect becomes a device event type. */
export type DeviceEventRule =
  | { readonly kind: 'fixed'; readonly type: DeviceEventType }
  | {
      readonly kind: 'flag';
      readonly flag: RecordFlag;
      readonly whenTrue: DeviceEventType;
      readonly whenFalse: DeviceEventType;
    };

const fixed = (type: DeviceEventType): DeviceEventRule => ({ kind: 'fixed', type });

/** Every catalog effect's device event: the compiler checks that no effect is missing. */
export const DEVICE_EVENT_RULES: { readonly [E in CatalogEffect]: DeviceEventRule } = {
  NONE: fixed('RECORDED'),
  GENERIC: { kind: 'flag', flag: 'dataDisconnect', whenTrue: 'SESSION_ENDED', whenFalse: 'RECORDED' },
  ATTACH: fixed('ATTACH'),
  PDP_CREATE: { kind: 'flag', flag: 'accepted', whenTrue: 'SESSION_CREATED', whenFalse: 'SESSION_REJECTED' },
  PDP_UPDATE: { kind: 'flag', flag: 'deletion', whenTrue: 'SESSION_ENDED', whenFalse: 'SESSION_UPDATED' },
  SESSION_END: fixed('SESSION_ENDED'),
  PURGE: fixed('PURGE'),
  SIM_ACTIVATED: fixed('SIM_ACTIVATED'),
  SIM_SUSPENDED: fixed('SIM_SUSPENDED'),
  SIM_DELETED: fixed('SIM_DELETED'),
  SIM_FACTORY_TEST: fixed('SIM_FACTORY_TEST'),
  SIM_REGISTERED: fixed('SIM_REGISTERED'),
  ENDPOINT_ENABLED: fixed('ENDPOINT_ENABLED'),
  ENDPOINT_DISABLED: fixed('ENDPOINT_DISABLED'),
  ENDPOINT_BLOCKED: fixed('ENDPOINT_BLOCKED'),
  ORGANISATION_BLOCKED: fixed('ORGANISATION_BLOCKED'),
  DATA_QUOTA_ASSIGNED: fixed('DATA_QUOTA_ASSIGNED'),
  DATA_QUOTA_THRESHOLD: fixed('DATA_QUOTA_THRESHOLD'),
  DATA_QUOTA_USED_UP: fixed('DATA_QUOTA_USED_UP'),
  DATA_QUOTA_EXPIRED: fixed('DATA_QUOTA_EXPIRED'),
  DATA_QUOTA_DELETED: fixed('DATA_QUOTA_DELETED'),
  SMS_QUOTA_ASSIGNED: fixed('SMS_QUOTA_ASSIGNED'),
  SMS_QUOTA_THRESHOLD: fixed('SMS_QUOTA_THRESHOLD'),
  SMS_QUOTA_USED_UP: fixed('SMS_QUOTA_USED_UP'),
  SMS_QUOTA_DELETED: fixed('SMS_QUOTA_DELETED'),
};

/** What each flag means, for docs/events.md. */
export const RECORD_FLAG_MEANINGS: { readonly [F in RecordFlag]: string } = {
  dataDisconnect: 'the description starts "Disconnecting data access" (any case)',
  accepted: 'the description does not start "PDP Context Request rejected" (any case)',
  deletion: '`event_type.description` or `description` speaks of deletion (/delet/i)',
};

/**
 * Classifies a decoded event for the device statechart: its `DeviceEvent` type, the
 * endpoint it concerns, and what it observed (identifiers, operator, RAT/APN of an
 * accepted session, rejection reason). Unknown types are `RECORDED`.
 *
 * @example
 * const r = decodeEvent(createPdpContextRecord);
 * if (r.ok) classifyEvent(r.value).type; // 'SESSION_CREATED' (or 'SESSION_REJECTED')
 */
export function classifyEvent(event: EmnifyEvent): DeviceEvent {
  const type = deviceEventType(event);
  return {
    type,
    at: event.timestamp,
    eventId: event.id,
    endpointId: event.endpoint?.id ?? null,
    observation: observe(event, type),
  };
}

function deviceEventType(event: EmnifyEvent): DeviceEventType {
  if (event.type === 'unknown') return 'RECORDED';
  const rule = DEVICE_EVENT_RULES[eventTypeByKey(event.type).effect];
  if (rule.kind === 'fixed') return rule.type;
  return flagOf(event, rule.flag) ? rule.whenTrue : rule.whenFalse;
}

function flagOf(event: EmnifyEvent, flag: RecordFlag): boolean {
  switch (flag) {
    case 'dataDisconnect':
      return event.type === 'generic' && event.dataDisconnect;
    case 'accepted':
      return event.type !== 'createPdpContext' || event.outcome.accepted;
    case 'deletion':
      return event.type === 'updatePdpContext' && event.deletion;
  }
}

function observe(event: EmnifyEvent, type: DeviceEventType): Observation {
  const detail = event.detail?.kind === 'operator' ? event.detail : null;
  const session = type === 'SESSION_CREATED' || type === 'SESSION_UPDATED' ? (detail?.pdpContext ?? null) : null;
  return {
    organisationId: event.organisation?.id ?? null,
    simId: event.sim?.id ?? null,
    iccid: event.sim?.iccid ?? null,
    imsi: event.imsi?.imsi ?? null,
    imei: event.endpoint?.imei ?? null,
    ipAddress: event.endpoint?.ipAddress ?? null,
    name: event.endpoint?.name ?? null,
    operator: detail === null ? null : operatorOf(detail),
    ratType: session?.ratType ?? null,
    apn: session?.apn ?? null,
    rejectionReason: type === 'SESSION_REJECTED' && event.type === 'createPdpContext' && !event.outcome.accepted ? event.outcome.reason : null,
  };
}

/** The visited operator; the PDP context fills MCC/MNC when the operator object lacks them. */
function operatorOf(detail: OperatorDetail): Operator | null {
  const pdp = detail.pdpContext;
  const operator: Operator = {
    name: detail.name,
    mcc: detail.country?.mcc ?? pdp?.mcc ?? null,
    mnc: detail.mnc ?? pdp?.mnc ?? null,
    country: detail.country?.isoCode ?? null,
  };
  const saysSomething = operator.name !== null || operator.mcc !== null || operator.mnc !== null || operator.country !== null;
  return saysSomething ? operator : null;
}
