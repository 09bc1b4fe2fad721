/**
 * The hot path: applies a batch of events (typed-array columns) to a fleet store.
 *
 * Why it is fast
 * - Everything is numbers in typed arrays: a device is a dense index to a 128-byte record
 *   (fleet/deviceRecord.ts: two cache lines, where one array per field cost ~25 cache
 *   misses per event at 100k devices), its six region states one product code moved by ONE
 *   lookup (`product.next[state * EVENT_COUNT + type]`, reducer/productTable.ts), a string
 *   a pool reference, an event id two uint32s. Then a handful of "take it if said" copies
 *   (one bit mask per event type) and three counter adds. No objects, closures or bigints
 *   are created per event — only when an `onTransition` callback is given does it
 *   allocate, one object per reported change.
 * - The batch is ordered through a permutation of row indices (sortBatch.ts: merge sort on
 *   a Uint32Array with reusable scratch; an in-order batch costs one pass), never by
 *   moving rows or building event objects.
 * - The only per-event hash lookup is endpoint id → device index (an open-addressing
 *   probe that lands on the device's record, which the event then updates while it is in
 *   cache), plus organisation id → index when an event brings a new organisation.
 *
 * Why it equals the machine
 * - No rule is written here. Region transitions come from tables that
 *   `compileMachine()` reads out of `deviceMachine` / `organisationMachine` with XState's
 *   pure `transition()`; which observation fields an event type takes and which counters
 *   it moves are read the same way (probe events, context diffed); the effective status
 *   comes from a table built with the same `effectiveStatus()` the machine view uses.
 * - What is written here is plumbing the machine cannot express: order (time, then event
 *   id), duplicate and late detection, and routing an event to the organisation of its
 *   device (or, without an endpoint, to its `organisationId`) — the same routing the
 *   XState harness of the tests does.
 * - `test/reducer/differential.test.ts` feeds random fleets and event sequences (all
 *   types, duplicates, rejections, null observations, several organisations) both to
 *   XState actors and to this function and compares every `EndpointState` field by field;
 *   `test/machine/graphPaths.test.ts` replays a path from `xstate/graph` for every
 *   transition of the machine.
 *
 * Order and duplicates: within a batch, events apply in (at, idHi, idLo) order. Per
 * device, an event whose (at, id) equals the device's last applied one is a DUPLICATE
 * (nothing changes); an older one is LATE (not applied here: the engine's live ingest
 * re-folds the device from its retained events instead). Organisations are order-free: an
 * event that moves organisations is taken by one only when it is newer than the newest it
 * took (`FleetStore.reachOrganisation`); the organisation machine is reset-type
 * (`CompiledMachine.organisationTarget`), so that equals the in-order fold in any arrival
 * order. Events without an endpoint are ordered against the fleet's last such event, or,
 * with `fleetEventsInAnyOrder` (for a caller that deduplicates by id itself), applied in
 * any order: what they move is their organisation, which is exact in any order.
 */
import {
  F_LAST_AT,
  F_SIM_ID,
  F_SINCE,
  I_ORGANISATION_INDEX,
  I_RAT_TYPE,
  RECORD_F64,
  RECORD_U32,
  U_APN,
  U_ATTACHES,
  U_ICCID,
  U_IMEI,
  U_NAME,
  U_IMSI,
  U_IP_ADDRESS,
  U_LAST_HI,
  U_LAST_LO,
  U_OPERATOR,
  U_REJECTION_REASON,
  U_REJECTIONS,
  U_SESSIONS,
  U_STATE,
} from '../fleet/deviceRecord.js';
import type { FleetStore } from '../fleet/FleetStore.js';
import {
  BLOCK_STATES,
  CONNECTIVITY_STATES,
  DATA_QUOTA_STATES,
  ENDPOINT_STATES,
  ENDPOINT_STATUSES,
  type EndpointStatus,
  type RegionStates,
  SIM_STATES,
  SMS_QUOTA_STATES,
} from '../machine/endpointState.js';
import { type CompiledMachine, OBSERVATION_FIELDS } from './compileMachine.js';
import type { EventColumns } from './EventColumns.js';
import { NO_RAT_TYPE, NO_REJECTION_REASON } from './EventColumns.js';
import type { OrganisationTransition } from './organisationTransition.js';
import { ReducerError } from './ReducerError.js';
import { NULL_REF } from './StringPool.js';
import { sortBatch } from './sortBatch.js';

/** Per-row outcome codes written to `ApplyBatchOptions.status`. */
export const ROW_APPLIED = 0;
export const ROW_DUPLICATE = 1;
export const ROW_LATE = 2;

/**
 * The state names a transition report can carry, by region: the device regions' own
 * (`RegionStates`, whose lists `compileMachine` checks against the statechart), where
 * `block` is the effective block (the endpoint's own or its organisation's), and `status`,
 * the effective status.
 */
export interface TransitionStates extends RegionStates {
  readonly status: EndpointStatus;
}

/** What a transition report is about: a region of the device, or its effective status. */
export type TransitionRegion = keyof TransitionStates;

/** The state names of each reported region, as lists (index order of the compiled tables). */
export const TRANSITION_STATES: { readonly [R in TransitionRegion]: readonly TransitionStates[R][] } = {
  connectivity: CONNECTIVITY_STATES,
  sim: SIM_STATES,
  endpoint: ENDPOINT_STATES,
  block: BLOCK_STATES,
  dataQuota: DATA_QUOTA_STATES,
  smsQuota: SMS_QUOTA_STATES,
  status: ENDPOINT_STATUSES,
};

/** One change of one device in region `R`: `from`/`to` are that region's state names. */
export interface RegionTransition<R extends TransitionRegion> {
  readonly endpointId: number;
  readonly region: R;
  readonly from: TransitionStates[R];
  readonly to: TransitionStates[R];
  /** Time of the event that caused it, UTC epoch ms. */
  readonly at: number;
  readonly eventId: bigint;
}

/**
 * One change of one device, discriminated by `region`: after `t.region === 'sim'`,
 * `t.to` is a `SimState`. `Transition<'sim' | 'status'>` is a change of one of those.
 *
 * @example
 * const wentOffline = (t: Transition) => t.region === 'connectivity' && t.to === 'OFFLINE';
 */
export type Transition<R extends TransitionRegion = TransitionRegion> = { readonly [P in R]: RegionTransition<P> }[R];

/**
 * A transition from names read back from storage or the wire: checks that the region is
 * one of `TransitionRegion` and that `from`/`to` are its state names.
 *
 * @throws RangeError naming the field that is not a state name of its region.
 * @example
 * transitionOf({ endpointId: 7, region: 'sim', from: 'ISSUED', to: 'ACTIVATED', at: 0, eventId: 1n }).to // 'ACTIVATED'
 */
export function transitionOf(fields: {
  readonly endpointId: number;
  readonly region: string;
  readonly from: string;
  readonly to: string;
  readonly at: number;
  readonly eventId: bigint;
}): Transition {
  const region = fields.region;
  if (!isTransitionRegion(region)) throw new RangeError(`not a transition region: ${JSON.stringify(region)}`);
  return regionTransitionOf(region, fields);
}

function isTransitionRegion(name: string): name is TransitionRegion {
  return Object.hasOwn(TRANSITION_STATES, name);
}

function regionTransitionOf<R extends TransitionRegion>(
  region: R,
  fields: { readonly endpointId: number; readonly from: string; readonly to: string; readonly at: number; readonly eventId: bigint },
): Transition {
  const names: readonly TransitionStates[R][] = TRANSITION_STATES[region];
  const from = names.find((n) => n === fields.from);
  const to = names.find((n) => n === fields.to);
  if (from === undefined) throw new RangeError(`not a state of region ${region}: from ${JSON.stringify(fields.from)}`);
  if (to === undefined) throw new RangeError(`not a state of region ${region}: to ${JSON.stringify(fields.to)}`);
  return regionTransition(fields.endpointId, region, from, to, fields.at, fields.eventId);
}

/** Options of `applyBatch`. */
export interface ApplyBatchOptions {
  /** Caller-owned, at least `columns.length` long: receives 0 applied, 1 duplicate, 2 late per row. */
  readonly status?: Uint8Array;
  /** Called for every change of a region or of the effective status, in application order. */
  readonly onTransition?: (transition: Transition) => void;
  /**
   * Called once for each organisation change that reaches members (a block or unblock),
   * with the members it reached (ascending by endpoint id), instead of one `onTransition`
   * call per member change: for writers that store such a change once.
   * `expandOrganisationTransition` gives the per-member changes back. The changes of the endpoint whose own event moved the
   * organisation still come through `onTransition`, before this call.
   */
  readonly onOrganisationTransition?: (change: OrganisationTransition) => void;
  /**
   * Apply events without an endpoint even when older than the fleet's last such event
   * (only a repeat of that one is a duplicate). For callers that deduplicate by event id
   * themselves, like the engine's live ingest, where late organisation events are normal.
   */
  readonly fleetEventsInAnyOrder?: boolean;
}

/** Counts of one batch. */
export interface BatchResult {
  readonly applied: number;
  readonly duplicates: number;
  readonly late: number;
}

/**
 * Applies a batch to the fleet: in (time, event id) order, duplicates and late events
 * counted, not applied.
 *
 * @example
 * const fleet = new FleetStore();
 * const columns = fleet.createColumns();
 * for (const e of events) columns.push(e);
 * const { applied, duplicates, late } = applyBatch(fleet, columns, {
 *   onTransition: (t) => console.log(t.endpointId, t.region, t.from, '→', t.to),
 * });
 */
export function applyBatch(fleet: FleetStore, columns: EventColumns, options: ApplyBatchOptions = {}): BatchResult {
  if (columns.pool !== fleet.pool) {
    throw new ReducerError('pool_mismatch', 'columns.pool', 'the columns intern into another pool than the fleet; create them with fleet.createColumns()');
  }
  const n = columns.length;
  const rowStatus = options.status;
  if (rowStatus !== undefined && rowStatus.length < n) {
    throw new RangeError(`status array too short: ${rowStatus.length} < ${n}`);
  }
  const onTransition = options.onTransition;
  const onOrganisation = options.onOrganisationTransition;
  const order = sortBatch(columns);
  // Reporting (only with a callback): effective status through the compiled status table.
  const anyOrder = options.fleetEventsInAnyOrder === true;
  const reporting = onTransition !== undefined || onOrganisation !== undefined;
  if (!reporting && rowStatus === undefined && !anyOrder) return applyRowsFast(fleet, columns, order);
  const report = reporting ? createReporter(fleet, onTransition ?? ignoreTransition, onOrganisation) : undefined;
  return applyRows(fleet, columns, order, rowStatus, report, anyOrder);
}

/**
 * Rows per device-resolution chunk. Resolving a chunk's devices in a loop of its own lets
 * the CPU overlap the independent index probes (their cache misses); the chunk's records
 * (256 × one 64-byte line) are then still in cache when the apply loop updates them.
 */
const CHUNK = 256;

/**
 * Dense device index of positions [start, end) of the order into `out` (-1: no endpoint),
 * new devices added in application order (as if resolved one by one). May grow the store.
 */
function resolveChunk(
  fleet: FleetStore,
  cEndpoint: Float64Array,
  order: Uint32Array,
  start: number,
  end: number,
  out: Int32Array,
  touched: Float64Array,
): void {
  touched[CHUNK] = fleet.warmIndex(cEndpoint, order, start, end);
  for (let k = start; k < end; k++) {
    const endpointId = cEndpoint[order[k] as number] as number;
    const d = Number.isNaN(endpointId) ? -1 : fleet.deviceIndex(endpointId);
    out[k - start] = d;
    // Load the record's first line now, while the loads of the chunk overlap (nothing
    // here depends on them); the apply loop then finds it in cache. Stored so that the
    // load is not optimised away; never read.
    if (d >= 0) touched[k - start] = fleet.f64[d * RECORD_F64 + F_LAST_AT] as number;
  }
}

/** Bit of each observation field in `takesMask` (OBSERVATION_FIELDS order). */
const T_ORG = 1;
const T_SIM = 2;
const T_ICCID = 4;
const T_IMSI = 8;
const T_IMEI = 16;
const T_IP = 32;
const T_OPERATOR = 64;
const T_RAT = 128;
const T_APN = 256;
const T_REASON = 512;
const T_NAME = 1024;

const masks = new WeakMap<CompiledMachine, Uint16Array>();

/** `takesMask[eventCode]`: the compiled `takes` tables as one bit mask per event type. */
function takesMask(c: CompiledMachine): Uint16Array {
  let m = masks.get(c);
  if (m === undefined) {
    m = new Uint16Array(c.eventCount);
    OBSERVATION_FIELDS.forEach((field, bit) => {
      const t = c.takes[field];
      for (let e = 0; e < c.eventCount; e++) if (t[e] === 1) (m as Uint16Array)[e] = ((m as Uint16Array)[e] as number) | (1 << bit);
    });
    masks.set(c, m);
  }
  return m;
}

/**
 * The main loop of `applyBatch` without status output or reports: the common case, kept
 * free of their per-event branches. Devices are resolved a chunk at a time, in
 * application order (dense indexes are given in the order the events apply); the record
 * views are reloaded after each chunk, as new devices may make the store grow. Must stay equal to `applyRows` (the
 * differential tests run both).
 */
function applyRowsFast(fleet: FleetStore, columns: EventColumns, order: Uint32Array): BatchResult {
  const n = order.length;
  const cAt = columns.at;
  const cHi = columns.idHi;
  const cLo = columns.idLo;
  const cEndpoint = columns.endpointId;
  const cType = columns.type;
  const cOrg = columns.organisationId;
  const cSim = columns.simId;
  const cIccid = columns.iccid;
  const cImsi = columns.imsi;
  const cImei = columns.imei;
  const cIp = columns.ipAddress;
  const cApn = columns.apn;
  const cOperator = columns.operator;
  const cRat = columns.ratType;
  const cReason = columns.rejectionReason;
  const cName = columns.name;

  const c = fleet.compiled;
  const EC = c.eventCount;
  const next = c.product.next;
  const connOf = c.product.codes[0] as Uint8Array;
  const orgTarget = c.organisationTarget;
  const mask = takesMask(c);
  const countAttach = c.counts.attaches;
  const countSession = c.counts.sessions;
  const countReject = c.counts.rejections;

  let f64 = fleet.f64;
  let u32 = fleet.u32;
  let i32 = fleet.i32;

  let applied = 0;
  let duplicates = 0;
  let late = 0;

  const devices = new Int32Array(CHUNK);
  const touched = new Float64Array(CHUNK + 1);
  for (let start = 0; start < n; start += CHUNK) {
    const end = Math.min(start + CHUNK, n);
    resolveChunk(fleet, cEndpoint, order, start, end, devices, touched);
    // New devices may have grown the store.
    f64 = fleet.f64;
    u32 = fleet.u32;
    i32 = fleet.i32;
    for (let k = start; k < end; k++) {
      const row = order[k] as number;
      const at = cAt[row] as number;
      const hi = cHi[row] as number;
      const lo = cLo[row] as number;
      const e = cType[row] as number;
      const d = devices[k - start] as number;

      if (d < 0) {
        const outcome = applyFleetLevel(fleet, at, hi, lo, e, cOrg[row] as number, undefined, false);
        if (outcome === ROW_APPLIED) applied++;
        else if (outcome === ROW_DUPLICATE) duplicates++;
        else late++;
        continue;
      }
      const f = d * RECORD_F64;
      const u = d * RECORD_U32;

      const la = f64[f + F_LAST_AT] as number;
      if (at <= la) {
        // Not after the device's last event (false for a new device: NaN).
        const cmp = compareKey(at, hi, lo, la, u32[u + U_LAST_HI] as number, u32[u + U_LAST_LO] as number);
        if (cmp <= 0) {
          if (cmp === 0) duplicates++;
          else late++;
          continue;
        }
      }

      // Regions, all six in one lookup of the compiled product table.
      const ps = u32[u + U_STATE] as number;
      const nps = next[ps * EC + e] as number;
      if (nps !== ps) {
        u32[u + U_STATE] = nps;
        if (connOf[nps] !== connOf[ps]) f64[f + F_SINCE] = at;
      }

      // Observation: a field said by the event (and taken by its type) replaces the old one.
      const m = mask[e] as number;
      if ((m & T_ORG) !== 0) {
        const oid = cOrg[row] as number;
        const o = i32[u + I_ORGANISATION_INDEX] as number;
        if (!Number.isNaN(oid) && (o < 0 || fleet.organisationIds[o] !== oid)) {
          i32[u + I_ORGANISATION_INDEX] = fleet.organisationIndexOf(oid);
        }
      }
      if ((m & T_SIM) !== 0) {
        const sid = cSim[row] as number;
        if (!Number.isNaN(sid)) f64[f + F_SIM_ID] = sid;
      }
      if ((m & T_ICCID) !== 0) {
        const v = cIccid[row] as number;
        if (v !== NULL_REF) u32[u + U_ICCID] = v;
      }
      if ((m & T_IMSI) !== 0) {
        const v = cImsi[row] as number;
        if (v !== NULL_REF) u32[u + U_IMSI] = v;
      }
      if ((m & T_IMEI) !== 0) {
        const v = cImei[row] as number;
        if (v !== NULL_REF) u32[u + U_IMEI] = v;
      }
      if ((m & T_IP) !== 0) {
        const v = cIp[row] as number;
        if (v !== NULL_REF) u32[u + U_IP_ADDRESS] = v;
      }
      if ((m & T_NAME) !== 0) {
        const v = cName[row] as number;
        if (v !== NULL_REF) u32[u + U_NAME] = v;
      }
      if ((m & T_OPERATOR) !== 0) {
        const v = cOperator[row] as number;
        if (v !== NULL_REF) u32[u + U_OPERATOR] = v;
      }
      if ((m & T_APN) !== 0) {
        const v = cApn[row] as number;
        if (v !== NULL_REF) u32[u + U_APN] = v;
      }
      if ((m & T_RAT) !== 0) {
        const v = cRat[row] as number;
        if (v !== NO_RAT_TYPE) i32[u + I_RAT_TYPE] = v;
      }
      if ((m & T_REASON) !== 0) {
        const v = cReason[row] as number;
        if (v !== NO_REJECTION_REASON) u32[u + U_REJECTION_REASON] = v;
      }

      u32[u + U_ATTACHES] = (u32[u + U_ATTACHES] as number) + (countAttach[e] as number);
      u32[u + U_SESSIONS] = (u32[u + U_SESSIONS] as number) + (countSession[e] as number);
      u32[u + U_REJECTIONS] = (u32[u + U_REJECTIONS] as number) + (countReject[e] as number);
      f64[f + F_LAST_AT] = at;
      u32[u + U_LAST_HI] = hi;
      u32[u + U_LAST_LO] = lo;

      // The event reaches the device's organisation: taken when it is the newest that moves it.
      const o = i32[u + I_ORGANISATION_INDEX] as number;
      const target = orgTarget[e] as number;
      if (o >= 0 && target >= 0) fleet.reachOrganisation(o, target, at, hi, lo);
      applied++;
    }
  }

  fleet.applied += applied;
  fleet.duplicates += duplicates;
  fleet.late += late;
  return { applied, duplicates, late };
}

/** The main loop of `applyBatch` with status output and/or reports (see `applyRowsFast`). */
function applyRows(
  fleet: FleetStore,
  columns: EventColumns,
  order: Uint32Array,
  rowStatus: Uint8Array | undefined,
  report: Reporter | undefined,
  anyOrder: boolean,
): BatchResult {
  const n = order.length;
  const cAt = columns.at;
  const cHi = columns.idHi;
  const cLo = columns.idLo;
  const cEndpoint = columns.endpointId;
  const cType = columns.type;
  const cOrg = columns.organisationId;
  const cSim = columns.simId;
  const cIccid = columns.iccid;
  const cImsi = columns.imsi;
  const cImei = columns.imei;
  const cIp = columns.ipAddress;
  const cApn = columns.apn;
  const cOperator = columns.operator;
  const cRat = columns.ratType;
  const cReason = columns.rejectionReason;
  const cName = columns.name;

  const c = fleet.compiled;
  const EC = c.eventCount;
  const next = c.product.next;
  const connOf = c.product.codes[0] as Uint8Array;
  const orgTarget = c.organisationTarget;
  const mask = takesMask(c);
  const countAttach = c.counts.attaches;
  const countSession = c.counts.sessions;
  const countReject = c.counts.rejections;
  const ORG_BLOCKED = c.organisationBlockedState;

  let f64 = fleet.f64;
  let u32 = fleet.u32;
  let i32 = fleet.i32;
  // Replaced when a new organisation makes it grow (rare: reloaded then).
  let orgState = fleet.organisationState;

  let applied = 0;
  let duplicates = 0;
  let late = 0;

  const devices = new Int32Array(CHUNK);
  const touched = new Float64Array(CHUNK + 1);
  for (let start = 0; start < n; start += CHUNK) {
    const end = Math.min(start + CHUNK, n);
    resolveChunk(fleet, cEndpoint, order, start, end, devices, touched);
    // New devices may have grown the store.
    f64 = fleet.f64;
    u32 = fleet.u32;
    i32 = fleet.i32;
    for (let k = start; k < end; k++) {
      const row = order[k] as number;
      const at = cAt[row] as number;
      const hi = cHi[row] as number;
      const lo = cLo[row] as number;
      const e = cType[row] as number;
      const d = devices[k - start] as number;

      if (d < 0) {
        // No endpoint: a fleet-level event (organisation, user, service profile).
        const outcome = applyFleetLevel(fleet, at, hi, lo, e, cOrg[row] as number, report, anyOrder);
        if (outcome === ROW_APPLIED) applied++;
        else if (outcome === ROW_DUPLICATE) duplicates++;
        else late++;
        if (rowStatus !== undefined) rowStatus[row] = outcome;
        orgState = fleet.organisationState;
        continue;
      }
      const f = d * RECORD_F64;
      const u = d * RECORD_U32;

      const la = f64[f + F_LAST_AT] as number;
      if (at <= la) {
        // Not after the device's last event (false for a new device: NaN).
        const cmp = compareKey(at, hi, lo, la, u32[u + U_LAST_HI] as number, u32[u + U_LAST_LO] as number);
        if (cmp <= 0) {
          if (cmp === 0) duplicates++;
          else late++;
          if (rowStatus !== undefined) rowStatus[row] = cmp === 0 ? ROW_DUPLICATE : ROW_LATE;
          continue;
        }
      }

      if (report !== undefined) report.before(d);

      // Regions, all six in one lookup of the compiled product table.
      const ps = u32[u + U_STATE] as number;
      const nps = next[ps * EC + e] as number;
      if (nps !== ps) {
        u32[u + U_STATE] = nps;
        if (connOf[nps] !== connOf[ps]) f64[f + F_SINCE] = at;
        if (report !== undefined) report.stateChanged(d, i32[u + I_ORGANISATION_INDEX] as number, nps);
      }

      // Observation: a field said by the event (and taken by its type) replaces the old one.
      const m = mask[e] as number;
      if ((m & T_ORG) !== 0) {
        const oid = cOrg[row] as number;
        const left = i32[u + I_ORGANISATION_INDEX] as number;
        if (!Number.isNaN(oid) && (left < 0 || fleet.organisationIds[left] !== oid)) {
          const joined = fleet.organisationIndexOf(oid);
          i32[u + I_ORGANISATION_INDEX] = joined;
          orgState = fleet.organisationState;
          if (report !== undefined && left !== joined) report.moved(d, left, joined);
        }
      }
      if ((m & T_SIM) !== 0) {
        const sid = cSim[row] as number;
        if (!Number.isNaN(sid)) f64[f + F_SIM_ID] = sid;
      }
      if ((m & T_ICCID) !== 0) {
        const v = cIccid[row] as number;
        if (v !== NULL_REF) u32[u + U_ICCID] = v;
      }
      if ((m & T_IMSI) !== 0) {
        const v = cImsi[row] as number;
        if (v !== NULL_REF) u32[u + U_IMSI] = v;
      }
      if ((m & T_IMEI) !== 0) {
        const v = cImei[row] as number;
        if (v !== NULL_REF) u32[u + U_IMEI] = v;
      }
      if ((m & T_IP) !== 0) {
        const v = cIp[row] as number;
        if (v !== NULL_REF) u32[u + U_IP_ADDRESS] = v;
      }
      if ((m & T_NAME) !== 0) {
        const v = cName[row] as number;
        if (v !== NULL_REF) u32[u + U_NAME] = v;
      }
      if ((m & T_OPERATOR) !== 0) {
        const v = cOperator[row] as number;
        if (v !== NULL_REF) u32[u + U_OPERATOR] = v;
      }
      if ((m & T_APN) !== 0) {
        const v = cApn[row] as number;
        if (v !== NULL_REF) u32[u + U_APN] = v;
      }
      if ((m & T_RAT) !== 0) {
        const v = cRat[row] as number;
        if (v !== NO_RAT_TYPE) i32[u + I_RAT_TYPE] = v;
      }
      if ((m & T_REASON) !== 0) {
        const v = cReason[row] as number;
        if (v !== NO_REJECTION_REASON) u32[u + U_REJECTION_REASON] = v;
      }

      u32[u + U_ATTACHES] = (u32[u + U_ATTACHES] as number) + (countAttach[e] as number);
      u32[u + U_SESSIONS] = (u32[u + U_SESSIONS] as number) + (countSession[e] as number);
      u32[u + U_REJECTIONS] = (u32[u + U_REJECTIONS] as number) + (countReject[e] as number);
      f64[f + F_LAST_AT] = at;
      u32[u + U_LAST_HI] = hi;
      u32[u + U_LAST_LO] = lo;

      // The event reaches the device's organisation: taken when it is the newest that moves it.
      const o = i32[u + I_ORGANISATION_INDEX] as number;
      const target = orgTarget[e] as number;
      let orgBefore = -1;
      let orgAfter = -1;
      if (o >= 0 && target >= 0) {
        orgBefore = orgState[o] as number;
        if (fleet.reachOrganisation(o, target, at, hi, lo)) orgAfter = target;
        else orgBefore = -1;
      }

      if (report !== undefined) {
        report.after(d, at, hi, lo);
        if (orgAfter !== orgBefore) report.organisationChanged(o, d, orgBefore === ORG_BLOCKED, orgAfter === ORG_BLOCKED, at, hi, lo);
      }
      applied++;
      if (rowStatus !== undefined) rowStatus[row] = ROW_APPLIED;
    }
  }

  fleet.applied += applied;
  fleet.duplicates += duplicates;
  fleet.late += late;
  return { applied, duplicates, late };
}

/**
 * An event without an endpoint: ordered against the fleet's last such event, then
 * delivered to the organisation it names. Returns the row's outcome code.
 */
function applyFleetLevel(
  fleet: FleetStore,
  at: number,
  hi: number,
  lo: number,
  e: number,
  oid: number,
  report: Reporter | undefined,
  anyOrder: boolean,
): number {
  const fa = fleet.fleetLastAt;
  const cmp = Number.isNaN(fa) ? 1 : compareKey(at, hi, lo, fa, fleet.fleetLastHi, fleet.fleetLastLo);
  if (cmp === 0 || (cmp < 0 && !anyOrder)) return cmp === 0 ? ROW_DUPLICATE : ROW_LATE;
  const c = fleet.compiled;
  if (!Number.isNaN(oid)) {
    const o = fleet.organisationIndexOf(oid);
    const os = fleet.organisationState[o] as number;
    const target = c.organisationTarget[e] as number;
    if (target >= 0 && fleet.reachOrganisation(o, target, at, hi, lo) && report !== undefined) {
      report.organisationChanged(o, -1, os === c.organisationBlockedState, target === c.organisationBlockedState, at, hi, lo);
    }
  }
  if (cmp > 0) {
    fleet.fleetLastAt = at;
    fleet.fleetLastHi = hi;
    fleet.fleetLastLo = lo;
  }
  fleet.fleetEvents++;
  return ROW_APPLIED;
}

/** Sign of (at, hi, lo) − (at2, hi2, lo2). */
function compareKey(at: number, hi: number, lo: number, at2: number, hi2: number, lo2: number): number {
  if (at !== at2) return at < at2 ? -1 : 1;
  if (hi !== hi2) return hi < hi2 ? -1 : 1;
  if (lo !== lo2) return lo < lo2 ? -1 : 1;
  return 0;
}

interface Reporter {
  before(d: number): void;
  after(d: number, at: number, hi: number, lo: number): void;
  /** An organisation changed state: report every member device except `except`. */
  organisationChanged(o: number, except: number, wasBlocked: boolean, isBlocked: boolean, at: number, hi: number, lo: number): void;
  /** Device `d` left organisation index `left` (-1: none) for `joined`. */
  moved(d: number, left: number, joined: number): void;
  /** Device `d`, of organisation index `o` (-1: none), now has product state `state`. */
  stateChanged(d: number, o: number, state: number): void;
}

/**
 * Reports what changed for device `d` since it had product state `fromState` and effective
 * block `fromBlocked`: one transition per region that moved (`block` as the effective block)
 * and one for the effective status, all with the time and id given. `applyBatch` calls it
 * per applied event; the engine's live ingest calls it after re-folding a device, to report
 * how a late event changed it.
 */
export function reportDeviceChange(
  fleet: FleetStore,
  d: number,
  fromState: number,
  fromBlocked: boolean,
  at: number,
  eventId: bigint,
  onTransition: (t: Transition) => void,
): void {
  const c = fleet.compiled;
  const aState = fleet.stateOf(d);
  const aBlocked = fleet.effectivelyBlocked(d);
  const endpointId = fleet.idOf(d);
  const emit = <R extends TransitionRegion>(region: R, from: TransitionStates[R], to: TransitionStates[R]): void =>
    onTransition(regionTransition(endpointId, region, from, to, at, eventId));
  for (const table of c.regions) {
    if (table.region === 'block') continue;
    // The effective block is reported where `block` stands in DEVICE_REGIONS order.
    if (table.region === 'dataQuota' && aBlocked !== fromBlocked) emit('block', BLOCK_STATES[fromBlocked ? 1 : 0], BLOCK_STATES[aBlocked ? 1 : 0]);
    const of = c.product.codes[c.regions.indexOf(table)] as Uint8Array;
    const from = of[fromState] as number;
    const to = of[aState] as number;
    if (from !== to) emit(table.region, stateName(table.states, from), stateName(table.states, to));
  }
  const bStatus = c.productStatus[fromState * 2 + (fromBlocked ? 1 : 0)] as number;
  const aStatus = c.productStatus[aState * 2 + (aBlocked ? 1 : 0)] as number;
  if (aStatus !== bStatus) emit('status', stateName(ENDPOINT_STATUSES, bStatus), stateName(ENDPOINT_STATUSES, aStatus));
}

/**
 * A transition of `region`: generic, so a caller cannot pair a region with another
 * region's names. The one widening to the union is here because TypeScript does not
 * relate `RegionTransition<R>` for a generic `R` to the union it is a member of.
 */
function regionTransition<R extends TransitionRegion>(
  endpointId: number,
  region: R,
  from: TransitionStates[R],
  to: TransitionStates[R],
  at: number,
  eventId: bigint,
): Transition {
  const change: RegionTransition<R> = { endpointId, region, from, to, at, eventId };
  return change as Transition;
}

/** The name of state `code` in a compiled list (a code outside it is a broken table). */
function stateName<S extends string>(names: readonly S[], code: number): S {
  const name = names[code];
  if (name === undefined) throw new RangeError(`state code ${code} is outside its region's ${names.length} states`);
  return name;
}

/** `onTransition` when only organisation changes are asked for. */
const ignoreTransition = (_t: Transition): void => {};

/** Region snapshots before/after an event and the reports they imply (allocates per report only). */
function createReporter(
  fleet: FleetStore,
  onTransition: (t: Transition) => void,
  onOrganisation: ((change: OrganisationTransition) => void) | undefined,
): Reporter {
  const c = fleet.compiled;
  const codes = c.product.codes;
  const statusOf = (p: number, blocked: boolean): number => c.productStatus[p * 2 + (blocked ? 1 : 0)] as number;
  const emit = <R extends TransitionRegion>(d: number, region: R, from: TransitionStates[R], to: TransitionStates[R], at: number, eventId: bigint): void =>
    onTransition(regionTransition(fleet.idOf(d), region, from, to, at, eventId));

  let bState = 0;
  let bBlocked = false;
  const scratch: MemberScratch = { ids: new Float64Array(0), statusKey: new Int32Array(0) };
  // Built at the first organisation change reported once, then kept up to date.
  let members: OrganisationMembers | undefined;
  return {
    moved(d, left, joined) {
      members?.move(d, left, joined);
    },
    stateChanged(d, o, state) {
      members?.setState(d, o, state);
    },
    before(d) {
      bState = fleet.stateOf(d);
      bBlocked = fleet.effectivelyBlocked(d);
    },
    after(d, at, hi, lo) {
      reportDeviceChange(fleet, d, bState, bBlocked, at, (BigInt(hi) << 32n) | BigInt(lo), onTransition);
    },
    organisationChanged(o, except, wasBlocked, isBlocked, at, hi, lo) {
      if (wasBlocked === isBlocked) return;
      // One id for every member's changes: a block of a big organisation reports thousands.
      const eventId = (BigInt(hi) << 32n) | BigInt(lo);
      const blockOf = codes[c.regions.findIndex((t) => t.region === 'block')] as Uint8Array;
      const n = fleet.count;
      if (onOrganisation !== undefined) {
        members ??= new OrganisationMembers(fleet);
        reportOrganisationOnce(fleet, o, members.of(o), except, wasBlocked, isBlocked, at, eventId, blockOf, scratch, onOrganisation);
        return;
      }
      for (let d = 0; d < n; d++) {
        const p = fleet.stateOf(d);
        if (d === except || fleet.organisationIndexOfDevice(d) !== o || blockOf[p] === c.blockedState) continue;
        // The device's own block is clear, so its effective block follows the organisation.
        emit(d, 'block', BLOCK_STATES[wasBlocked ? 1 : 0], BLOCK_STATES[isBlocked ? 1 : 0], at, eventId);
        const from = statusOf(p, wasBlocked);
        const to = statusOf(p, isBlocked);
        if (from !== to) emit(d, 'status', stateName(ENDPOINT_STATUSES, from), stateName(ENDPOINT_STATUSES, to), at, eventId);
      }
    },
  };
}

/**
 * The members of each organisation, in device order, with each one's endpoint id and
 * product state beside it: a block reaches its members without a scan over the whole
 * fleet, and without reading a member's record (on the bench's 100,000 devices, the scan
 * once per organisation change cost more than the changes themselves, and reading each
 * member's record was a cache miss per member). Built in one pass, then kept current:
 * `setState` when an event moves a device's state, `move` when it changes organisation.
 */
class OrganisationMembers {
  readonly #fleet: FleetStore;
  readonly #lists: MemberList[] = [];
  /** Per device: its index in its organisation's list, -1 when none. */
  #slot: Int32Array;

  constructor(fleet: FleetStore) {
    this.#fleet = fleet;
    this.#slot = new Int32Array(Math.max(16, fleet.count)).fill(-1);
    for (let d = 0; d < fleet.count; d++) {
      const o = fleet.organisationIndexOfDevice(d);
      if (o >= 0) this.#insert(o, d);
    }
  }

  /** The members of organisation index `o` (read only; valid until the next change). */
  of(o: number): MemberList {
    return this.#lists[o] ?? { devices: new Int32Array(0), ids: new Float64Array(0), states: new Uint32Array(0), length: 0 };
  }

  /** Device `d`, a member of organisation index `o` (or of none: -1), now has product state `state`. */
  setState(d: number, o: number, state: number): void {
    if (o < 0 || d >= this.#slot.length) return;
    const at = this.#slot[d] as number;
    if (at >= 0) (this.#lists[o] as MemberList).states[at] = state;
  }

  move(d: number, left: number, joined: number): void {
    if (d >= this.#slot.length) {
      const grown = new Int32Array(Math.max(d + 1, this.#slot.length * 2)).fill(-1);
      grown.set(this.#slot);
      this.#slot = grown;
    }
    const list = left >= 0 ? this.#lists[left] : undefined;
    const at = this.#slot[d] as number;
    if (list !== undefined && at >= 0) {
      list.devices.copyWithin(at, at + 1, list.length);
      list.ids.copyWithin(at, at + 1, list.length);
      list.states.copyWithin(at, at + 1, list.length);
      list.length--;
      list.order = undefined;
      for (let k = at; k < list.length; k++) this.#slot[list.devices[k] as number] = k;
      this.#slot[d] = -1;
    }
    if (joined >= 0) this.#insert(joined, d);
  }

  /** Puts device `d` into the list of `o` in its place (new devices come last: appended). */
  #insert(o: number, d: number): void {
    let list = this.#lists[o];
    if (list === undefined) {
      list = { devices: new Int32Array(16), ids: new Float64Array(16), states: new Uint32Array(16), length: 0 };
      this.#lists[o] = list;
    }
    if (list.length === list.devices.length) {
      const size = list.length * 2;
      const devices = new Int32Array(size);
      const ids = new Float64Array(size);
      const states = new Uint32Array(size);
      devices.set(list.devices);
      ids.set(list.ids);
      states.set(list.states);
      list.devices = devices;
      list.ids = ids;
      list.states = states;
    }
    const n = list.length;
    const at = n === 0 || (list.devices[n - 1] as number) < d ? n : lowerBound(list.devices, n, d);
    if (at < n) {
      list.devices.copyWithin(at + 1, at, n);
      list.ids.copyWithin(at + 1, at, n);
      list.states.copyWithin(at + 1, at, n);
      for (let k = at + 1; k <= n; k++) this.#slot[list.devices[k] as number] = k;
    }
    list.devices[at] = d;
    list.ids[at] = this.#fleet.idOf(d);
    list.states[at] = this.#fleet.stateOf(d);
    list.length = n + 1;
    list.order = undefined;
    this.#slot[d] = at;
  }
}

/** One organisation's members (device order) and, beside each, its endpoint id and product state. */
interface MemberList {
  devices: Int32Array;
  ids: Float64Array;
  states: Uint32Array;
  length: number;
  /** Indexes into the list, ascending by endpoint id; undefined after the members changed. */
  order?: Int32Array | undefined;
}

/** `list.order`, sorted again when the members changed since it was. */
function memberOrder(list: MemberList, scratch: MemberScratch): Int32Array {
  if (list.order !== undefined) return list.order;
  const ids = list.ids.slice(0, list.length);
  const order = new Int32Array(list.length);
  for (let k = 0; k < order.length; k++) order[k] = k;
  sortMembersById(ids, order, list.length, scratch);
  list.order = order;
  return order;
}

/** The first of `values[0, length)` (ascending) not below `v`. */
function lowerBound(values: Int32Array, length: number, v: number): number {
  let low = 0;
  let high = length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((values[mid] as number) < v) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Reused arrays of `reportOrganisationOnce`: one entry per member of the organisation. */
interface MemberScratch {
  ids: Float64Array;
  statusKey: Int32Array;
  /** `sortMembersById`'s: the ids as uint32, their status keys, and the digit counts. */
  idsA?: Uint32Array;
  idsB?: Uint32Array;
  keysA?: Int32Array;
  keysB?: Int32Array;
  counts?: Uint32Array;
}

/** Digits of `sortMembersById`'s radix sort: 11 bits, three passes over 32-bit ids. */
const RADIX_BITS = 11;
const RADIX = 1 << RADIX_BITS;

/**
 * Sorts `ids[0, count)` ascending, each one's `statusKey` (any int32 carried along) with
 * it. Ids below 2^32 (emnify's) take a three-pass radix sort on 11-bit digits; others a
 * comparison sort.
 */
function sortMembersById(ids: Float64Array, statusKey: Int32Array, count: number, scratch: MemberScratch): void {
  let small = true;
  let sorted = true;
  for (let k = 0; k < count && small; k++) {
    const v = ids[k] as number;
    if (!(v >= 0 && v < 4294967296 && Number.isInteger(v))) small = false;
    if (k > 0 && v < (ids[k - 1] as number)) sorted = false;
  }
  if (sorted && small) return;
  if (!small) {
    const order = Array.from({ length: count }, (_, k) => k).sort((a, b) => (ids[a] as number) - (ids[b] as number));
    const byId = order.map((k) => ids[k] as number);
    const keyById = order.map((k) => statusKey[k] as number);
    for (let k = 0; k < count; k++) {
      ids[k] = byId[k] as number;
      statusKey[k] = keyById[k] as number;
    }
    return;
  }
  if (scratch.idsA === undefined || scratch.idsA.length < count) {
    const size = Math.max(count, ids.length);
    scratch.idsA = new Uint32Array(size);
    scratch.idsB = new Uint32Array(size);
    scratch.keysA = new Int32Array(size);
    scratch.keysB = new Int32Array(size);
    scratch.counts = new Uint32Array(RADIX);
  }
  let a = scratch.idsA;
  let b = scratch.idsB as Uint32Array;
  let ka = scratch.keysA as Int32Array;
  let kb = scratch.keysB as Int32Array;
  const digits = scratch.counts as Uint32Array;
  for (let k = 0; k < count; k++) {
    a[k] = ids[k] as number;
    ka[k] = statusKey[k] as number;
  }
  for (let shift = 0; shift < 32; shift += RADIX_BITS) {
    digits.fill(0);
    for (let k = 0; k < count; k++) {
      const digit = ((a[k] as number) >>> shift) & (RADIX - 1);
      digits[digit] = (digits[digit] as number) + 1;
    }
    let sum = 0;
    for (let d = 0; d < RADIX; d++) {
      const c = digits[d] as number;
      digits[d] = sum;
      sum += c;
    }
    for (let k = 0; k < count; k++) {
      const v = a[k] as number;
      const digit = (v >>> shift) & (RADIX - 1);
      const at = digits[digit] as number;
      b[at] = v;
      kb[at] = ka[k] as number;
      digits[digit] = at + 1;
    }
    [a, b] = [b, a];
    [ka, kb] = [kb, ka];
  }
  for (let k = 0; k < count; k++) {
    ids[k] = a[k] as number;
    statusKey[k] = ka[k] as number;
  }
}

/**
 * `organisationChanged` for `onOrganisationTransition`: the same members as the per-member
 * loop, ascending by endpoint id, collected into typed arrays (no object per member), the
 * status changes grouped by their from/to pair in order of first appearance. Nothing is reported when no member's
 * effective block changed (as the per-member loop reports nothing then).
 */
function reportOrganisationOnce(
  fleet: FleetStore,
  o: number,
  memberList: MemberList,
  except: number,
  wasBlocked: boolean,
  isBlocked: boolean,
  at: number,
  eventId: bigint,
  blockOf: Uint8Array,
  scratch: MemberScratch,
  onOrganisation: (change: OrganisationTransition) => void,
): void {
  const c = fleet.compiled;
  const n = memberList.length;
  const K = ENDPOINT_STATUSES.length;
  if (scratch.ids.length < n) {
    scratch.ids = new Float64Array(n + (n >> 2));
    scratch.statusKey = new Int32Array(n + (n >> 2));
  }
  const ids = scratch.ids;
  // Per member: its status change as from * K + to, or -1 when its status stays.
  const statusKey = scratch.statusKey;
  const status = c.productStatus;
  const blocked = c.blockedState;
  const was = wasBlocked ? 1 : 0;
  const is = isBlocked ? 1 : 0;
  const devices = memberList.devices;
  const memberIds = memberList.ids;
  const states = memberList.states;
  // Visited ascending by endpoint id (what `organisation_transitions` stores), through the
  // list's order by id: kept until its members change, so most changes sort nothing.
  const byId = memberOrder(memberList, scratch);
  let count = 0;
  for (let k = 0; k < n; k++) {
    const m = byId[k] as number;
    if (devices[m] === except) continue;
    const p = states[m] as number;
    if (blockOf[p] === blocked) continue;
    const from = status[p * 2 + was] as number;
    const to = status[p * 2 + is] as number;
    ids[count] = memberIds[m] as number;
    statusKey[count] = from === to ? -1 : from * K + to;
    count++;
  }
  if (count === 0) return;
  // Status groups in order of first appearance: sizes first, then the members.
  const groupOf = new Int32Array(K * K).fill(-1);
  const keys: number[] = [];
  const sizes: number[] = [];
  for (let m = 0; m < count; m++) {
    const key = statusKey[m] as number;
    if (key < 0) continue;
    let g = groupOf[key] as number;
    if (g < 0) {
      g = keys.length;
      groupOf[key] = g;
      keys.push(key);
      sizes.push(0);
    }
    sizes[g] = (sizes[g] as number) + 1;
  }
  const members = sizes.map((size) => new Float64Array(size));
  const filled = new Array<number>(keys.length).fill(0);
  for (let m = 0; m < count; m++) {
    const key = statusKey[m] as number;
    if (key < 0) continue;
    const g = groupOf[key] as number;
    const k = filled[g] as number;
    (members[g] as Float64Array)[k] = ids[m] as number;
    filled[g] = k + 1;
  }
  onOrganisation({
    organisationId: fleet.organisationIds[o] as number,
    at,
    eventId,
    block: { from: BLOCK_STATES[wasBlocked ? 1 : 0], to: BLOCK_STATES[isBlocked ? 1 : 0], endpointIds: ids.slice(0, count) },
    status: keys.map((key, g) => ({
      from: stateName(ENDPOINT_STATUSES, Math.floor(key / K)),
      to: stateName(ENDPOINT_STATUSES, key % K),
      endpointIds: members[g] as Float64Array,
    })),
  });
}
