/**
 * The typed model of an emnify event record, as the decoder returns it.
 *
 * Field names follow emnify's JSON where they are emnify's (`ip_address` becomes
 * `ipAddress`: camelCase throughout). Identifiers that can exceed 2^53 (event ids,
 * ICCIDs, IMSIs) are never passed through a double: event ids are `bigint`, ICCIDs
 * and IMSIs are digit strings.
 */
import type { EventTypeKey, KnownEventTypeKey } from '../catalog/eventTypes.js';
import type { RejectionReason } from '../catalog/rejectionReasons.js';

/** A JSON value as `JSON.parse` returns it (with `bigint` for integers beyond 2^53). */
export type JsonValue = null | boolean | number | bigint | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };
export type JsonObject = { readonly [key: string]: JsonValue };

/** An id + name pair (`event_source`, `event_severity`): the id is authoritative. */
export interface Code {
  readonly id: number;
  /** `description` or `name`, whichever the record carries; `null` if neither. */
  readonly name: string | null;
}

export interface Organisation {
  readonly id: number;
  readonly name: string | null;
}

export interface Endpoint {
  readonly id: number;
  readonly name: string | null;
  readonly imei: string | null;
  readonly ipAddress: string | null;
  /** emnify sends `null`, a string, or occasionally something else: kept as sent. */
  readonly tags: JsonValue;
}

export interface Sim {
  readonly id: number | null;
  /** Digits as sent (19–20 digit ICCIDs exceed 2^53). */
  readonly iccid: string | null;
  readonly msisdn: string | null;
  readonly productionDate: number | null;
}

export interface Imsi {
  readonly id: number | null;
  readonly imsi: string | null;
  readonly importDate: number | null;
}

export interface User {
  readonly id: number | null;
  readonly name: string | null;
  readonly username: string | null;
}

export interface Country {
  readonly id: number | null;
  readonly name: string | null;
  readonly countryCode: string | null;
  readonly mcc: string | null;
  readonly isoCode: string | null;
}

/** `pdp_context` of Create/Delete PDP Context: the fields the engine reads, and the rest raw. */
export interface PdpContext {
  readonly apn: string | null;
  readonly ratType: number | null;
  readonly ueIpAddress: string | null;
  readonly mcc: string | null;
  readonly mnc: string | null;
  readonly imsi: string | null;
  readonly sessionId: string | null;
  readonly tunnelCreated: number | null;
  /** The whole object as sent. */
  readonly raw: JsonObject;
}

/** Detail of network events (1, 2, 3, 5…): the visited operator and, for sessions, the PDP context. */
export interface OperatorDetail {
  readonly kind: 'operator';
  readonly operatorId: number | null;
  readonly name: string | null;
  readonly country: Country | null;
  readonly mnc: string | null;
  readonly tapcode: string | null;
  readonly pdpContext: PdpContext | null;
  /** Delete PDP Context: session volume in MB. */
  readonly volume: { readonly rx: number | null; readonly tx: number | null; readonly total: number | null } | null;
  readonly raw: JsonObject;
}

/** Detail of quota events (18–21, 56–60). */
export interface QuotaDetail {
  readonly kind: 'quota';
  readonly volume: number | null;
  readonly thresholdPercentage: number | null;
  readonly expiryDate: number | null;
  readonly status: string | null;
  readonly raw: JsonObject;
}

export interface TariffPlanDetail {
  readonly kind: 'tariffPlan';
  readonly id: number | null;
  readonly name: string | null;
  readonly startDate: number | null;
  readonly endDate: number | null;
  readonly raw: JsonObject;
}

export interface InclusiveVolumeDetail {
  readonly kind: 'inclusiveVolume';
  readonly id: number | null;
  readonly volume: number | null;
  readonly ratezone: string | null;
  readonly startDate: number | null;
  readonly endDate: number | null;
  readonly raw: JsonObject;
}

export interface SimOrderDetail {
  readonly kind: 'simOrder';
  readonly id: number | null;
  readonly statusId: number | null;
  readonly raw: JsonObject;
}

export interface UserDetail {
  readonly kind: 'user';
  readonly id: number | null;
  readonly username: string | null;
  readonly name: string | null;
  readonly organisationId: number | null;
  readonly raw: JsonObject;
}

/** A detail simfleet keeps but does not interpret (any type's other detail shapes). */
export interface RawDetail {
  readonly kind: 'raw';
  readonly raw: JsonObject;
}

/** A detail that arrived as a string (1NCE quota records); kept as text when it is not JSON. */
export interface TextDetail {
  readonly kind: 'text';
  readonly text: string;
}

export type EventDetail = OperatorDetail | QuotaDetail | TariffPlanDetail | InclusiveVolumeDetail | SimOrderDetail | UserDetail | RawDetail | TextDetail;

/** Fields every decoded event has. */
export interface EventBase {
  /** The event id, exact (64-bit ids exceed 2^53). */
  readonly id: bigint;
  /** UTC epoch milliseconds. */
  readonly timestamp: number;
  /** `event_type.id` as sent. */
  readonly typeId: number;
  readonly alert: boolean;
  readonly description: string;
  readonly source: Code | null;
  readonly severity: Code | null;
  readonly organisation: Organisation | null;
  readonly endpoint: Endpoint | null;
  readonly sim: Sim | null;
  readonly imsi: Imsi | null;
  readonly user: User | null;
  readonly detail: EventDetail | null;
}

/** The outcome of a Create PDP Context. */
export type PdpOutcome = { readonly accepted: true } | { readonly accepted: false; readonly reason: RejectionReason };

/** Per-type extras: the fields the decoder classifies from the record. */
interface TypeExtras {
  generic: { readonly dataDisconnect: boolean };
  createPdpContext: { readonly outcome: PdpOutcome };
  updatePdpContext: { readonly deletion: boolean };
}

/** A decoded event of one known type. */
export type EventOf<K extends KnownEventTypeKey> = EventBase & { readonly type: K } & (K extends keyof TypeExtras ? TypeExtras[K] : unknown);

/** An event whose type id is not in the catalog: counted and reported, no state change. */
export type UnknownEvent = EventBase & { readonly type: 'unknown' };

/** A decoded emnify event: a discriminated union on `type` (the catalog key). */
export type EmnifyEvent = { [K in KnownEventTypeKey]: EventOf<K> }[KnownEventTypeKey] | UnknownEvent;

export type { EventTypeKey };
