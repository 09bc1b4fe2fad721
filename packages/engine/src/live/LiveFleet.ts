/**
 * Live ingest that holds, after every batch, exactly the state `simfleet replay` gives for
 * the same records — whatever order they arrive in, in whatever batches, re-sent or not —
 * as long as each event arrives within the reorder horizon of its device.
 *
 * What replay computes: fold(sort by (time, id)(dedupe by id(records))). Live keeps:
 * - `fleet`: the live state, read by everyone;
 * - per device its *retained* events (those within the horizon behind the device's newest
 *   event), in (time, id) order, in one row arena;
 * - `base`: per device the fold of its events older than the horizon (a second FleetStore
 *   that shares the string pool);
 * - the ids of every accepted event (EventIdIndex), so a re-sent copy is a duplicate even
 *   long after its event left the horizon.
 *
 * An event newer than its device's newest (the common case) is applied as it is, in one
 * `applyBatch` with the batch's other in-order events. A late one is inserted in place and
 * its device re-folded: its record set back to the base, its retained events applied again.
 * Devices are independent in the reducer's record; organisations couple them, but an
 * organisation takes an event only when it is newer than the newest that moved it, which for
 * the reset-type organisation machine equals the in-order fold (core's `reachOrganisation`):
 * a late organisation event or a late session of a member needs no re-fold of the members.
 * When an event's device's newest time moves on, its events that fall out of the horizon
 * are folded into the base, so memory per device is bounded by the events inside it.
 *
 * An event older than its device's newest minus the horizon is *too late*: not applied,
 * counted (rejected as `too_late`) and reported with how late it was. A journal that keeps
 * every accepted record (serve's) still replays to the exact state.
 *
 * Proven equal to replay (and to XState actors fed the sorted events) by the property test
 * `test/live/liveEqualsReplay.test.ts`: random records, orders, batch cuts, duplicates.
 */
import {
  applyBatch,
  classifyEvent,
  type DeviceEvent,
  type EmnifyEvent,
  type EventColumns,
  FleetStore,
  type FleetStoreOptions,
  type Transition,
} from '@simfleet/core';
import { appendRow, compareRowsContent, reportDeviceChange, sortBatch } from '@simfleet/core/columns';
import { type ReplayAccount, sortedCounts } from '../replay/ReplaySession.js';
import { EventIdIndex } from './EventIdIndex.js';

/** Default reorder horizon: 24 hours of event time behind a device's newest event. */
export const DEFAULT_REORDER_HORIZON_MS = 24 * 3600_000;
/** Default clock guard: records dated more than 5 minutes after the receiving clock are refused. */
export const DEFAULT_MAX_CLOCK_SKEW_MS = 5 * 60_000;

/** A state change reported by live ingest: a core `Transition` (typed per region) that may be a correction. */
export type LiveTransition = Transition & {
  /**
   * Present (true) when a late event rewrote the device's history: the change is from the
   * state the device had before that event arrived to the state it has now (not a step of
   * its history), and `eventId`/`at` are the late event's. Absent on ordinary steps.
   */
  readonly correction?: true;
};

/** Options of a `LiveFleet`. */
export interface LiveFleetOptions {
  /** Event time a late event may be behind its device's newest event and still be placed (default 24 h). */
  readonly reorderHorizonMs?: number;
  /** How far (ms) a record's time may be after the receiving clock (default 5 minutes). */
  readonly maxClockSkewMs?: number;
  /** The receiving clock (default `Date.now`). */
  readonly now?: () => number;
  /** Every state change, in order: steps of in-order events and corrections of late ones. */
  readonly onTransition?: (transition: LiveTransition) => void;
  /** Options of the live fleet store (its pool, capacity). */
  readonly store?: FleetStoreOptions;
}

/** An event that came too late to be placed. */
export interface TooLateEvent {
  /** Its index in the batch given to `ingest`. */
  readonly index: number;
  readonly eventId: bigint;
  readonly endpointId: number;
  /** How far (ms) it is behind its device's newest event. */
  readonly behindMs: number;
}

/** A record of a batch that was refused, and why. */
export interface LiveRejection {
  readonly index: number;
  /** `future_timestamp`, or a reducer code (`id_out_of_range`, …). */
  readonly code: string;
  readonly reason: string;
}

/** A decoded record `LiveFleet.ingestColumns` refuses: the columns cannot hold it (`EventColumns.push`'s error). */
export interface LiveColumnsMisfit {
  /** Its event time (the clock guard judges it first). */
  readonly at: number;
  readonly code: string;
  readonly message: string;
}

/** What `LiveFleet.ingestColumns` takes besides the rows. */
export interface LiveColumnsBatch {
  /** Per row, the catalog type id of a type unknown to the catalog (the account counts it), else -1. */
  readonly unknownTypes?: ArrayLike<number> | null;
  /** Records after the rows that the columns could not hold. */
  readonly misfits?: readonly LiveColumnsMisfit[];
}

/** Outcome of each record of a batch (`LiveBatchResult.outcomes`). */
export const LIVE_ACCEPTED = 0;
export const LIVE_DUPLICATE = 1;
export const LIVE_TOO_LATE = 2;
export const LIVE_REJECTED = 3;

/** What one `ingest` did. */
export interface LiveBatchResult {
  /** Per record of the batch, in its order: LIVE_ACCEPTED, LIVE_DUPLICATE, LIVE_TOO_LATE or LIVE_REJECTED. */
  readonly outcomes: Uint8Array;
  /** New events taken into the state. */
  readonly accepted: number;
  /** Copies of events already taken (by id). */
  readonly duplicates: number;
  readonly tooLate: readonly TooLateEvent[];
  readonly rejected: readonly LiveRejection[];
  /** Devices re-folded because a late event changed their history. */
  readonly refolded: number;
}

/** Value markers in the id index besides a retained row. */
const FOLDED = -1;
const FLEET_LEVEL = -2;

/** `#stageUnknown` of a staged row: a known type (-1), or a row already counted by its account (a checkpoint's). */
const KNOWN_TYPE = -1;
const COUNTED_BY_ACCOUNT = -2;
const TOO_LATE = -3;

/**
 * The live fleet: batches in any order, replay's state out.
 *
 * @example
 * const live = new LiveFleet({ reorderHorizonMs: 3600_000 });
 * const result = live.ingest(events);           // decoded EmnifyEvents, any order
 * result.tooLate;                                // what could not be placed, and how late
 * live.fleet.readEndpoint(11089066)?.status;     // what `simfleet replay` says
 */
export class LiveFleet {
  /** The live state (read it; only this class writes it). */
  readonly fleet: FleetStore;
  readonly #base: FleetStore;
  readonly #horizon: number;
  readonly #skew: number;
  readonly #now: () => number;
  readonly #onTransition: ((t: LiveTransition) => void) | undefined;
  readonly #ids = new EventIdIndex();
  /** Retained rows of every device, in one arena (dead rows are compacted away). */
  #arena: EventColumns;
  #dead = 0;
  /** By live dense index: the arena rows of the device's retained events, in (time, id) order. */
  #rows: number[][] = [];
  /** By live dense index: time of the device's newest accepted event. */
  #newest: number[] = [];
  readonly #stage: EventColumns;
  readonly #batch: EventColumns;
  readonly #scratch: EventColumns;
  /** Type id of each staged row when it is unknown to the catalog, else -1. */
  #stageUnknown = new Int32Array(1024);
  // --- the account, as replay's ---
  #records = 0;
  #applied = 0;
  #duplicates = 0;
  #rejected = 0;
  readonly #rejectedByReason = new Map<string, number>();
  readonly #unknownTypes = new Map<number, number>();
  #withoutEndpoint = 0;
  #asOf: number | null = null;
  #tooLate = 0;

  constructor(options: LiveFleetOptions = {}) {
    this.fleet = new FleetStore(options.store);
    this.#base = new FleetStore({ pool: this.fleet.pool, compiled: this.fleet.compiled });
    this.#horizon = options.reorderHorizonMs ?? DEFAULT_REORDER_HORIZON_MS;
    this.#skew = options.maxClockSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_MS;
    this.#now = options.now ?? Date.now;
    this.#onTransition = options.onTransition;
    this.#arena = this.fleet.createColumns(1 << 12);
    this.#stage = this.fleet.createColumns(1 << 10);
    this.#batch = this.fleet.createColumns(1 << 10);
    this.#scratch = this.fleet.createColumns(1 << 8);
  }

  /** The reorder horizon in ms. */
  get reorderHorizonMs(): number {
    return this.#horizon;
  }

  /** Events refused as too late so far. */
  get tooLateCount(): number {
    return this.#tooLate;
  }

  /** Events retained for re-folding (inside their device's horizon). */
  get retainedEvents(): number {
    return this.#arena.length - this.#dead;
  }

  /** Newest applied event time (UTC epoch ms), or null: the watermark of accepted events. */
  get asOf(): number | null {
    return this.#asOf;
  }

  /**
   * Ingests a batch of decoded records: refuses those dated after the clock guard, drops
   * copies of accepted events, places every other event where replay would, and reports
   * what it did. After it returns, `fleet` equals replay of everything accepted so far.
   */
  ingest(events: readonly EmnifyEvent[], onTransition?: (transition: LiveTransition) => void): LiveBatchResult {
    return this.#ingestEvents(events.length, onTransition, (i) => {
      const event = events[i] as EmnifyEvent;
      return { device: classifyEvent(event), unknownType: event.type === 'unknown' ? event.typeId : KNOWN_TYPE };
    });
  }

  /**
   * `ingest` for events already classified for the machine (`classifyEvent`), as the RxJS
   * operators carry them. Their catalog type ids are not known here, so the account's
   * `unknownEventTypes` does not count them.
   */
  ingestDeviceEvents(events: readonly DeviceEvent[], onTransition?: (transition: LiveTransition) => void): LiveBatchResult {
    return this.#ingestEvents(events.length, onTransition, (i) => {
      const device = events[i] as DeviceEvent;
      return { device, unknownType: KNOWN_TYPE };
    });
  }

  #ingestEvents(
    n: number,
    onTransition: ((t: LiveTransition) => void) | undefined,
    eventAt: (i: number) => { device: DeviceEvent; unknownType: number },
  ): LiveBatchResult {
    const limit = this.#now() + this.#skew;
    const stage = this.#stage;
    stage.clear();
    const rejected: LiveRejection[] = [];
    const index: number[] = [];
    const outcomes = new Uint8Array(n);
    if (this.#stageUnknown.length < n) this.#stageUnknown = new Int32Array(Math.max(n, this.#stageUnknown.length * 2));
    for (let i = 0; i < n; i++) {
      const { device, unknownType } = eventAt(i);
      this.#records++;
      if (device.at > limit) {
        this.#reject(rejected, i, 'future_timestamp', this.#futureReason(device.at, limit));
        outcomes[i] = LIVE_REJECTED;
        continue;
      }
      const pushed = stage.push(device);
      if (!pushed.ok) {
        this.#reject(rejected, i, pushed.error.code, pushed.error.message);
        outcomes[i] = LIVE_REJECTED;
        continue;
      }
      this.#stageUnknown[stage.length - 1] = unknownType;
      index.push(i);
    }
    return this.#ingestStaged(index, rejected, outcomes, this.#emitter(onTransition));
  }

  /**
   * `ingest` for records already decoded into rows on this fleet's string pool (serve's
   * body decoder writes them with core's `FastLineDecoder` on `fleet.createColumns()`):
   * no event object per record. Batch record `i` is row `i`, then, past the rows, the
   * `misfits`: records decoded but unfit for the columns (an id past 2^64…), refused with
   * their code. The clock guard comes first for both, as in `ingest`, which gives the same
   * result for the same records in the same order.
   *
   * @example
   * const rows = live.fleet.createColumns();
   * new FastLineDecoder(rows).decodeLine(bytes, 0, bytes.length);
   * live.ingestColumns(rows).accepted; // 1
   */
  ingestColumns(rows: EventColumns, batch: LiveColumnsBatch = {}, onTransition?: (transition: LiveTransition) => void): LiveBatchResult {
    if (rows.pool !== this.fleet.pool) throw new Error("LiveFleet.ingestColumns: the rows must be on the fleet's string pool (fleet.createColumns())");
    const limit = this.#now() + this.#skew;
    const stage = this.#stage;
    stage.clear();
    const n = rows.length;
    const misfits = batch.misfits ?? [];
    const unknownTypes = batch.unknownTypes ?? null;
    const rejected: LiveRejection[] = [];
    const index: number[] = [];
    const outcomes = new Uint8Array(n + misfits.length);
    stage.reserve(n);
    if (this.#stageUnknown.length < n) this.#stageUnknown = new Int32Array(Math.max(n, this.#stageUnknown.length * 2));
    const times = rows.at;
    for (let i = 0; i < n; i++) {
      this.#records++;
      const at = times[i] as number;
      if (at > limit) {
        this.#reject(rejected, i, 'future_timestamp', this.#futureReason(at, limit));
        outcomes[i] = LIVE_REJECTED;
        continue;
      }
      copyRow(rows, i, stage);
      const typeId = unknownTypes === null ? -1 : (unknownTypes[i] as number);
      this.#stageUnknown[stage.length - 1] = typeId >= 0 ? typeId : KNOWN_TYPE;
      index.push(i);
    }
    for (let k = 0; k < misfits.length; k++) {
      const misfit = misfits[k] as LiveColumnsMisfit;
      this.#records++;
      if (misfit.at > limit) this.#reject(rejected, n + k, 'future_timestamp', this.#futureReason(misfit.at, limit));
      else this.#reject(rejected, n + k, misfit.code, misfit.message);
      outcomes[n + k] = LIVE_REJECTED;
    }
    return this.#ingestStaged(index, rejected, outcomes, this.#emitter(onTransition));
  }

  #futureReason(at: number, limit: number): string {
    return `event time ${new Date(at).toISOString()} is more than ${this.#skew / 1000} s after this machine's clock (${new Date(limit - this.#skew).toISOString()})`;
  }

  /** The constructor's `onTransition` and a call's, as one (undefined when neither). */
  #emitter(call: ((t: LiveTransition) => void) | undefined): ((t: LiveTransition) => void) | undefined {
    const own = this.#onTransition;
    if (own === undefined) return call;
    if (call === undefined) return own;
    return (t) => {
      own(t);
      call(t);
    };
  }

  /**
   * Ingests rows that were accepted before (a checkpoint's or a journal's), as `ingest`
   * would, without the clock guard and without type counts (the caller's account has them).
   */
  ingestRows(rows: EventColumns): LiveBatchResult {
    const stage = this.#stage;
    const index: number[] = [];
    const outcomes = new Uint8Array(rows.length);
    let done: LiveBatchResult = { outcomes, accepted: 0, duplicates: 0, tooLate: [], rejected: [], refolded: 0 };
    const n = rows.length;
    // In (time, id) order: then every event is in order for its device, none too late.
    const order = Uint32Array.from(sortBatch(rows));
    const CHUNK = 1 << 16;
    for (let start = 0; start < n; start += CHUNK) {
      stage.clear();
      index.length = 0;
      const end = Math.min(n, start + CHUNK);
      stage.reserve(end - start);
      if (this.#stageUnknown.length < end - start) this.#stageUnknown = new Int32Array(end - start);
      for (let k = start; k < end; k++) {
        const r = order[k] as number;
        copyRow(rows, r, stage);
        this.#stageUnknown[k - start] = COUNTED_BY_ACCOUNT;
        index.push(r);
      }
      this.#records += end - start;
      const result = this.#ingestStaged(index, [], outcomes, this.#onTransition);
      done = {
        outcomes,
        accepted: done.accepted + result.accepted,
        duplicates: done.duplicates + result.duplicates,
        tooLate: [...done.tooLate, ...result.tooLate],
        rejected: [],
        refolded: done.refolded + result.refolded,
      };
    }
    return done;
  }

  #reject(rejected: LiveRejection[], index: number, code: string, reason: string): void {
    rejected.push({ index, code, reason });
    this.#rejected++;
    this.#rejectedByReason.set(code, (this.#rejectedByReason.get(code) ?? 0) + 1);
  }

  #ingestStaged(
    index: readonly number[],
    rejected: LiveRejection[],
    outcomes: Uint8Array,
    onTransition: ((t: LiveTransition) => void) | undefined,
  ): LiveBatchResult {
    const stage = this.#stage;
    const fleet = this.fleet;
    const arena = this.#arena;
    const ids = this.#ids;
    const order = sortBatch(stage);
    const tooLate: TooLateEvent[] = [];
    /** Live dense index → the late event that made it need a re-fold (the first one). */
    const dirty = new Map<number, { at: number; eventId: bigint }>();
    /** Stage rows accepted, with the arena row each became (in order). */
    const acceptedStage: number[] = [];
    const acceptedArena: number[] = [];
    const touched = new Set<number>();
    let duplicates = 0;
    for (let k = 0; k < order.length; k++) {
      const r = order[k] as number;
      const hi = stage.idHi[r] as number;
      const lo = stage.idLo[r] as number;
      const at = stage.at[r] as number;
      const known = ids.get(hi, lo);
      if (known !== undefined) {
        duplicates++;
        outcomes[index[r] as number] = LIVE_DUPLICATE;
        if (known >= 0 && this.#wins(r, known)) this.#replaceCopy(r, known, dirty, touched);
        continue;
      }
      const endpointId = stage.endpointId[r] as number;
      const unknownType = this.#stageUnknown[r] as number;
      if (Number.isNaN(endpointId)) {
        ids.set(hi, lo, FLEET_LEVEL);
        acceptedStage.push(r);
        acceptedArena.push(-1);
        this.#countAccepted(at, unknownType, true);
        continue;
      }
      const found = fleet.findDevice(endpointId);
      const newest = found < 0 ? Number.NaN : (this.#newest[found] as number);
      if (at < newest - this.#horizon) {
        ids.set(hi, lo, TOO_LATE);
        outcomes[index[r] as number] = LIVE_TOO_LATE;
        const eventId = (BigInt(hi) << 32n) | BigInt(lo);
        tooLate.push({ index: index[r] as number, eventId, endpointId, behindMs: newest - at });
        this.#tooLate++;
        this.#rejected++;
        this.#rejectedByReason.set('too_late', (this.#rejectedByReason.get('too_late') ?? 0) + 1);
        continue;
      }
      const d = found < 0 ? this.#addDevice(endpointId) : found;
      const x = arena.length;
      arena.reserve(x + 1);
      copyRow(stage, r, arena);
      ids.set(hi, lo, x);
      const list = this.#rows[d] as number[];
      const last = list.length === 0 ? -1 : (list[list.length - 1] as number);
      if (last < 0 || compareRows(arena, x, last) > 0) list.push(x);
      else {
        insertSorted(arena, list, x);
        if (!dirty.has(d)) dirty.set(d, { at, eventId: (BigInt(hi) << 32n) | BigInt(lo) });
      }
      if (!(at <= newest)) this.#newest[d] = at;
      touched.add(d);
      acceptedStage.push(r);
      acceptedArena.push(x);
      this.#countAccepted(at, unknownType, false);
    }
    this.#duplicates += duplicates;

    // In-order events of devices that need no re-fold, and fleet-level events: one batch.
    const batch = this.#batch;
    batch.clear();
    batch.reserve(acceptedStage.length);
    for (let k = 0; k < acceptedStage.length; k++) {
      const x = acceptedArena[k] as number;
      if (x >= 0) {
        const d = fleet.findDevice(arena.endpointId[x] as number);
        if (dirty.has(d)) continue;
      }
      copyRow(stage, acceptedStage[k] as number, batch);
    }
    applyBatch(fleet, batch, {
      fleetEventsInAnyOrder: true,
      // Steps are passed on as applyBatch made them (one object each, no copy).
      ...(onTransition === undefined ? {} : { onTransition }),
    });

    // Late events: re-fold each device they reach, in endpoint order (deterministic reports).
    const refold = [...dirty.keys()].sort((a, b) => fleet.idOf(a) - fleet.idOf(b));
    for (const d of refold) this.#refold(d, dirty.get(d) as { at: number; eventId: bigint }, onTransition);

    for (const d of touched) this.#foldOut(d);
    // The store's running totals are the live account's (re-folds apply events again).
    fleet.applied = this.#applied;
    fleet.duplicates = this.#duplicates;
    fleet.late = this.#tooLate;
    if (this.#dead > 1 << 16 && this.#dead > this.#arena.length - this.#dead) this.#compact();
    return { outcomes, accepted: acceptedStage.length, duplicates, tooLate, rejected, refolded: refold.length };
  }

  #countAccepted(at: number, unknownType: number, withoutEndpoint: boolean): void {
    this.#applied++;
    if (this.#asOf === null || at > this.#asOf) this.#asOf = at;
    if (unknownType >= 0) this.#unknownTypes.set(unknownType, (this.#unknownTypes.get(unknownType) ?? 0) + 1);
    if (withoutEndpoint && unknownType !== COUNTED_BY_ACCOUNT) this.#withoutEndpoint++;
  }

  #addDevice(endpointId: number): number {
    const d = this.fleet.deviceIndex(endpointId);
    this.#rows[d] = [];
    this.#newest[d] = Number.NaN;
    return d;
  }

  /** Whether staged row `r` is the copy replay keeps over retained row `x` (same id). */
  #wins(r: number, x: number): boolean {
    const a = this.#stage.at[r] as number;
    const b = this.#arena.at[x] as number;
    if (a !== b) return a < b;
    return compareRowsContent(this.fleet.pool, this.#stage, r, this.#arena, x) < 0;
  }

  /** Replaces retained row `x` by staged row `r` (a copy of the same event that replay keeps). */
  #replaceCopy(r: number, x: number, dirty: Map<number, { at: number; eventId: bigint }>, touched: Set<number>): void {
    const arena = this.#arena;
    const fleet = this.fleet;
    const cause = { at: this.#stage.at[r] as number, eventId: (BigInt(this.#stage.idHi[r] as number) << 32n) | BigInt(this.#stage.idLo[r] as number) };
    const from = fleet.findDevice(arena.endpointId[x] as number);
    const list = this.#rows[from] as number[];
    list.splice(list.indexOf(x), 1);
    if (!dirty.has(from)) dirty.set(from, cause);
    touched.add(from);
    overwriteRow(this.#stage, r, arena, x);
    const endpointId = arena.endpointId[x] as number;
    const found = fleet.findDevice(endpointId);
    const to = found < 0 ? this.#addDevice(endpointId) : found;
    insertSorted(arena, this.#rows[to] as number[], x);
    const at = arena.at[x] as number;
    if (!(at <= (this.#newest[to] as number))) this.#newest[to] = at;
    if (!dirty.has(to)) dirty.set(to, cause);
    touched.add(to);
  }

  /** Sets device `d` back to its base and applies its retained events again; reports the difference. */
  #refold(d: number, cause: { at: number; eventId: bigint }, onTransition: ((t: LiveTransition) => void) | undefined): void {
    const fleet = this.fleet;
    const fromState = fleet.stateOf(d);
    const fromBlocked = fleet.effectivelyBlocked(d);
    const endpointId = fleet.idOf(d);
    fleet.restoreDevice(d, this.#base);
    const scratch = this.#scratch;
    scratch.clear();
    const list = this.#rows[d] as number[];
    scratch.reserve(list.length);
    for (const x of list) copyRow(this.#arena, x, scratch);
    applyBatch(fleet, scratch, {
      fleetEventsInAnyOrder: true,
      // The device's own steps are history already reported; members of its organisation
      // that a late session unblocked (or a block reached) are reported as corrections.
      ...(onTransition === undefined
        ? {}
        : {
            onTransition: (t: Transition) =>
              t.endpointId === endpointId ? undefined : onTransition({ ...t, at: cause.at, eventId: cause.eventId, correction: true }),
          }),
    });
    if (onTransition !== undefined) {
      reportDeviceChange(fleet, d, fromState, fromBlocked, cause.at, cause.eventId, (t) => onTransition({ ...t, correction: true }));
    }
  }

  /** Folds device `d`'s events that fell out of its horizon into the base. */
  #foldOut(d: number): void {
    const list = this.#rows[d] as number[];
    const cut = (this.#newest[d] as number) - this.#horizon;
    const arena = this.#arena;
    let n = 0;
    while (n < list.length && (arena.at[list[n] as number] as number) < cut) n++;
    if (n === 0) return;
    const scratch = this.#scratch;
    scratch.clear();
    scratch.reserve(n);
    for (let k = 0; k < n; k++) {
      const x = list[k] as number;
      copyRow(arena, x, scratch);
      this.#ids.set(arena.idHi[x] as number, arena.idLo[x] as number, FOLDED);
    }
    applyBatch(this.#base, scratch);
    list.splice(0, n);
    this.#dead += n;
  }

  /** Rewrites the arena with only the retained rows. */
  #compact(): void {
    const old = this.#arena;
    const next = this.fleet.createColumns(Math.max(1 << 12, (old.length - this.#dead) * 2));
    for (const list of this.#rows) {
      if (list === undefined) continue;
      for (let k = 0; k < list.length; k++) {
        const x = list[k] as number;
        const y = next.length;
        next.reserve(y + 1);
        copyRow(old, x, next);
        list[k] = y;
        this.#ids.set(old.idHi[x] as number, old.idLo[x] as number, y);
      }
    }
    this.#arena = next;
    this.#dead = 0;
  }

  /**
   * What replay's account would say for the records ingested (with `too_late` among the
   * rejected): the header of the snapshot (`snapshotChunks(live.fleet, live.account())`).
   */
  account(): ReplayAccount {
    return {
      records: this.#records,
      applied: this.#applied,
      duplicates: this.#duplicates,
      rejected: this.#rejected,
      rejectedByReason: sortedCounts(this.#rejectedByReason),
      unknownEventTypes: sortedCounts(this.#unknownTypes),
      eventsWithoutEndpoint: this.#withoutEndpoint,
      asOf: this.#asOf,
    };
  }

  /**
   * Adds an account's counts to this one's (a resumed checkpoint's: its rows are then given
   * to `ingestRows`, which counts them again as records, so they are taken off here).
   */
  addAccount(
    account: {
      readonly records: number;
      readonly rejected: number;
      readonly rejectedByReason: readonly (readonly [string, number])[];
      readonly unknownEventTypes: readonly (readonly [number, number])[];
      readonly eventsWithoutEndpoint: number;
      readonly duplicatesRemoved: number;
    },
    rows: number,
  ): void {
    this.#records += account.records - rows;
    this.#rejected += account.rejected;
    this.#duplicates += account.duplicatesRemoved;
    for (const [code, n] of account.rejectedByReason) this.#rejectedByReason.set(code, (this.#rejectedByReason.get(code) ?? 0) + n);
    for (const [typeId, n] of account.unknownEventTypes) this.#unknownTypes.set(typeId, (this.#unknownTypes.get(typeId) ?? 0) + n);
    this.#withoutEndpoint += account.eventsWithoutEndpoint;
  }
}

/** Sign of row a − row b by (time, id) within one column set. */
function compareRows(c: EventColumns, a: number, b: number): number {
  const ta = c.at[a] as number;
  const tb = c.at[b] as number;
  if (ta !== tb) return ta < tb ? -1 : 1;
  const ha = c.idHi[a] as number;
  const hb = c.idHi[b] as number;
  if (ha !== hb) return ha < hb ? -1 : 1;
  const la = c.idLo[a] as number;
  const lb = c.idLo[b] as number;
  return la < lb ? -1 : la > lb ? 1 : 0;
}

/** Inserts arena row `x` into a device's sorted list (binary search: lists can be long). */
function insertSorted(c: EventColumns, list: number[], x: number): void {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareRows(c, list[mid] as number, x) < 0) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, x);
}

/** Appends row `row` of `from` to `to` (which has room). */
const copyRow = appendRow;

/** Writes row `row` of `from` over row `r` of `to`. */
function overwriteRow(from: EventColumns, row: number, to: EventColumns, r: number): void {
  to.at[r] = from.at[row] as number;
  to.idHi[r] = from.idHi[row] as number;
  to.idLo[r] = from.idLo[row] as number;
  to.endpointId[r] = from.endpointId[row] as number;
  to.type[r] = from.type[row] as number;
  to.organisationId[r] = from.organisationId[row] as number;
  to.simId[r] = from.simId[row] as number;
  to.iccid[r] = from.iccid[row] as number;
  to.imsi[r] = from.imsi[row] as number;
  to.imei[r] = from.imei[row] as number;
  to.ipAddress[r] = from.ipAddress[row] as number;
  to.apn[r] = from.apn[row] as number;
  to.operator[r] = from.operator[row] as number;
  to.ratType[r] = from.ratType[row] as number;
  to.rejectionReason[r] = from.rejectionReason[row] as number;
  to.name[r] = from.name[row] as number;
}
