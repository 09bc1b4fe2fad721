/**
 * The hot path: applies a batch of events (typed-array columns) to a fleet store.
 *
 * Why it is fast
 * - Everything is numbers in typed arrays: a device is a dense index, a region state a
 *   byte, a string a pool reference, an event id two uint32s. Applying an event is a few
 *   dozen array loads and stores: one table lookup per region
 *   (`next[state * EVENT_COUNT + type]`), a handful of "take it if said" copies, three
 *   counter adds. No objects, closures or bigints are created per event — only when an
 *   `onTransition` callback is given does it allocate, one object per reported change.
 * - The batch is ordered through a permutation of row indices (sortBatch.ts: merge sort on
 *   a Uint32Array with reusable scratch; an in-order batch costs one pass), never by
 *   moving rows or building event objects.
 * - The only per-event hash lookup is endpoint id → device index, done for the whole
 *   batch before the main loop (an open-addressing table over `fleet.ids`), plus
 *   organisation id → index when an event brings a new organisation.
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
 * (nothing changes); an older one is LATE (not applied: per-device order can't be repaired
 * after the fact). Events without an endpoint are ordered the same way against the last
 * such event of the fleet.
 */
import type { FleetStore } from '../fleet/FleetStore.js';
import { ENDPOINT_STATUSES } from '../machine/endpointState.js';
import type { EventColumns } from './EventColumns.js';
import { NO_RAT_TYPE, NO_REJECTION_REASON } from './EventColumns.js';
import { NULL_REF } from './StringPool.js';
import { ReducerError } from './ReducerError.js';
import { sortBatch } from './sortBatch.js';

/** Per-row outcome codes written to `ApplyBatchOptions.status`. */
export const ROW_APPLIED = 0;
export const ROW_DUPLICATE = 1;
export const ROW_LATE = 2;

/** What a transition report is about: a region of the device, or its effective status. */
export type TransitionRegion = 'connectivity' | 'sim' | 'endpoint' | 'block' | 'dataQuota' | 'smsQuota' | 'status';

/**
 * One change of one device. `from`/`to` are the machine's state names (`block`: the
 * effective block, the endpoint's own or its organisation's, as BLOCKED / NOT_BLOCKED;
 * `status`: the effective status).
 */
export interface Transition {
  readonly endpointId: number;
  readonly region: TransitionRegion;
  readonly from: string;
  readonly to: string;
  /** Time of the event that caused it, UTC epoch ms. */
  readonly at: number;
  readonly eventId: bigint;
}

/** Options of `applyBatch`. */
export interface ApplyBatchOptions {
  /** Caller-owned, at least `columns.length` long: receives 0 applied, 1 duplicate, 2 late per row. */
  readonly status?: Uint8Array;
  /** Called for every change of a region or of the effective status, in application order. */
  readonly onTransition?: (transition: Transition) => void;
}

/** Counts of one batch. */
export interface BatchResult {
  readonly applied: number;
  readonly duplicates: number;
  readonly late: number;
}

const BLOCK_NAMES = ['NOT_BLOCKED', 'BLOCKED'] as const;

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
  const order = sortBatch(columns);
  // Devices first, in application order (so dense indexes are given in the order the
  // events apply, as if resolved one by one): the main loop then makes no hash lookup
  // and the device arrays cannot grow under it.
  const devices = resolveDevices(fleet, columns.endpointId, order, deviceScratch(columns, n));

  // Reporting (only with a callback): effective status through the compiled status table.
  const report = onTransition !== undefined ? createReporter(fleet, onTransition) : undefined;
  return applyRows(fleet, columns, order, devices, rowStatus, report);
}

/**
 * Dense device index of every position of the order (-1: no endpoint), new devices
 * added. One loop per function: V8 optimizes a long loop on the fly (OSR), and code
 * after it in the same function would run without type feedback.
 */
function resolveDevices(fleet: FleetStore, cEndpoint: Float64Array, order: Uint32Array, devices: Int32Array): Int32Array {
  const n = order.length;
  for (let k = 0; k < n; k++) {
    const endpointId = cEndpoint[order[k] as number] as number;
    devices[k] = Number.isNaN(endpointId) ? -1 : fleet.deviceIndex(endpointId);
  }
  return devices;
}

/** The main loop of `applyBatch`, over rows whose devices are resolved. */
function applyRows(
  fleet: FleetStore,
  columns: EventColumns,
  order: Uint32Array,
  devices: Int32Array,
  rowStatus: Uint8Array | undefined,
  report: Reporter | undefined,
): BatchResult {
  const n = order.length;
  // Columns.
  const cAt = columns.at;
  const cHi = columns.idHi;
  const cLo = columns.idLo;
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

  // Compiled machine.
  const c = fleet.compiled;
  const EC = c.eventCount;
  const connNext = c.connectivity.next;
  const simNext = c.sim.next;
  const endpointNext = c.endpoint.next;
  const blockNext = c.block.next;
  const dataNext = c.dataQuota.next;
  const smsNext = c.smsQuota.next;
  const orgNext = c.organisation.next;
  const takesOrg = c.takes.organisationId;
  const takesSim = c.takes.simId;
  const takesIccid = c.takes.iccid;
  const takesImsi = c.takes.imsi;
  const takesImei = c.takes.imei;
  const takesIp = c.takes.ipAddress;
  const takesOperator = c.takes.operator;
  const takesRat = c.takes.ratType;
  const takesApn = c.takes.apn;
  const takesReason = c.takes.rejectionReason;
  const countAttach = c.counts.attaches;
  const countSession = c.counts.sessions;
  const countReject = c.counts.rejections;
  const ORG_BLOCKED = c.organisationBlockedState;

  // Device arrays, as locals (they cannot be replaced during the loop: see above).
  const conn = fleet.connectivity;
  const sim = fleet.sim;
  const endpoint = fleet.endpoint;
  const block = fleet.block;
  const dataQuota = fleet.dataQuota;
  const smsQuota = fleet.smsQuota;
  const since = fleet.since;
  const lastAt = fleet.lastAt;
  const lastHi = fleet.lastHi;
  const lastLo = fleet.lastLo;
  const attaches = fleet.attaches;
  const sessions = fleet.sessions;
  const rejections = fleet.rejections;
  const orgId = fleet.organisationId;
  const orgIndex = fleet.organisationIndex;
  const simId = fleet.simId;
  const iccid = fleet.iccid;
  const imsi = fleet.imsi;
  const imei = fleet.imei;
  const ip = fleet.ipAddress;
  const apn = fleet.apn;
  const operator = fleet.operator;
  const ratType = fleet.ratType;
  const reason = fleet.lastRejectionReason;
  // Replaced when a new organisation makes it grow (rare: reloaded then).
  let orgState = fleet.organisationState;


  let applied = 0;
  let duplicates = 0;
  let late = 0;

  for (let k = 0; k < n; k++) {
    const row = order[k] as number;
    const at = cAt[row] as number;
    const hi = cHi[row] as number;
    const lo = cLo[row] as number;
    const e = cType[row] as number;
    const d = devices[k] as number;

    if (d < 0) {
      // No endpoint: a fleet-level event (organisation, user, service profile).
      const outcome = applyFleetLevel(fleet, at, hi, lo, e, cOrg[row] as number, report);
      if (outcome === ROW_APPLIED) applied++;
      else if (outcome === ROW_DUPLICATE) duplicates++;
      else late++;
      if (rowStatus !== undefined) rowStatus[row] = outcome;
      orgState = fleet.organisationState;
      continue;
    }

    const la = lastAt[d] as number;
    if (at <= la) {
      // Not after the device's last event (false for a new device: NaN).
      const cmp = compareKey(at, hi, lo, la, lastHi[d] as number, lastLo[d] as number);
      if (cmp <= 0) {
        if (cmp === 0) duplicates++;
        else late++;
        if (rowStatus !== undefined) rowStatus[row] = cmp === 0 ? ROW_DUPLICATE : ROW_LATE;
        continue;
      }
    }

    if (report !== undefined) report.before(d);

    // Regions, from the compiled tables.
    const cs = conn[d] as number;
    const ncs = connNext[cs * EC + e] as number;
    if (ncs !== cs) {
      conn[d] = ncs;
      since[d] = at;
    }
    sim[d] = simNext[(sim[d] as number) * EC + e] as number;
    endpoint[d] = endpointNext[(endpoint[d] as number) * EC + e] as number;
    block[d] = blockNext[(block[d] as number) * EC + e] as number;
    dataQuota[d] = dataNext[(dataQuota[d] as number) * EC + e] as number;
    smsQuota[d] = smsNext[(smsQuota[d] as number) * EC + e] as number;

    // Observation: a field said by the event (and taken by its type) replaces the old one.
    const oid = cOrg[row] as number;
    if (oid !== orgId[d] && !Number.isNaN(oid) && takesOrg[e] === 1) {
      orgId[d] = oid;
      orgIndex[d] = fleet.organisationIndexOf(oid);
      orgState = fleet.organisationState;
    }
    const sid = cSim[row] as number;
    if (!Number.isNaN(sid) && takesSim[e] === 1) simId[d] = sid;
    let ref = cIccid[row] as number;
    if (ref !== NULL_REF && takesIccid[e] === 1) iccid[d] = ref;
    ref = cImsi[row] as number;
    if (ref !== NULL_REF && takesImsi[e] === 1) imsi[d] = ref;
    ref = cImei[row] as number;
    if (ref !== NULL_REF && takesImei[e] === 1) imei[d] = ref;
    ref = cIp[row] as number;
    if (ref !== NULL_REF && takesIp[e] === 1) ip[d] = ref;
    ref = cOperator[row] as number;
    if (ref !== NULL_REF && takesOperator[e] === 1) operator[d] = ref;
    ref = cApn[row] as number;
    if (ref !== NULL_REF && takesApn[e] === 1) apn[d] = ref;
    const rat = cRat[row] as number;
    if (rat !== NO_RAT_TYPE && takesRat[e] === 1) ratType[d] = rat;
    const why = cReason[row] as number;
    if (why !== NO_REJECTION_REASON && takesReason[e] === 1) reason[d] = why;

    attaches[d] = (attaches[d] as number) + (countAttach[e] as number);
    sessions[d] = (sessions[d] as number) + (countSession[e] as number);
    rejections[d] = (rejections[d] as number) + (countReject[e] as number);
    lastAt[d] = at;
    lastHi[d] = hi;
    lastLo[d] = lo;

    // The event reaches the device's organisation; its machine decides.
    const o = orgIndex[d] as number;
    let orgBefore = -1;
    let orgAfter = -1;
    if (o >= 0) {
      orgBefore = orgState[o] as number;
      orgAfter = orgNext[orgBefore * EC + e] as number;
      if (orgAfter !== orgBefore) orgState[o] = orgAfter;
    }

    if (report !== undefined) {
      report.after(d, at, hi, lo);
      if (orgAfter !== orgBefore) report.organisationChanged(o, d, orgBefore === ORG_BLOCKED, orgAfter === ORG_BLOCKED, at, hi, lo);
    }
    applied++;
    if (rowStatus !== undefined) rowStatus[row] = ROW_APPLIED;
  }

  fleet.applied += applied;
  fleet.duplicates += duplicates;
  fleet.late += late;
  return { applied, duplicates, late };
}

/** The per-batch device scratch (one dense index per position of the order), kept on the columns. */
function deviceScratch(columns: EventColumns, n: number): Int32Array {
  let s = columns.deviceScratch;
  if (s === undefined || s.length < n) {
    s = new Int32Array(Math.max(n, columns.capacity));
    columns.deviceScratch = s;
  }
  return s;
}

/**
 * An event without an endpoint: ordered against the fleet's last such event, then
 * delivered to the organisation it names. Returns the row's outcome code.
 */
function applyFleetLevel(fleet: FleetStore, at: number, hi: number, lo: number, e: number, oid: number, report: Reporter | undefined): number {
  const fa = fleet.fleetLastAt;
  if (!Number.isNaN(fa)) {
    const cmp = compareKey(at, hi, lo, fa, fleet.fleetLastHi, fleet.fleetLastLo);
    if (cmp <= 0) return cmp === 0 ? ROW_DUPLICATE : ROW_LATE;
  }
  if (!Number.isNaN(oid)) {
    const c = fleet.compiled;
    const o = fleet.organisationIndexOf(oid);
    const os = fleet.organisationState[o] as number;
    const nos = c.organisation.next[os * c.eventCount + e] as number;
    if (nos !== os) {
      fleet.organisationState[o] = nos;
      if (report !== undefined) report.organisationChanged(o, -1, os === c.organisationBlockedState, nos === c.organisationBlockedState, at, hi, lo);
    }
  }
  fleet.fleetLastAt = at;
  fleet.fleetLastHi = hi;
  fleet.fleetLastLo = lo;
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
}

/** Region snapshots before/after an event and the reports they imply (allocates per report only). */
function createReporter(fleet: FleetStore, onTransition: (t: Transition) => void): Reporter {
  const c = fleet.compiled;
  const nEndpoint = c.endpoint.states.length;
  const nConn = c.connectivity.states.length;
  const statusOf = (simCode: number, endpointCode: number, blocked: boolean, connCode: number): number =>
    c.status[((simCode * nEndpoint + endpointCode) * 2 + (blocked ? 1 : 0)) * nConn + connCode] as number;
  const blockedOf = (d: number): boolean => {
    const o = fleet.organisationIndex[d] as number;
    return fleet.block[d] === c.blockedState || (o >= 0 && fleet.organisationState[o] === c.organisationBlockedState);
  };
  const emit = (d: number, region: Transition['region'], from: string, to: string, at: number, hi: number, lo: number): void =>
    onTransition({
      endpointId: fleet.ids[d] as number,
      region,
      from,
      to,
      at,
      eventId: (BigInt(hi) << 32n) | BigInt(lo),
    });
  const name = (states: readonly string[], code: number): string => states[code] as string;

  let bConn = 0;
  let bSim = 0;
  let bEndpoint = 0;
  let bBlocked = false;
  let bData = 0;
  let bSms = 0;
  let bStatus = 0;
  return {
    before(d) {
      bConn = fleet.connectivity[d] as number;
      bSim = fleet.sim[d] as number;
      bEndpoint = fleet.endpoint[d] as number;
      bBlocked = blockedOf(d);
      bData = fleet.dataQuota[d] as number;
      bSms = fleet.smsQuota[d] as number;
      bStatus = statusOf(bSim, bEndpoint, bBlocked, bConn);
    },
    after(d, at, hi, lo) {
      const aConn = fleet.connectivity[d] as number;
      const aSim = fleet.sim[d] as number;
      const aEndpoint = fleet.endpoint[d] as number;
      const aBlocked = blockedOf(d);
      const aData = fleet.dataQuota[d] as number;
      const aSms = fleet.smsQuota[d] as number;
      const aStatus = statusOf(aSim, aEndpoint, aBlocked, aConn);
      if (aConn !== bConn) emit(d, 'connectivity', name(c.connectivity.states, bConn), name(c.connectivity.states, aConn), at, hi, lo);
      if (aSim !== bSim) emit(d, 'sim', name(c.sim.states, bSim), name(c.sim.states, aSim), at, hi, lo);
      if (aEndpoint !== bEndpoint) emit(d, 'endpoint', name(c.endpoint.states, bEndpoint), name(c.endpoint.states, aEndpoint), at, hi, lo);
      if (aBlocked !== bBlocked) emit(d, 'block', BLOCK_NAMES[bBlocked ? 1 : 0], BLOCK_NAMES[aBlocked ? 1 : 0], at, hi, lo);
      if (aData !== bData) emit(d, 'dataQuota', name(c.dataQuota.states, bData), name(c.dataQuota.states, aData), at, hi, lo);
      if (aSms !== bSms) emit(d, 'smsQuota', name(c.smsQuota.states, bSms), name(c.smsQuota.states, aSms), at, hi, lo);
      if (aStatus !== bStatus) emit(d, 'status', ENDPOINT_STATUSES[bStatus] as string, ENDPOINT_STATUSES[aStatus] as string, at, hi, lo);
    },
    organisationChanged(o, except, wasBlocked, isBlocked, at, hi, lo) {
      if (wasBlocked === isBlocked) return;
      const n = fleet.count;
      for (let d = 0; d < n; d++) {
        if (d === except || fleet.organisationIndex[d] !== o || fleet.block[d] === c.blockedState) continue;
        // The device's own block is clear, so its effective block follows the organisation.
        emit(d, 'block', BLOCK_NAMES[wasBlocked ? 1 : 0], BLOCK_NAMES[isBlocked ? 1 : 0], at, hi, lo);
        const simCode = fleet.sim[d] as number;
        const endpointCode = fleet.endpoint[d] as number;
        const connCode = fleet.connectivity[d] as number;
        const from = statusOf(simCode, endpointCode, wasBlocked, connCode);
        const to = statusOf(simCode, endpointCode, isBlocked, connCode);
        if (from !== to) emit(d, 'status', ENDPOINT_STATUSES[from] as string, ENDPOINT_STATUSES[to] as string, at, hi, lo);
      }
    },
  };
}
