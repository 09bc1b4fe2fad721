/**
 * The fleet's state as struct-of-arrays: one dense index per device, one typed array per
 * field, strings interned in a `StringPool`, region states as codes of the compiled tables.
 *
 * A device costs ~100 bytes here (against ~3.7 KB for a started XState actor), and the
 * reducer (`applyBatch`) updates it with array stores only. Read it back with
 * `readEndpoint` (the same `EndpointState` view the machine gives) or `summary()`.
 *
 * The typed arrays are public for `applyBatch` (reducer/applyBatch.ts), which owns every
 * write; treat them as read-only elsewhere. They are replaced when they grow.
 */
import { REJECTION_REASON_CODES } from '../catalog/rejectionReasons.js';
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

type Numeric = Float64Array | Uint32Array | Uint8Array | Int16Array | Int32Array;

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
   * Endpoint id → dense index: open addressing over `ids` (slot holds d + 1, 0 = empty),
   * ~8 bytes a device and no per-lookup allocation (a `Map` costs ~5× that).
   */
  #slots: Int32Array;
  #mask: number;
  ids: Float64Array;
  connectivity: Uint8Array;
  sim: Uint8Array;
  endpoint: Uint8Array;
  block: Uint8Array;
  dataQuota: Uint8Array;
  smsQuota: Uint8Array;
  /** NaN = never changed. */
  since: Float64Array;
  /** NaN = no event yet. */
  lastAt: Float64Array;
  lastHi: Uint32Array;
  lastLo: Uint32Array;
  attaches: Uint32Array;
  sessions: Uint32Array;
  rejections: Uint32Array;
  /** NaN = none. */
  organisationId: Float64Array;
  /** Index of the device's organisation in the organisation arrays; -1 = none. */
  organisationIndex: Int32Array;
  /** NaN = none. */
  simId: Float64Array;
  iccid: Uint32Array;
  imsi: Uint32Array;
  imei: Uint32Array;
  ipAddress: Uint32Array;
  apn: Uint32Array;
  operator: Uint32Array;
  /** -1 = none. */
  ratType: Int16Array;
  /** 255 = none. */
  lastRejectionReason: Uint8Array;

  // --- organisations (index o < organisationCount) ---
  organisationCount = 0;
  readonly organisationIndexById: Map<number, number> = new Map();
  organisationIds: Float64Array;
  organisationState: Uint8Array;

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
    this.ids = new Float64Array(n);
    this.#slots = new Int32Array(slotsFor(n));
    this.#mask = this.#slots.length - 1;
    this.connectivity = new Uint8Array(n);
    this.sim = new Uint8Array(n);
    this.endpoint = new Uint8Array(n);
    this.block = new Uint8Array(n);
    this.dataQuota = new Uint8Array(n);
    this.smsQuota = new Uint8Array(n);
    this.since = new Float64Array(n).fill(Number.NaN);
    this.lastAt = new Float64Array(n).fill(Number.NaN);
    this.lastHi = new Uint32Array(n);
    this.lastLo = new Uint32Array(n);
    this.attaches = new Uint32Array(n);
    this.sessions = new Uint32Array(n);
    this.rejections = new Uint32Array(n);
    this.organisationId = new Float64Array(n).fill(Number.NaN);
    this.organisationIndex = new Int32Array(n).fill(-1);
    this.simId = new Float64Array(n).fill(Number.NaN);
    this.iccid = new Uint32Array(n);
    this.imsi = new Uint32Array(n);
    this.imei = new Uint32Array(n);
    this.ipAddress = new Uint32Array(n);
    this.apn = new Uint32Array(n);
    this.operator = new Uint32Array(n);
    this.ratType = new Int16Array(n).fill(NO_RAT_TYPE);
    this.lastRejectionReason = new Uint8Array(n).fill(NO_REJECTION_REASON);
    this.organisationIds = new Float64Array(16);
    this.organisationState = new Uint8Array(16);
  }

  /** Number of endpoints seen. */
  get endpointCount(): number {
    return this.count;
  }

  /** Devices the arrays hold before they grow. */
  get capacity(): number {
    return this.ids.length;
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
    if (d === this.ids.length) this.#growDevices(d * 2);
    this.ids[d] = endpointId;
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
    const ids = this.ids;
    let slot = hashId(endpointId) & mask;
    for (;;) {
      const v = slots[slot] as number;
      if (v === 0) return -1;
      if (ids[v - 1] === endpointId) return v - 1;
      slot = (slot + 1) & mask;
    }
  }

  #insert(d: number): void {
    const slots = this.#slots;
    const mask = this.#mask;
    let slot = hashId(this.ids[d] as number) & mask;
    while (slots[slot] !== 0) slot = (slot + 1) & mask;
    slots[slot] = d + 1;
  }

  /** The dense index of an organisation, adding it (ACTIVE) when new. */
  organisationIndexOf(organisationId: number): number {
    const known = this.organisationIndexById.get(organisationId);
    if (known !== undefined) return known;
    const o = this.organisationCount;
    if (o === this.organisationIds.length) {
      this.organisationIds = grow(this.organisationIds, o * 2, 0);
      this.organisationState = grow(this.organisationState, o * 2, 0);
    }
    this.organisationIds[o] = organisationId;
    this.organisationIndexById.set(organisationId, o);
    this.organisationCount = o + 1;
    return o;
  }

  #growDevices(capacity: number): void {
    this.ids = grow(this.ids, capacity, 0);
    // The index keeps at most half its slots used: rebuild it at twice the size.
    this.#slots = new Int32Array(slotsFor(capacity));
    this.#mask = this.#slots.length - 1;
    for (let d = 0; d < this.count; d++) this.#insert(d);
    this.connectivity = grow(this.connectivity, capacity, 0);
    this.sim = grow(this.sim, capacity, 0);
    this.endpoint = grow(this.endpoint, capacity, 0);
    this.block = grow(this.block, capacity, 0);
    this.dataQuota = grow(this.dataQuota, capacity, 0);
    this.smsQuota = grow(this.smsQuota, capacity, 0);
    this.since = grow(this.since, capacity, Number.NaN);
    this.lastAt = grow(this.lastAt, capacity, Number.NaN);
    this.lastHi = grow(this.lastHi, capacity, 0);
    this.lastLo = grow(this.lastLo, capacity, 0);
    this.attaches = grow(this.attaches, capacity, 0);
    this.sessions = grow(this.sessions, capacity, 0);
    this.rejections = grow(this.rejections, capacity, 0);
    this.organisationId = grow(this.organisationId, capacity, Number.NaN);
    this.organisationIndex = grow(this.organisationIndex, capacity, -1);
    this.simId = grow(this.simId, capacity, Number.NaN);
    this.iccid = grow(this.iccid, capacity, 0);
    this.imsi = grow(this.imsi, capacity, 0);
    this.imei = grow(this.imei, capacity, 0);
    this.ipAddress = grow(this.ipAddress, capacity, 0);
    this.apn = grow(this.apn, capacity, 0);
    this.operator = grow(this.operator, capacity, 0);
    this.ratType = grow(this.ratType, capacity, NO_RAT_TYPE);
    this.lastRejectionReason = grow(this.lastRejectionReason, capacity, NO_REJECTION_REASON);
  }

  /**
   * The endpoint ids, ascending (a fresh array).
   *
   * @example
   * for (const id of fleet.endpointIds()) console.log(fleet.readEndpoint(id)?.status);
   */
  endpointIds(): Float64Array {
    return this.ids.slice(0, this.count).sort();
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
    const name = (states: readonly string[], code: number | undefined): string => states[code ?? 0] as string;
    const nullable = (v: number): number | null => (Number.isNaN(v) ? null : v);
    const o = this.organisationIndex[d] as number;
    const organisationBlocked = o >= 0 && this.organisationState[o] === c.organisationBlockedState;
    const ratType = this.ratType[d] as number;
    const reason = this.lastRejectionReason[d] as number;
    const lastAt = this.lastAt[d] as number;
    return endpointStateFromRegions(
      {
        connectivity: name(c.connectivity.states, this.connectivity[d]) as Connectivity,
        sim: name(c.sim.states, this.sim[d]) as SimState,
        endpoint: name(c.endpoint.states, this.endpoint[d]) as EndpointRegionState,
        block: name(c.block.states, this.block[d]) as BlockState,
        dataQuota: name(c.dataQuota.states, this.dataQuota[d]) as DataQuotaState,
        smsQuota: name(c.smsQuota.states, this.smsQuota[d]) as SmsQuotaState,
      },
      {
        endpointId: this.ids[d] as number,
        since: nullable(this.since[d] as number),
        organisationId: nullable(this.organisationId[d] as number),
        simId: nullable(this.simId[d] as number),
        iccid: pool.get(this.iccid[d] as number),
        imsi: pool.get(this.imsi[d] as number),
        imei: pool.get(this.imei[d] as number),
        ipAddress: pool.get(this.ipAddress[d] as number),
        operator: pool.operator(this.operator[d] as number),
        ratType: ratType === NO_RAT_TYPE ? null : ratType,
        apn: pool.get(this.apn[d] as number),
        lastEventId: Number.isNaN(lastAt) ? null : toBigInt(this.lastHi[d] as number, this.lastLo[d] as number),
        lastEventAt: nullable(lastAt),
        attaches: this.attaches[d] as number,
        sessions: this.sessions[d] as number,
        rejections: this.rejections[d] as number,
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
