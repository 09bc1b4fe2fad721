/**
 * The simulator's view of the event catalog: which record shape each catalog type
 * is rendered with, the ids it draws from (read from the catalog, never spelled out)
 * and the ids the catalog does not know.
 */
import { EVENT_TYPES, type EventTypeEntry, eventTypeById, eventTypeByKey } from '@simfleet/core';

/** How a record of a type is laid out. */
export const Shape = {
  /** Generic (0): a data-disconnect or an SMS delivery failure. */
  Generic: 0,
  /** Update (GPRS) location: operator detail. */
  Location: 1,
  /** Create PDP Context: accepted with a PDP context, or rejected with a reason. */
  PdpCreate: 2,
  /** The disputed type 4: a session update or, worded as a deletion, the end of a session. */
  PdpUpdate: 3,
  /** Delete PDP Context: operator, PDP context and session volume. */
  PdpDelete: 4,
  /** Purges, SIM and endpoint status, blocks, quota deletion: no detail. */
  EndpointPlain: 5,
  /** Data/SMS quota assigned: a quota object (or, in real 1NCE records, a string). */
  QuotaAssigned: 6,
  /** Threshold reached / used up: `{quota: {volume, threshold_volume, …}}`. */
  QuotaLevel: 7,
  /** Data quota expired: the quota with status EXPIRED. */
  QuotaExpired: 8,
  /** Organisation, user, service-profile records: no endpoint. */
  Organisation: 9,
  /** An id absent from the catalog. */
  Unknown: 10,
} as const;
/** A record layout (see `Shape`). */
export type Shape = (typeof Shape)[keyof typeof Shape];

const id = (key: Parameters<typeof eventTypeByKey>[0]): number => eventTypeByKey(key).id;

/** Catalog ids the simulator's policy draws, by catalog key. */
export const T = {
  generic: id('generic'),
  updateLocation: id('updateLocation'),
  updateGprsLocation: id('updateGprsLocation'),
  createPdpContext: id('createPdpContext'),
  updatePdpContext: id('updatePdpContext'),
  deletePdpContext: id('deletePdpContext'),
  deviceOffline: id('deviceOffline'),
  purgeLocation: id('purgeLocation'),
  purgeGprsLocation: id('purgeGprsLocation'),
  simActivation: id('simActivation'),
  simSuspension: id('simSuspension'),
  simDeletion: id('simDeletion'),
  simFactoryTest: id('simFactoryTest'),
  simRegistration: id('simRegistration'),
  endpointEnabled: id('endpointEnabled'),
  endpointDisabled: id('endpointDisabled'),
  endpointBlocked: id('endpointBlocked'),
  organisationBlocked: id('organisationBlocked'),
  dataQuotaAssigned: id('dataQuotaAssigned'),
  quotaThresholdReached: id('quotaThresholdReached'),
  quotaUsedUp: id('quotaUsedUp'),
  dataQuotaExpired: id('dataQuotaExpired'),
  dataQuotaDeleted: id('dataQuotaDeleted'),
  smsQuotaAssigned: id('smsQuotaAssigned'),
  smsQuotaThresholdReached: id('smsQuotaThresholdReached'),
  smsQuotaUsedUp: id('smsQuotaUsedUp'),
  smsQuotaDeleted: id('smsQuotaDeleted'),
  tariffPlanUpdated: id('tariffPlanUpdated'),
  usageTariffUpdated: id('usageTariffUpdated'),
  orderSubmitted: id('orderSubmitted'),
  orderUpdated: id('orderUpdated'),
  passwordResetRequested: id('passwordResetRequested'),
  userInvited: id('userInvited'),
  userVerificationRequested: id('userVerificationRequested'),
} as const;

function shapeOf(entry: EventTypeEntry): Shape {
  switch (entry.effect) {
    case 'GENERIC':
      return Shape.Generic;
    case 'ATTACH':
      return Shape.Location;
    case 'PDP_CREATE':
      return Shape.PdpCreate;
    case 'PDP_UPDATE':
      return Shape.PdpUpdate;
    case 'SESSION_END':
      return entry.key === 'deletePdpContext' ? Shape.PdpDelete : Shape.EndpointPlain;
    case 'DATA_QUOTA_ASSIGNED':
    case 'SMS_QUOTA_ASSIGNED':
      return Shape.QuotaAssigned;
    case 'DATA_QUOTA_THRESHOLD':
    case 'DATA_QUOTA_USED_UP':
    case 'SMS_QUOTA_THRESHOLD':
    case 'SMS_QUOTA_USED_UP':
      return Shape.QuotaLevel;
    case 'DATA_QUOTA_EXPIRED':
      return Shape.QuotaExpired;
    case 'ORGANISATION_BLOCKED':
      return Shape.Organisation;
    default:
      return entry.entity === 'endpoint' || entry.entity === 'sim' ? Shape.EndpointPlain : Shape.Organisation;
  }
}

/** Highest id the simulator considers; ids up to it absent from the catalog are "unknown". */
const MAX_ID = 70;

/** Shape by type id (dense, 0..MAX_ID); ids absent from the catalog map to Unknown. */
export const SHAPES: Uint8Array = (() => {
  const shapes = new Uint8Array(MAX_ID + 1).fill(Shape.Unknown);
  for (const entry of EVENT_TYPES) if (entry.id <= MAX_ID) shapes[entry.id] = shapeOf(entry);
  return shapes;
})();

/** Shape of any type id. */
export function shapeOfId(typeId: number): Shape {
  return typeId >= 0 && typeId <= MAX_ID ? (SHAPES[typeId] as Shape) : Shape.Unknown;
}

/** Ids in 0..70 that the catalog does not define (emnify's undocumented ids). */
export const UNKNOWN_TYPE_IDS: readonly number[] = Array.from({ length: MAX_ID + 1 }, (_, i) => i).filter((i) => eventTypeById(i) === undefined);

/** Catalog types about an organisation, a user or a service profile that change no device state. */
export const ORGANISATION_RECORD_IDS: readonly number[] = EVENT_TYPES.filter((t) => t.effect === 'NONE' && t.entity !== 'endpoint' && t.entity !== 'sim').map(
  (t) => t.id,
);

/** Catalog types about an endpoint or SIM that are recorded only (SIM assigned, reset connectivity…). */
export const ENDPOINT_RECORD_IDS: readonly number[] = EVENT_TYPES.filter((t) => t.effect === 'NONE' && (t.entity === 'endpoint' || t.entity === 'sim')).map(
  (t) => t.id,
);

/** `{"id":…,"description":"…"}` of each catalog type, rendered once. */
export const EVENT_TYPE_JSON: readonly string[] = (() => {
  const out: string[] = [];
  for (let i = 0; i <= MAX_ID; i++) {
    const entry = eventTypeById(i);
    out.push(`{"id":${i},"description":"${entry === undefined ? 'Unknown' : entry.name}"}`);
  }
  return out;
})();

/** Catalog name of a type id (`Unknown` when absent). */
export function typeName(typeId: number): string {
  return eventTypeById(typeId)?.name ?? 'Unknown';
}
