/**
 * The fleet's state: one dense index per device, one 96-byte record per device in one
 * buffer (fleet/deviceRecord.ts), strings interned in a `StringPool`, the region states as
 * one product code of the compiled tables (reducer/productTable.ts).
 *
 * A device costs ~115 bytes here (96-byte record + 2–4 8-byte index slots; against ~3.7 KB for a started
 * XState actor), and the reducer (`applyBatch`) updates it with array stores only, touching
 * two cache lines per event. Read it back with `readEndpoint` (the same `EndpointState`
 * view the machine gives) or `summary()`.
 *
 * The record views (`f64`, `u32`, `i32`) are public for `applyBatch` (reducer/applyBatch.ts),
 * which owns every write; treat them as read-only elsewhere. They are replaced when the
 * store grows.
 */
import { REJECTION_REASON_CODES } from '../catalog/rejectionReasons.js';
import { DEVICE_REGIONS, type DeviceRegion } from '../machine/deviceMachine.js';
import {
  type BlockState,
  type Connectivity,
  type DataQuotaState,
  type EndpointRegionState,
  type EndpointState,
  endpointStateFromRegions,
  type SimState,
  type SmsQuotaState,
} from '../machine/endpointState.js';
import { type CompiledMachine, getCompiledMachine } from '../reducer/compileMachine.js';
import { EventColumns, NO_RAT_TYPE, NO_REJECTION_REASON } from '../reducer/EventColumns.js';
import { StringPool } from '../reducer/StringPool.js';
import {
  F_ID,
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
  U_IMSI,
  U_IP_ADDRESS,
  U_LAST_HI,
  U_LAST_LO,
  U_NAME,
  U_OPERATOR,
  U_REJECTION_REASON,
  U_REJECTIONS,
  U_SESSIONS,
  U_STATE,
} from './deviceRecord.js';
import { type FleetSummary, summarizeFleet } from './fleetSummary.js';

/** Options of a new `FleetStore`. */
export interface FleetStoreOptions {
  /** The compiled machine (default: `getCompiledMachine()`). */
  readonly compiled?: CompiledMachine;
  /** Devices to make room for up front (default 1024). */
  readonly capacity?: number;
  /** The string pool to intern into (default: a new one), e.g. one a decoder already fills. */
  readonly pool?: StringPool;
}

type Numeric = Float64Array | Uint8Array | Uint32Array;

function grow<T extends Numeric>(array: T, capacity: number, fill: number): T {
  const next = new (array.constructor as new (n: number) => T)(capacity);
  next.set(array);
  if (fill !== 0) next.fill(fill, array.length);
  return next;
}

/** Slots of the endpoint index for `capacity` devices: a power of two, at least twice as many. */
const slotsFor = (capacity: number): number => 2 ** Math.ceil(Math.log2(Math.max(2, capacity * 2)));

/** Mixes an integer endpoint id (any safe integer) into 32 bits. */
function hashId(id: number): number {
  const lo = id >>> 0;
  const hi = Math.floor(id / 4294967296) | 0;
  let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 15;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 13);
}

/** Index of each region in `DEVICE_REGIONS` (the product table's region order). */
const REGION: Readonly<Record<DeviceRegion, number>> = Object.fromEntries(DEVICE_REGIONS.map((r, i) => [r, i])) as Record<DeviceRegion, number>;
const BLOCK_REGION = REGION.block;

const toBigInt = (hi: number, lo: number): bigint => (BigInt(hi) << 32n) | BigInt(lo);

/**
 * The state of a whole fleet, updated by `applyBatch`.
 *
 * @example
 * const fleet = new FleetStore();
 * const columns = new EventColumns(fleet.pool);
 * columns.push(event);
 * applyBatch(fleet, columns);
 * fleet.readEndpoint(11089066)?.status // 'ONLINE'
 */
export class FleetStore {
  readonly compiled: CompiledMachine;
  readonly pool: StringPool;

  // --- devices (index d < count) ---
  count = 0;
  /**
   * Endpoint id → dense index: open addressing, no per-lookup allocation (a `Map` costs
   * several times the memory). Slot i is the pair (`#slots[2i]` = the endpoint id's low 32
   * bits, `#slots[2i + 1]` = d + 1, 0 = empty): the id's bits sit next to the index, so a
   * probe rejects other ids in the one cache line it loads instead of chasing a second,
   * dependent miss into each candidate's record (that chain made the lookup cost more than
   * the whole apply); only the match reads its record's full id, the record the caller
   * reads next anyway. 8 bytes a slot, 2–4 slots a device.
   */
  #slots: Uint32Array;
  /** Number of slots − 1 (a power of two minus one). */
  #mask: number;
  /** The device records (fleet/deviceRecord.ts), three views of one buffer. */
  f64: Float64Array;
  u32: Uint32Array;
  i32: Int32Array;

  // --- organisations (index o < organisationCount) ---
  organisationCount = 0;
  readonly organisationIndexById: Map<number, number> = new Map();
  organisationIds: Float64Array;
  organisationState: Uint8Array;
  /**
   * (time, id) of the newest event that set each organisation's state (NaN time = none):
   * the organisation takes an event's target only when the event is newer, so its state is
   * that of its newest relevant event in any arrival order (`CompiledMachine.organisationTarget`).
   */
  organisationLastAt: Float64Array;
  organisationLastHi: Uint32Array;
  organisationLastLo: Uint32Array;

  // --- fleet level ---
  /** Events without an endpoint that were applied. */
  fleetEvents = 0;
  /** (time, id) of the last applied event without an endpoint; NaN time = none. */
  fleetLastAt = Number.NaN;
  fleetLastHi = 0;
  fleetLastLo = 0;
  /** Running totals over every batch. */
  applied = 0;
  duplicates = 0;
  late = 0;

  constructor(options: FleetStoreOptions = {}) {
    this.compiled = options.compiled ?? getCompiledMachine();
    this.pool = options.pool ?? new StringPool();
    const n = Math.max(1, Math.floor(options.capacity ?? 1024));
    this.f64 = new Float64Array(n * RECORD_F64);
    this.u32 = new Uint32Array(this.f64.buffer);
    this.i32 = new Int32Array(this.f64.buffer);
    this.#slots = new Uint32Array(2 * slotsFor(n));
    this.#mask = slotsFor(n) - 1;
    this.organisationIds = new Float64Array(16);
    this.organisationState = new Uint8Array(16);
    this.organisationLastAt = new Float64Array(16).fill(Number.NaN);
    this.organisationLastHi = new Uint32Array(16);
    this.organisationLastLo = new Uint32Array(16);
  }

  /** Number of endpoints seen. */
  get endpointCount(): number {
    return this.count;
  }

  /** Devices the arrays hold before they grow. */
  get capacity(): number {
    return this.f64.length / RECORD_F64;
  }

  /** New columns that intern into this fleet's pool. */
  createColumns(capacity?: number): EventColumns {
    return new EventColumns(this.pool, capacity);
  }

  /**
   * The dense index of an endpoint, adding it (in its initial state) when new. May grow
   * (replace) the device arrays.
   */
  deviceIndex(endpointId: number): number {
    const found = this.findDevice(endpointId);
    if (found >= 0) return found;
    // New (once per device): append it, then probe again to place it in the table.
    const d = this.count;
    if (d === this.capacity) this.#growDevices(d * 2);
    // The record is zero: set the fields whose "none" is not zero.
    this.#initRecord(d, endpointId);
    this.count = d + 1;
    this.#insert(d);
    return d;
  }

  /**
   * The dense index of an endpoint, or -1 when no event has named it.
   *
   * @example
   * fleet.findDevice(11089066) // 0
   */
  findDevice(endpointId: number): number {
    const slots = this.#slots;
    const mask = this.#mask;
    const low = endpointId >>> 0;
    let slot = hashId(endpointId) & mask;
    for (;;) {
      const v = slots[2 * slot + 1] as number;
      if (v === 0) return -1;
      if (slots[2 * slot] === low && this.f64[(v - 1) * RECORD_F64 + F_ID] === endpointId) return v - 1;
      slot = (slot + 1) & mask;
    }
  }

  /**
   * Loads the index slots the endpoint ids `ids[order[k]]`, k in [start, end), hash to,
   * and returns a value made of them (for the caller to keep, so the loads stay). Why: the
   * loads are independent, so the CPU overlaps their cache misses; the probes that follow
   * (`deviceIndex`) then hit the cache instead of missing one after the other.
   */
  warmIndex(ids: Float64Array, order: Uint32Array, start: number, end: number): number {
    const slots = this.#slots;
    const mask = this.#mask;
    let sum = 0;
    for (let k = start; k < end; k++) sum += slots[2 * (hashId(ids[order[k] as number] as number) & mask) + 1] as number;
    return sum;
  }

  #insert(d: number): void {
    const slots = this.#slots;
    const mask = this.#mask;
    const id = this.f64[d * RECORD_F64 + F_ID] as number;
    let slot = hashId(id) & mask;
    while (slots[2 * slot + 1] !== 0) slot = (slot + 1) & mask;
    slots[2 * slot] = id >>> 0;
    slots[2 * slot + 1] = d + 1;
  }

  /** The dense index of an organisation, adding it (ACTIVE) when new. */
  organisationIndexOf(organisationId: number): number {
    const known = this.organisationIndexById.get(organisationId);
    if (known !== undefined) return known;
    const o = this.organisationCount;
    if (o === this.organisationIds.length) {
      this.organisationIds = grow(this.organisationIds, o * 2, 0);
      this.organisationState = grow(this.organisationState, o * 2, 0);
      this.organisationLastAt = grow(this.organisationLastAt, o * 2, Number.NaN);
      this.organisationLastHi = grow(this.organisationLastHi, o * 2, 0);
      this.organisationLastLo = grow(this.organisationLastLo, o * 2, 0);
    }
    this.organisationIds[o] = organisationId;
    this.organisationIndexById.set(organisationId, o);
    this.organisationCount = o + 1;
    return o;
  }

  /**
   * An event whose type leads organisations to `target` reaches organisation `o`: the
   * organisation takes it when it is newer than the newest one it took. Returns whether the
   * state changed. Owned by `applyBatch`.
   */
  reachOrganisation(o: number, target: number, at: number, hi: number, lo: number): boolean {
    const la = this.organisationLastAt[o] as number;
    if (!Number.isNaN(la)) {
      const lh = this.organisationLastHi[o] as number;
      if (at < la || (at === la && (hi < lh || (hi === lh && lo <= (this.organisationLastLo[o] as number))))) return false;
    }
    this.organisationLastAt[o] = at;
    this.organisationLastHi[o] = hi;
    this.organisationLastLo[o] = lo;
    if (this.organisationState[o] === target) return false;
    this.organisationState[o] = target;
    return true;
  }

  /**
   * Sets device `d` back to what `base` holds for the same endpoint (its record copied,
   * its organisation index looked up here), or to the initial state when `base` has never
   * seen it. `base` must intern into this store's pool. The engine's live ingest re-folds a
   * device this way: its base (the events older than the reorder horizon, folded), then its
   * retained events again, in order.
   */
  restoreDevice(d: number, base: FleetStore): void {
    if (base.pool !== this.pool) throw new RangeError('the base fleet interns into another pool');
    const f = d * RECORD_F64;
    const id = this.f64[f + F_ID] as number;
    const b = base.findDevice(id);
    if (b < 0) {
      this.f64.fill(0, f, f + RECORD_F64);
      this.#initRecord(d, id);
      return;
    }
    this.f64.set(base.f64.subarray(b * RECORD_F64, (b + 1) * RECORD_F64), f);
    // The copied index is the base's: the same organisation's index here.
    const o = base.organisationIndexOfDevice(b);
    this.i32[d * RECORD_U32 + I_ORGANISATION_INDEX] = o < 0 ? -1 : this.organisationIndexOf(base.organisationIds[o] as number);
  }

  /** A zeroed record's fields whose "none" is not zero. */
  #initRecord(d: number, endpointId: number): void {
    const f = d * RECORD_F64;
    const u = d * RECORD_U32;
    const f64 = this.f64;
    f64[f + F_ID] = endpointId;
    f64[f + F_LAST_AT] = Number.NaN;
    f64[f + F_SINCE] = Number.NaN;
    f64[f + F_SIM_ID] = Number.NaN;
    this.i32[u + I_ORGANISATION_INDEX] = -1;
    this.i32[u + I_RAT_TYPE] = NO_RAT_TYPE;
    this.u32[u + U_REJECTION_REASON] = NO_REJECTION_REASON;
  }

  #growDevices(capacity: number): void {
    // One buffer for every field: growth is one copy, geometric (amortised O(1) a device).
    const f64 = new Float64Array(capacity * RECORD_F64);
    f64.set(this.f64);
    this.f64 = f64;
    this.u32 = new Uint32Array(f64.buffer);
    this.i32 = new Int32Array(f64.buffer);
    // The index keeps at most half its slots used: rebuild it at twice the size.
    this.#slots = new Uint32Array(2 * slotsFor(capacity));
    this.#mask = slotsFor(capacity) - 1;
    for (let d = 0; d < this.count; d++) this.#insert(d);
  }

  /**
   * The endpoint id of the device at dense index `d`.
   *
   * @example
   * fleet.idOf(fleet.findDevice(11089066)) // 11089066
   */
  idOf(d: number): number {
    return this.f64[d * RECORD_F64 + F_ID] as number;
  }

  /** The product code of the device's region states (reducer/productTable.ts). */
  stateOf(d: number): number {
    return this.u32[d * RECORD_U32 + U_STATE] as number;
  }

  /** The device's organisation index, -1 = none. */
  organisationIndexOfDevice(d: number): number {
    return this.i32[d * RECORD_U32 + I_ORGANISATION_INDEX] as number;
  }

  /** Whether the device is blocked, by itself or by its organisation. */
  effectivelyBlocked(d: number): boolean {
    const c = this.compiled;
    const o = this.organisationIndexOfDevice(d);
    return c.product.codes[BLOCK_REGION]?.[this.stateOf(d)] === c.blockedState || (o >= 0 && this.organisationState[o] === c.organisationBlockedState);
  }

  /**
   * The endpoint ids, ascending (a fresh array).
   *
   * @example
   * for (const id of fleet.endpointIds()) console.log(fleet.readEndpoint(id)?.status);
   */
  endpointIds(): Float64Array {
    const ids = new Float64Array(this.count);
    for (let d = 0; d < ids.length; d++) ids[d] = this.idOf(d);
    return ids.sort();
  }

  /** Whether an endpoint has been seen. */
  hasEndpoint(endpointId: number): boolean {
    return this.findDevice(endpointId) >= 0;
  }

  /**
   * Whether an organisation is blocked (false for one never seen).
   *
   * @example
   * fleet.organisationBlocked(12033) // false
   */
  organisationBlocked(organisationId: number): boolean {
    const o = this.organisationIndexById.get(organisationId);
    return o !== undefined && this.organisationState[o] === this.compiled.organisationBlockedState;
  }

  /**
   * One endpoint's state, or `undefined` if no event has named it.
   *
   * @example
   * fleet.readEndpoint(11089066)?.connectivity // 'ONLINE'
   */
  readEndpoint(endpointId: number): EndpointState | undefined {
    const d = this.findDevice(endpointId);
    return d < 0 ? undefined : this.readDevice(d);
  }

  /** The state of the device at dense index `d` (0 ≤ d < endpointCount). */
  readDevice(d: number): EndpointState {
    if (!(d >= 0 && d < this.count)) throw new RangeError(`no device at index ${d}`);
    const c = this.compiled;
    const pool = this.pool;
    const f = d * RECORD_F64;
    const u = d * RECORD_U32;
    const f64 = this.f64;
    const u32 = this.u32;
    const i32 = this.i32;
    const p = u32[u + U_STATE] as number;
    const codes = c.product.codes;
    const name = (table: { readonly states: readonly string[] }, r: number): string => table.states[codes[r]?.[p] ?? 0] as string;
    const nullable = (v: number): number | null => (Number.isNaN(v) ? null : v);
    const o = i32[u + I_ORGANISATION_INDEX] as number;
    const organisationBlocked = o >= 0 && this.organisationState[o] === c.organisationBlockedState;
    const ratType = i32[u + I_RAT_TYPE] as number;
    const reason = u32[u + U_REJECTION_REASON] as number;
    const lastAt = f64[f + F_LAST_AT] as number;
    return endpointStateFromRegions(
      {
        connectivity: name(c.connectivity, REGION.connectivity) as Connectivity,
        sim: name(c.sim, REGION.sim) as SimState,
        endpoint: name(c.endpoint, REGION.endpoint) as EndpointRegionState,
        block: name(c.block, REGION.block) as BlockState,
        dataQuota: name(c.dataQuota, REGION.dataQuota) as DataQuotaState,
        smsQuota: name(c.smsQuota, REGION.smsQuota) as SmsQuotaState,
      },
      {
        endpointId: f64[f + F_ID] as number,
        since: nullable(f64[f + F_SINCE] as number),
        organisationId: o < 0 ? null : (this.organisationIds[o] as number),
        simId: nullable(f64[f + F_SIM_ID] as number),
        iccid: pool.get(u32[u + U_ICCID] as number),
        imsi: pool.get(u32[u + U_IMSI] as number),
        imei: pool.get(u32[u + U_IMEI] as number),
        ipAddress: pool.get(u32[u + U_IP_ADDRESS] as number),
        name: pool.get(u32[u + U_NAME] as number),
        operator: pool.operator(u32[u + U_OPERATOR] as number),
        ratType: ratType === NO_RAT_TYPE ? null : ratType,
        apn: pool.get(u32[u + U_APN] as number),
        lastEventId: Number.isNaN(lastAt) ? null : toBigInt(u32[u + U_LAST_HI] as number, u32[u + U_LAST_LO] as number),
        lastEventAt: nullable(lastAt),
        attaches: u32[u + U_ATTACHES] as number,
        sessions: u32[u + U_SESSIONS] as number,
        rejections: u32[u + U_REJECTIONS] as number,
        lastRejectionReason: reason === NO_REJECTION_REASON ? null : (REJECTION_REASON_CODES[reason] ?? null),
      },
      organisationBlocked,
    );
  }

  /**
   * Counts by status, connectivity, operator, country and organisation, and totals.
   *
   * @example
   * fleet.summary().byStatus.ONLINE // 1
   */
  summary(): FleetSummary {
    return summarizeFleet(this);
  }
}
