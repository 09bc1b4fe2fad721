/**
 * The state of one endpoint as simfleet shows it: the same view whether it is read from
 * an XState snapshot (machine/endpointStateFromSnapshot.ts) or from the compiled fleet
 * store (fleet/FleetStore.ts). Both go through `endpointStateFromRegions`, so the mapping
 * from region states to the view — and the status precedence — exists once.
 */
import type { RejectionReason } from '../catalog/rejectionReasons.js';
import type { Operator } from './deviceEvent.js';

/** States of the `connectivity` region. */
export const CONNECTIVITY_STATES = ['OFFLINE', 'ATTACHED', 'ONLINE'] as const;
export type Connectivity = (typeof CONNECTIVITY_STATES)[number];

/** States of the `sim` region (`UNKNOWN`: no event has told us). */
export const SIM_STATES = ['UNKNOWN', 'ISSUED', 'ACTIVATED', 'SUSPENDED', 'FACTORY_TEST', 'DELETED'] as const;
export type SimState = (typeof SIM_STATES)[number];

/** States of the `endpoint` region. */
export const ENDPOINT_STATES = ['UNKNOWN', 'ENABLED', 'DISABLED'] as const;
export type EndpointRegionState = (typeof ENDPOINT_STATES)[number];

/** States of the `block` region (the endpoint's own block; the organisation's is separate). */
export const BLOCK_STATES = ['NOT_BLOCKED', 'BLOCKED'] as const;
export type BlockState = (typeof BLOCK_STATES)[number];

/** States of the `dataQuota` region; the threshold is a state so the compiled tables hold it. */
export const DATA_QUOTA_STATES = ['UNKNOWN', 'NONE', 'ACTIVE', 'ACTIVE_THRESHOLD', 'EXHAUSTED', 'EXPIRED'] as const;
export type DataQuotaState = (typeof DATA_QUOTA_STATES)[number];

/** States of the `smsQuota` region. */
export const SMS_QUOTA_STATES = ['UNKNOWN', 'NONE', 'ACTIVE', 'ACTIVE_THRESHOLD', 'EXHAUSTED'] as const;
export type SmsQuotaState = (typeof SMS_QUOTA_STATES)[number];

/** States of the organisation machine. */
export const ORGANISATION_STATES = ['ACTIVE', 'BLOCKED'] as const;
export type OrganisationState = (typeof ORGANISATION_STATES)[number];

/** Effective statuses, highest precedence first. */
export const ENDPOINT_STATUSES = ['DELETED', 'SUSPENDED', 'DISABLED', 'BLOCKED', 'ONLINE', 'ATTACHED', 'OFFLINE'] as const;
export type EndpointStatus = (typeof ENDPOINT_STATUSES)[number];

/** One state per device region, by region name. */
export interface RegionStates {
  readonly connectivity: Connectivity;
  readonly sim: SimState;
  readonly endpoint: EndpointRegionState;
  readonly block: BlockState;
  readonly dataQuota: DataQuotaState;
  readonly smsQuota: SmsQuotaState;
}

/** The device facts that are not region states. */
export interface EndpointFacts {
  readonly endpointId: number;
  /** UTC epoch ms when connectivity last changed; `null` until it first does. */
  readonly since: number | null;
  readonly organisationId: number | null;
  readonly simId: number | null;
  readonly iccid: string | null;
  readonly imsi: string | null;
  readonly imei: string | null;
  readonly ipAddress: string | null;
  /**
   * The endpoint's name, from the last event (in time, then id order) whose record said one;
   * a record without `endpoint.name` (or with `null`) leaves it; `''` is a name said.
   */
  readonly name: string | null;
  readonly operator: Operator | null;
  /** RAT type of the last accepted/updated PDP context that said one. */
  readonly ratType: number | null;
  /** APN of the last accepted/updated PDP context that said one. */
  readonly apn: string | null;
  readonly lastEventId: bigint | null;
  /** UTC epoch ms of the last event. */
  readonly lastEventAt: number | null;
  /** Number of ATTACH events. */
  readonly attaches: number;
  /** Number of SESSION_CREATED events (accepted sessions). */
  readonly sessions: number;
  /** Number of SESSION_REJECTED events. */
  readonly rejections: number;
  readonly lastRejectionReason: RejectionReason | null;
}

/** What simfleet knows about one endpoint. */
export interface EndpointState {
  endpointId: number;
  status: EndpointStatus;
  connectivity: Connectivity;
  /** UTC epoch ms when connectivity last changed; `null` if it never did. */
  since: number | null;
  simStatus: 'ISSUED' | 'ACTIVATED' | 'SUSPENDED' | 'FACTORY_TEST' | 'DELETED' | null;
  endpointStatus: 'ENABLED' | 'DISABLED' | null;
  /** The endpoint's own block or its organisation's. */
  blocked: boolean;
  dataQuota: 'NONE' | 'ACTIVE' | 'EXHAUSTED' | 'EXPIRED' | null;
  dataQuotaThresholdReached: boolean;
  smsQuota: 'NONE' | 'ACTIVE' | 'EXHAUSTED' | null;
  smsQuotaThresholdReached: boolean;
  organisationId: number | null;
  simId: number | null;
  iccid: string | null;
  imsi: string | null;
  imei: string | null;
  ipAddress: string | null;
  /** The endpoint's name (see `EndpointFacts.name`). */
  name: string | null;
  operator: Operator | null;
  ratType: number | null;
  apn: string | null;
  lastEventId: bigint | null;
  lastEventAt: number | null;
  attaches: number;
  sessions: number;
  rejections: number;
  lastRejectionReason: RejectionReason | null;
}

/**
 * The effective status, in the precedence: DELETED (SIM deleted) > SUSPENDED (SIM
 * suspended) > DISABLED (endpoint disabled) > BLOCKED > the connectivity state.
 *
 * @example
 * effectiveStatus({ sim: 'ACTIVATED', endpoint: 'DISABLED', blocked: true, connectivity: 'ONLINE' }) // 'DISABLED'
 */
export function effectiveStatus(s: {
  readonly sim: SimState;
  readonly endpoint: EndpointRegionState;
  readonly blocked: boolean;
  readonly connectivity: Connectivity;
}): EndpointStatus {
  if (s.sim === 'DELETED') return 'DELETED';
  if (s.sim === 'SUSPENDED') return 'SUSPENDED';
  if (s.endpoint === 'DISABLED') return 'DISABLED';
  if (s.blocked) return 'BLOCKED';
  return s.connectivity;
}

/**
 * The endpoint view of region states and facts; `organisationBlocked` is whether the
 * endpoint's current organisation is blocked.
 *
 * @example
 * endpointStateFromRegions(regions, facts, false).status // e.g. 'ONLINE'
 */
export function endpointStateFromRegions(regions: RegionStates, facts: EndpointFacts, organisationBlocked: boolean): EndpointState {
  const blocked = regions.block === 'BLOCKED' || organisationBlocked;
  return {
    endpointId: facts.endpointId,
    status: effectiveStatus({ sim: regions.sim, endpoint: regions.endpoint, blocked, connectivity: regions.connectivity }),
    connectivity: regions.connectivity,
    since: facts.since,
    simStatus: regions.sim === 'UNKNOWN' ? null : regions.sim,
    endpointStatus: regions.endpoint === 'UNKNOWN' ? null : regions.endpoint,
    blocked,
    dataQuota: regions.dataQuota === 'UNKNOWN' ? null : regions.dataQuota === 'ACTIVE_THRESHOLD' ? 'ACTIVE' : regions.dataQuota,
    dataQuotaThresholdReached: regions.dataQuota === 'ACTIVE_THRESHOLD',
    smsQuota: regions.smsQuota === 'UNKNOWN' ? null : regions.smsQuota === 'ACTIVE_THRESHOLD' ? 'ACTIVE' : regions.smsQuota,
    smsQuotaThresholdReached: regions.smsQuota === 'ACTIVE_THRESHOLD',
    organisationId: facts.organisationId,
    simId: facts.simId,
    iccid: facts.iccid,
    imsi: facts.imsi,
    imei: facts.imei,
    ipAddress: facts.ipAddress,
    name: facts.name,
    operator: facts.operator,
    ratType: facts.ratType,
    apn: facts.apn,
    lastEventId: facts.lastEventId,
    lastEventAt: facts.lastEventAt,
    attaches: facts.attaches,
    sessions: facts.sessions,
    rejections: facts.rejections,
    lastRejectionReason: facts.lastRejectionReason,
  };
}

/**
 * The facts of an endpoint no event has told anything about (every field "not said").
 *
 * @example
 * noEndpointFacts(11089066).iccid // null
 */
export function noEndpointFacts(endpointId: number): EndpointFacts {
  return {
    endpointId,
    since: null,
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
    lastEventId: null,
    lastEventAt: null,
    attaches: 0,
    sessions: 0,
    rejections: 0,
    lastRejectionReason: null,
  };
}

/** Every region in its initial state (the statechart's, before any event). */
export const INITIAL_REGIONS: RegionStates = {
  connectivity: CONNECTIVITY_STATES[0],
  sim: SIM_STATES[0],
  endpoint: ENDPOINT_STATES[0],
  block: BLOCK_STATES[0],
  dataQuota: DATA_QUOTA_STATES[0],
  smsQuota: SMS_QUOTA_STATES[0],
};

/**
 * The state of an endpoint before any event: what a fleet store holds for a device it has
 * just added. One definition for every place that needs a blank state (key orders, tests).
 *
 * @example
 * initialEndpointState(7).status // 'OFFLINE'
 */
export function initialEndpointState(endpointId: number): EndpointState {
  return endpointStateFromRegions(INITIAL_REGIONS, noEndpointFacts(endpointId), false);
}
