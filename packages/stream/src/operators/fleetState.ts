import type { DeviceEvent, FleetStore, FleetSummary } from '@simfleet/core';
import { LIVE_ACCEPTED, LiveFleet, type LiveFleetOptions, type LiveRejection, type LiveTransition, type TooLateEvent } from '@simfleet/engine';
import { asyncScheduler, Observable, type OperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';
import { type EventTimeSpan, spanMillis } from '../eventTimeSpan.js';
import type { FleetTransition } from '../fleetTransition.js';
import type { BatchCounts, EndpointView, FleetView } from '../fleetView.js';
import type { AcceptedEvent } from '../rules/FleetActivity.js';
import { FleetActivity } from '../rules/FleetActivity.js';
import type { InactivityRule } from '../rules/InactivityRule.js';
import { type Sink, sinkFunction } from '../sink.js';

/** An event the engine refused (a future timestamp, an id beyond 2^64, a non-finite time…): not applied. */
export interface UnappliedEvent {
  readonly event: DeviceEvent;
  /** `future_timestamp`, or the reducer's code (`event_id_out_of_range`, …). */
  readonly code: string;
  readonly reason: string;
}

/** An event older than its device's reorder horizon: not applied, reported. */
export interface TooLateDeviceEvent {
  readonly event: DeviceEvent;
  /** How far (ms of event time) it was behind its device's newest event. */
  readonly behindMs: number;
}

export interface FleetStateOptions {
  /** Apply a batch once it holds this many events (default 1000). */
  readonly maxBatch?: number;
  /** …or once its first event has waited this long, scheduler time in ms (default 50). */
  readonly maxDelay?: number;
  /**
   * The engine's live fleet to ingest into (default: a new one per subscription). Pass one to
   * read its state elsewhere (`live.fleet`: a server's GET routes) or to share its options.
   */
  readonly live?: LiveFleet;
  /** For a new live fleet: how far behind its device's newest event an event may arrive and still be placed (default 24 h). */
  readonly reorderHorizon?: EventTimeSpan;
  /** For a new live fleet: how far after this machine's clock an event may be dated (default 5 minutes). */
  readonly maxClockSkew?: EventTimeSpan;
  /** Mark connected devices `stale` after a silence, in event time. */
  readonly inactivity?: InactivityRule;
  /** Collect `transitions` (default `true`); `false` skips the per-change allocation. */
  readonly transitions?: boolean;
  /** Scheduler for `maxDelay` (tests pass the TestScheduler; default `asyncScheduler`). */
  readonly scheduler?: SchedulerLike;
  /**
   * Receives events the engine refused. Without it such an event errors the stream: it is
   * never dropped unseen.
   */
  readonly unapplied?: Sink<UnappliedEvent>;
  /** Receives events older than their device's reorder horizon (without it they error the stream). */
  readonly tooLate?: Sink<TooLateDeviceEvent>;
}

/**
 * Micro-batches events (by count and by time) into the engine's live fleet (`LiveFleet`)
 * and emits a `FleetView` after each batch. The state after every batch is exactly what
 * `simfleet replay` gives for the events so far, in whatever order they arrive: duplicates
 * (by id) apply once, a late event is placed where it belongs and its device re-folded (a
 * `correction: true` transition says what changed), and only an event older than its
 * device's newest by more than the reorder horizon is refused (`tooLate`).
 *
 * Nothing is dropped unseen: every event is accepted, a duplicate, too late, or unapplied.
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
  const liveOptions: LiveFleetOptions = {
    ...(options.reorderHorizon === undefined ? {} : { reorderHorizonMs: spanMillis(options.reorderHorizon, 'fleetState: reorderHorizon') }),
    ...(options.maxClockSkew === undefined ? {} : { maxClockSkewMs: spanMillis(options.maxClockSkew, 'fleetState: maxClockSkew') }),
  };
  const collect = options.transitions ?? true;
  const scheduler = options.scheduler ?? asyncScheduler;
  const onUnapplied = options.unapplied === undefined ? undefined : sinkFunction(options.unapplied);
  const onTooLate = options.tooLate === undefined ? undefined : sinkFunction(options.tooLate);
  return (source) =>
    new Observable<FleetView>((subscriber) => {
      const live = options.live ?? new LiveFleet(liveOptions);
      const activity = inactivityMs === undefined ? undefined : new FleetActivity(inactivityMs);
      const pending: DeviceEvent[] = [];
      const totals = { events: 0, applied: 0, duplicates: 0, tooLate: 0, rejected: 0 };
      let batchNumber = 0;
      let timer: Subscription | undefined;
      const flush = (): void => {
        timer?.unsubscribe();
        timer = undefined;
        if (pending.length === 0) return;
        const events = pending.splice(0, pending.length);
        const changes: LiveTransition[] = [];
        const result = live.ingestDeviceEvents(events, collect || activity !== undefined ? (t) => changes.push(t) : undefined);
        for (const r of result.rejected) {
          if (onUnapplied === undefined) {
            subscriber.error(refusal(r));
            return;
          }
          onUnapplied({ event: events[r.index] as DeviceEvent, code: r.code, reason: r.reason });
        }
        for (const t of result.tooLate) {
          if (onTooLate === undefined) {
            subscriber.error(new RangeError(tooLateMessage(t)));
            return;
          }
          onTooLate({ event: events[t.index] as DeviceEvent, behindMs: t.behindMs });
        }
        const batch: BatchCounts = {
          events: events.length,
          applied: result.accepted,
          duplicates: result.duplicates,
          tooLate: result.tooLate.length,
          rejected: result.rejected.length,
        };
        totals.events += batch.events;
        totals.applied += batch.applied;
        totals.duplicates += batch.duplicates;
        totals.tooLate += batch.tooLate;
        totals.rejected += batch.rejected;
        let transitions: readonly FleetTransition[] = changes;
        if (activity !== undefined) {
          const accepted: AcceptedEvent[] = [];
          events.forEach((e, i) => {
            if (result.outcomes[i] === LIVE_ACCEPTED) accepted.push({ at: e.at, eventId: e.eventId, endpointId: e.endpointId ?? Number.NaN });
          });
          accepted.sort((a, b) => a.at - b.at || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
          transitions = activity.observe(accepted, changes);
        }
        batchNumber += 1;
        subscriber.next(new BatchView(live.fleet, activity, batchNumber, batch, { ...totals }, live.asOf, collect ? transitions : []));
      };
      const subscription = source.subscribe({
        next(event) {
          pending.push(event);
          if (pending.length >= maxBatch) {
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

function refusal(r: LiveRejection): Error {
  return Object.assign(new RangeError(`fleetState: event not applied (${r.code}): ${r.reason}`), { code: r.code });
}

function tooLateMessage(t: TooLateEvent): string {
  return `fleetState: event ${t.eventId} of endpoint ${t.endpointId} is ${t.behindMs} ms behind its device's newest event, beyond the reorder horizon (pass tooLate to receive such events)`;
}

class BatchView implements FleetView {
  readonly store: FleetStore;
  readonly #tracker: FleetActivity | undefined;
  readonly batchNumber: number;
  readonly batch: BatchCounts;
  readonly totals: BatchCounts;
  readonly eventTime: number | null;
  readonly transitions: readonly FleetTransition[];
  readonly staleCount: number;

  constructor(
    store: FleetStore,
    tracker: FleetActivity | undefined,
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
