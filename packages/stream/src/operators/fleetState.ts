import { applyBatch, type DeviceEvent, type EventColumns, FleetStore, type FleetSummary, ROW_APPLIED, type ReducerError, type Transition } from '@simfleet/core';
import { asyncScheduler, Observable, type OperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';
import type { ActivityTransition, FleetTransition } from '../fleetTransition.js';
import type { BatchCounts, EndpointView, FleetView } from '../fleetView.js';
import { spanMillis } from '../eventTimeSpan.js';
import { InactivityTracker } from '../internal/InactivityTracker.js';
import type { InactivityRule } from '../rules/InactivityRule.js';
import { type Sink, sinkFunction } from '../sink.js';

/** An event the reducer's columns refused (an id beyond 2^64, a non-finite time…): not applied. */
export interface UnappliedEvent {
  readonly event: DeviceEvent;
  readonly error: ReducerError;
}

export interface FleetStateOptions {
  /** Apply a batch once it holds this many events (default 1000). */
  readonly maxBatch?: number;
  /** …or once its first event has waited this long, scheduler time in ms (default 50). */
  readonly maxDelay?: number;
  /** The store to apply to (default: a new one per subscription). Pass one to read it elsewhere (a server's GET routes). */
  readonly store?: FleetStore;
  /** Mark connected devices `stale` after a silence, in event time. */
  readonly inactivity?: InactivityRule;
  /** Collect `transitions` (default `true`); `false` skips the per-change allocation. */
  readonly transitions?: boolean;
  /** Scheduler for `maxDelay` (tests pass the TestScheduler; default `asyncScheduler`). */
  readonly scheduler?: SchedulerLike;
  /**
   * Receives events the reducer cannot represent (`EventColumns.push` refused them).
   * Without it such an event errors the stream: it is never dropped unseen.
   */
  readonly unapplied?: Sink<UnappliedEvent>;
}

/**
 * Micro-batches events (by count and by time) into the compiled reducer (`applyBatch`
 * on a `FleetStore`) and emits a `FleetView` after each batch.
 *
 * Nothing is dropped: every event lands in a batch, and a batch is applied as soon as it
 * is full, so memory holds at most `maxBatch` pending events. `applyBatch` orders each
 * batch by (time, id) itself; across batches, feed it in event-time order
 * (`orderByEventTime`) — an event older than its device's last applied one is counted
 * `late`, not applied. Transitions (and the inactivity rule's decisions) are computed
 * event by event, so they do not depend on where batches were cut.
 *
 * @example
 * events$.pipe(fleetState({ maxBatch: 1000, maxDelay: 50 }), map((view) => view.summary()))
 */
export function fleetState(options: FleetStateOptions = {}): OperatorFunction<DeviceEvent, FleetView> {
  const maxBatch = options.maxBatch ?? 1000;
  const maxDelay = options.maxDelay ?? 50;
  if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new RangeError(`fleetState: maxBatch must be a positive integer, got ${maxBatch}`);
  if (!(maxDelay >= 0)) throw new RangeError(`fleetState: maxDelay must be >= 0, got ${maxDelay}`);
  const inactivityMs = options.inactivity === undefined ? undefined : spanMillis(options.inactivity.after, 'fleetState: inactivity.after');
  const collect = options.transitions ?? true;
  const scheduler = options.scheduler ?? asyncScheduler;
  const onUnapplied = options.unapplied === undefined ? undefined : sinkFunction(options.unapplied);
  return (source) =>
    new Observable<FleetView>((subscriber) => {
      const store = options.store ?? new FleetStore();
      const columns = store.createColumns(maxBatch);
      const status = new Uint8Array(maxBatch);
      const tracker = inactivityMs === undefined ? undefined : new InactivityTracker(inactivityMs);
      const totals = { events: 0, applied: 0, duplicates: 0, late: 0 };
      let batchNumber = 0;
      let eventTime: number | null = null;
      let timer: Subscription | undefined;

      const flush = (): void => {
        timer?.unsubscribe();
        timer = undefined;
        const size = columns.length;
        if (size === 0) return;
        const changes: Transition[] = [];
        const result = applyBatch(store, columns, collect || tracker !== undefined ? { status, onTransition: (t) => changes.push(t) } : { status });
        const batch: BatchCounts = { events: size, applied: result.applied, duplicates: result.duplicates, late: result.late };
        totals.events += size;
        totals.applied += batch.applied;
        totals.duplicates += batch.duplicates;
        totals.late += batch.late;
        for (let row = 0; row < size; row++) {
          const at = columns.at[row] as number;
          if (status[row] === ROW_APPLIED && (eventTime === null || at > eventTime)) eventTime = at;
        }
        const transitions: FleetTransition[] = tracker === undefined ? changes : walkActivity(tracker, columns, status, changes);
        columns.clear();
        batchNumber += 1;
        subscriber.next(new BatchView(store, tracker, batchNumber, batch, { ...totals }, eventTime, collect ? transitions : []));
      };

      const subscription = source.subscribe({
        next(event) {
          const pushed = columns.push(event);
          if (!pushed.ok) {
            if (onUnapplied === undefined) subscriber.error(pushed.error);
            else onUnapplied({ event, error: pushed.error });
            return;
          }
          if (columns.length >= maxBatch) {
            flush();
          } else if (timer === undefined) {
            timer = scheduler.schedule(flush, maxDelay);
          }
        },
        error: (err: unknown) => subscriber.error(err),
        complete() {
          flush();
          subscriber.complete();
        },
      });
      return () => {
        timer?.unsubscribe();
        subscription.unsubscribe();
      };
    });
}

/**
 * Replays the batch's applied rows in (time, id) order through the inactivity rule,
 * merging its ACTIVE/STALE changes with the reducer's transitions in event order.
 * `applyBatch` reports transitions in the order it applies rows, the same order.
 */
function walkActivity(tracker: InactivityTracker, columns: EventColumns, status: Uint8Array, changes: readonly Transition[]): FleetTransition[] {
  const out: FleetTransition[] = [];
  const activity: ActivityTransition[] = [];
  const rows: number[] = [];
  for (let row = 0; row < columns.length; row++) if (status[row] === ROW_APPLIED) rows.push(row);
  const { at, idHi, idLo, endpointId } = columns;
  rows.sort((a, b) => (at[a] as number) - (at[b] as number) || (idHi[a] as number) - (idHi[b] as number) || (idLo[a] as number) - (idLo[b] as number));
  let next = 0;
  for (const row of rows) {
    const time = at[row] as number;
    const id = (BigInt(idHi[row] as number) << 32n) | BigInt(idLo[row] as number);
    tracker.advance(time, activity);
    const device = endpointId[row] as number;
    if (!Number.isNaN(device)) tracker.touch(device, time, id, activity);
    for (const a of activity) out.push(a);
    activity.length = 0;
    for (let t = changes[next]; t !== undefined && t.at === time && t.eventId === id; t = changes[++next]) {
      out.push(t);
      if (t.region === 'connectivity' && t.endpointId === device) tracker.setConnected(device, t.to !== 'OFFLINE');
    }
    if (!Number.isNaN(device)) tracker.arm(device);
  }
  for (; next < changes.length; next++) out.push(changes[next] as Transition);
  return out;
}

class BatchView implements FleetView {
  readonly store: FleetStore;
  readonly #tracker: InactivityTracker | undefined;
  readonly batchNumber: number;
  readonly batch: BatchCounts;
  readonly totals: BatchCounts;
  readonly eventTime: number | null;
  readonly transitions: readonly FleetTransition[];
  readonly staleCount: number;

  constructor(
    store: FleetStore,
    tracker: InactivityTracker | undefined,
    batchNumber: number,
    batch: BatchCounts,
    totals: BatchCounts,
    eventTime: number | null,
    transitions: readonly FleetTransition[],
  ) {
    this.store = store;
    this.#tracker = tracker;
    this.batchNumber = batchNumber;
    this.batch = batch;
    this.totals = totals;
    this.eventTime = eventTime;
    this.transitions = transitions;
    this.staleCount = tracker?.staleCount ?? 0;
  }

  summary(): FleetSummary {
    return this.store.summary();
  }

  endpoint(endpointId: number): EndpointView | undefined {
    const state = this.store.readEndpoint(endpointId);
    if (state === undefined) return undefined;
    return { ...state, stale: this.#tracker?.isStale(endpointId) === true };
  }

  endpointIds(): Float64Array {
    return this.store.endpointIds();
  }
}
