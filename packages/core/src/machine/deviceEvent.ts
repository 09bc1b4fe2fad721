/**
 * The events the device statechart understands, and what each carries.
 *
 * A decoded emnify record becomes one `DeviceEvent` through `classifyEvent`
 * (decode/classifyEvent.ts); the catalog's `effect` column decides which, with the
 * four record-dependent cases resolved there. The statechart (machine/deviceMachine.ts)
 * and the compiled reducer (reducer/) both consume exactly this vocabulary.
 */
import type { RejectionReason } from '../catalog/rejectionReasons.js';

/** Device statechart event types, in a fixed order (the index is the reducer's column code). */
export const DEVICE_EVENT_TYPES = [
  'RECORDED',
  'ATTACH',
  'SESSION_CREATED',
  'SESSION_UPDATED',
  'SESSION_REJECTED',
  'SESSION_ENDED',
  'PURGE',
  'SIM_REGISTERED',
  'SIM_ACTIVATED',
  'SIM_SUSPENDED',
  'SIM_FACTORY_TEST',
  'SIM_DELETED',
  'ENDPOINT_ENABLED',
  'ENDPOINT_DISABLED',
  'ENDPOINT_BLOCKED',
  'ORGANISATION_BLOCKED',
  'DATA_QUOTA_ASSIGNED',
  'DATA_QUOTA_THRESHOLD',
  'DATA_QUOTA_USED_UP',
  'DATA_QUOTA_EXPIRED',
  'DATA_QUOTA_DELETED',
  'SMS_QUOTA_ASSIGNED',
  'SMS_QUOTA_THRESHOLD',
  'SMS_QUOTA_USED_UP',
  'SMS_QUOTA_DELETED',
] as const;

export type DeviceEventType = (typeof DEVICE_EVENT_TYPES)[number];

/** The visited network operator, as the snapshot shows it. */
export interface Operator {
  readonly name: string | null;
  readonly mcc: string | null;
  readonly mnc: string | null;
  /** ISO 3166 alpha-2 code, lower case as emnify sends it. */
  readonly country: string | null;
}

/**
 * What an event tells about the device besides its state change. `null` means the
 * record did not say; the device keeps what it knew.
 */
export interface Observation {
  readonly organisationId: number | null;
  readonly simId: number | null;
  readonly iccid: string | null;
  readonly imsi: string | null;
  readonly imei: string | null;
  readonly ipAddress: string | null;
  /** `endpoint.name`: the name the endpoint has in emnify (a label users set, not an identifier). */
  readonly name: string | null;
  readonly operator: Operator | null;
  /** RAT type of an accepted PDP context (SESSION_CREATED / SESSION_UPDATED only). */
  readonly ratType: number | null;
  /** APN of an accepted PDP context (SESSION_CREATED / SESSION_UPDATED only). */
  readonly apn: string | null;
  /** SESSION_REJECTED only. */
  readonly rejectionReason: RejectionReason | null;
}

/** One event for the device statechart (or, with no endpoint, for the organisation). */
export interface DeviceEvent {
  readonly type: DeviceEventType;
  /** Event time, UTC epoch ms. */
  readonly at: number;
  readonly eventId: bigint;
  /** The endpoint the event concerns; `null` for organisation/user/SIM-only records. */
  readonly endpointId: number | null;
  readonly observation: Observation;
}

/** An observation that says nothing. */
export const EMPTY_OBSERVATION: Observation = Object.freeze({
  organisationId: null,
  simId: null,
  iccid: null,
  imsi: null,
  imei: null,
  ipAddress: null,
  name: null,
  operator: null,
  ratType: null,
  apn: null,
  rejectionReason: null,
});
