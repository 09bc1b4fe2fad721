/**
 * A batch of device events as struct-of-arrays columns: the input of `applyBatch`.
 *
 * Columns are growable and reusable (`clear()` keeps the buffers), so a stream of batches
 * allocates nothing once warm. Strings are references into the fleet's `StringPool`
 * (0 = not said); "not said" numbers are NaN (ids), -1 (RAT type) or 255 (rejection
 * reason). `push(event)` is the slow path from a `DeviceEvent`; a byte-level decoder can
 * fill the arrays directly (`reserve(n)`, write rows, set `length`), interning into the
 * same pool.
 */
import { REJECTION_REASON_CODES, type RejectionReason } from '../catalog/rejectionReasons.js';
import { DEVICE_EVENT_TYPES, type DeviceEvent, type DeviceEventType } from '../machine/deviceEvent.js';
import { ReducerError } from './ReducerError.js';
import type { RowArrays } from './rowColumns.js';
import type { SortScratch } from './SortScratch.js';
import type { StringPool } from './StringPool.js';

/** `ratType` column value when no RAT type was said. */
export const NO_RAT_TYPE = -1;
/** `rejectionReason` column value when no reason was said. */
export const NO_REJECTION_REASON = 255;

const TYPE_CODES: ReadonlyMap<DeviceEventType, number> = new Map(DEVICE_EVENT_TYPES.map((t, i) => [t, i]));
const REASON_CODES: ReadonlyMap<RejectionReason, number> = new Map(REJECTION_REASON_CODES.map((r, i) => [r, i]));
const U64_LIMIT = 1n << 64n;
const U32_MASK = 0xffffffffn;

/** Outcome of `EventColumns.push`: the row written, or why nothing was written. */
export type PushResult = { readonly ok: true; readonly value: number } | { readonly ok: false; readonly error: ReducerError };

const fail = (error: ReducerError): PushResult => ({ ok: false, error });

function grow<T extends Float64Array | Uint32Array | Uint8Array | Int16Array>(array: T, capacity: number, fill?: number): T {
  const next = new (array.constructor as new (n: number) => T)(capacity);
  next.set(array);
  if (fill !== undefined) next.fill(fill, array.length);
  return next;
}

const isIdOrNull = (v: number | null): boolean => v === null || Number.isSafeInteger(v);

/**
 * A batch of events in columns.
 *
 * @example
 * const fleet = new FleetStore();
 * const columns = new EventColumns(fleet.pool);
 * columns.push(event);
 * applyBatch(fleet, columns);
 * columns.clear();
 */
export class EventColumns implements RowArrays {
  /** The pool the string columns reference (the fleet's). */
  readonly pool: StringPool;
  /** Number of rows in the batch. */
  length = 0;
  /** Event time, UTC epoch ms. */
  at!: Float64Array;
  /** High 32 bits of the event id. */
  idHi!: Uint32Array;
  /** Low 32 bits of the event id. */
  idLo!: Uint32Array;
  /** Endpoint id; NaN for none. */
  endpointId!: Float64Array;
  /** Index in `DEVICE_EVENT_TYPES`. */
  type!: Uint8Array;
  /** NaN for none. */
  organisationId!: Float64Array;
  /** NaN for none. */
  simId!: Float64Array;
  /** Pool references (0 = none). */
  iccid!: Uint32Array;
  imsi!: Uint32Array;
  imei!: Uint32Array;
  ipAddress!: Uint32Array;
  apn!: Uint32Array;
  /** Pool reference of the operator key (`StringPool.internOperator`). */
  operator!: Uint32Array;
  /** -1 for none. */
  ratType!: Int16Array;
  /** Index in `REJECTION_REASON_CODES`; 255 for none. */
  rejectionReason!: Uint8Array;
  /** Pool reference of the endpoint's name (0 = the record said none). */
  name!: Uint32Array;
  /** The identity permutation of an in-order batch (see sortBatch.ts). */
  order!: Uint32Array;
  /** Scratch of the batch sort, allocated by the first unsorted batch. */
  sortScratch: SortScratch | undefined = undefined;

  constructor(pool: StringPool, capacity = 1024) {
    this.pool = pool;
    this.#allocate(Math.max(1, Math.floor(capacity)));
  }

  /** Fresh, empty buffers of `n` rows for every column (the one list of them with their fills). */
  #allocate(n: number): void {
    this.at = new Float64Array(n);
    this.idHi = new Uint32Array(n);
    this.idLo = new Uint32Array(n);
    this.endpointId = new Float64Array(n);
    this.type = new Uint8Array(n);
    this.organisationId = new Float64Array(n);
    this.simId = new Float64Array(n);
    this.iccid = new Uint32Array(n);
    this.imsi = new Uint32Array(n);
    this.imei = new Uint32Array(n);
    this.ipAddress = new Uint32Array(n);
    this.apn = new Uint32Array(n);
    this.operator = new Uint32Array(n);
    this.ratType = new Int16Array(n).fill(NO_RAT_TYPE);
    this.rejectionReason = new Uint8Array(n).fill(NO_REJECTION_REASON);
    this.name = new Uint32Array(n);
    this.order = new Uint32Array(n);
  }

  /** Rows the buffers hold before they grow. */
  get capacity(): number {
    return this.at.length;
  }

  /** Grows the buffers to hold at least `capacity` rows (keeping the rows written). */
  reserve(capacity: number): void {
    if (capacity <= this.at.length) return;
    const n = Math.max(capacity, this.at.length * 2);
    this.at = grow(this.at, n);
    this.idHi = grow(this.idHi, n);
    this.idLo = grow(this.idLo, n);
    this.endpointId = grow(this.endpointId, n);
    this.type = grow(this.type, n);
    this.organisationId = grow(this.organisationId, n);
    this.simId = grow(this.simId, n);
    this.iccid = grow(this.iccid, n);
    this.imsi = grow(this.imsi, n);
    this.imei = grow(this.imei, n);
    this.ipAddress = grow(this.ipAddress, n);
    this.apn = grow(this.apn, n);
    this.operator = grow(this.operator, n);
    this.ratType = grow(this.ratType, n, NO_RAT_TYPE);
    this.rejectionReason = grow(this.rejectionReason, n, NO_REJECTION_REASON);
    this.name = grow(this.name, n);
    this.order = new Uint32Array(n);
    this.sortScratch = undefined;
  }

  /** Empties the batch, keeping the buffers. */
  clear(): void {
    this.length = 0;
  }

  /**
   * Empties the batch and gives its buffers back (they shrink to `capacity` rows; they grow
   * again on use). For a batch that held a big budget of rows and is done with them while the
   * process goes on: a replay's pending rows, ~76 B each, once they are all spilled.
   *
   * @example
   * columns.release(); // columns.capacity === 1024, columns.length === 0
   */
  release(capacity = 1024): void {
    const n = Math.max(1, Math.floor(capacity));
    this.length = 0;
    if (n >= this.at.length) return;
    this.#allocate(n);
    this.sortScratch = undefined;
  }

  /**
   * Appends one event (interning its strings); on an invalid event nothing is written and
   * the error says which field.
   *
   * @example
   * const r = columns.push({ type: 'ATTACH', at: 0, eventId: 1n, endpointId: 7, observation: EMPTY_OBSERVATION });
   * r.ok && r.value // 0 (the row)
   */
  push(event: DeviceEvent): PushResult {
    const type = TYPE_CODES.get(event.type);
    if (type === undefined) return fail(new ReducerError('invalid_code', 'type', `unknown device event type ${String(event.type)}`));
    if (!Number.isFinite(event.at)) return fail(new ReducerError('invalid_time', 'at', `not a finite time: ${event.at}`));
    const id = event.eventId;
    if (typeof id !== 'bigint' || id < 0n || id >= U64_LIMIT) {
      return fail(new ReducerError('event_id_out_of_range', 'eventId', `not an integer in [0, 2^64): ${String(id)}`));
    }
    const o = event.observation;
    if (!isIdOrNull(event.endpointId)) return fail(new ReducerError('invalid_id', 'endpointId', `not a safe integer: ${event.endpointId}`));
    if (!isIdOrNull(o.organisationId)) {
      return fail(new ReducerError('invalid_id', 'observation.organisationId', `not a safe integer: ${o.organisationId}`));
    }
    if (!isIdOrNull(o.simId)) return fail(new ReducerError('invalid_id', 'observation.simId', `not a safe integer: ${o.simId}`));
    if (o.ratType !== null && !(Number.isInteger(o.ratType) && o.ratType >= 0 && o.ratType <= 0x7fff)) {
      return fail(new ReducerError('invalid_rat_type', 'observation.ratType', `not an integer in [0, 32767]: ${o.ratType}`));
    }
    let reason = NO_REJECTION_REASON;
    if (o.rejectionReason !== null) {
      const code = REASON_CODES.get(o.rejectionReason);
      if (code === undefined) {
        return fail(new ReducerError('invalid_code', 'observation.rejectionReason', `unknown reason ${String(o.rejectionReason)}`));
      }
      reason = code;
    }

    const row = this.length;
    this.reserve(row + 1);
    const pool = this.pool;
    this.at[row] = event.at;
    this.idHi[row] = Number((id >> 32n) & U32_MASK);
    this.idLo[row] = Number(id & U32_MASK);
    this.endpointId[row] = event.endpointId ?? Number.NaN;
    this.type[row] = type;
    this.organisationId[row] = o.organisationId ?? Number.NaN;
    this.simId[row] = o.simId ?? Number.NaN;
    this.iccid[row] = pool.intern(o.iccid);
    this.imsi[row] = pool.intern(o.imsi);
    this.imei[row] = pool.intern(o.imei);
    this.ipAddress[row] = pool.intern(o.ipAddress);
    this.apn[row] = pool.intern(o.apn);
    this.operator[row] = pool.internOperator(o.operator);
    this.ratType[row] = o.ratType ?? NO_RAT_TYPE;
    this.rejectionReason[row] = reason;
    this.name[row] = pool.intern(o.name);
    this.length = row + 1;
    return { ok: true, value: row };
  }
}
