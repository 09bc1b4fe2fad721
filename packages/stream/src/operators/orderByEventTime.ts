import { asyncScheduler, Observable, type OperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';
import { type EventTimeSpan, spanMillis } from '../eventTimeSpan.js';
import { MinHeap } from '../internal/MinHeap.js';
import { type Sink, sinkFunction } from '../sink.js';
import { compareEventTime, type TimedEvent } from '../timedEvent.js';

/** An event that arrived after the watermark had passed its time. */
export interface LateEvent<T> {
  readonly event: T;
  /** The watermark when it arrived: everything before this time had been emitted. */
  readonly watermark: number;
  /** How many late events this subscription has counted so far, this one included. */
  readonly count: number;
}

export interface OrderByEventTimeOptions<T> {
  /**
   * How far behind the newest event time an event may arrive and still be put in
   * order (ms, a luxon `Duration`, or `{ seconds: 30 }`). `Infinity` holds everything
   * until the source completes: a full sort, nothing is ever late (replay).
   */
  readonly maxLateness: EventTimeSpan;
  /** Receives every late event (required: nothing is dropped unseen). */
  readonly late: Sink<LateEvent<T>>;
  /**
   * Live sources only: when no event has arrived for this long (scheduler time, ms),
   * release the whole buffer and move the watermark just past the newest event time.
   * Without it the newest events wait for a newer one to push the watermark past them.
   * Replays leave it unset so their output never depends on the wall clock.
   */
  readonly idleTimeout?: number;
  /** Scheduler for `idleTimeout` (tests pass the TestScheduler; default `asyncScheduler`). */
  readonly scheduler?: SchedulerLike;
}

/**
 * Buffers events and emits them in (event time, id) order once the watermark — the
 * newest event time seen minus `maxLateness` — has passed them. An event older than the
 * watermark when it arrives can no longer be put in order: it goes to `late`, counted.
 * On completion the buffer is flushed in order.
 *
 * Memory: the buffer holds only events newer than the watermark, i.e. at most
 * `maxLateness` of event time (plus, with `idleTimeout`, nothing once the source idles).
 *
 * @example
 * events$.pipe(orderByEventTime({ maxLateness: { seconds: 30 }, late: lateEvents$ }))
 */
export function orderByEventTime<T extends TimedEvent>(options: OrderByEventTimeOptions<T>): OperatorFunction<T, T> {
  const lateness = spanMillis(options.maxLateness, 'orderByEventTime: maxLateness');
  const idleTimeout = options.idleTimeout;
  if (idleTimeout !== undefined && !(idleTimeout >= 0)) throw new RangeError(`orderByEventTime: idleTimeout must be >= 0, got ${idleTimeout}`);
  const scheduler = options.scheduler ?? asyncScheduler;
  const onLate = sinkFunction(options.late);
  return (source) =>
    new Observable<T>((subscriber) => {
      const buffer = new MinHeap<T>(compareEventTime);
      let newest = Number.NEGATIVE_INFINITY;
      // Monotone: events strictly before it have been emitted (or were late).
      let watermark = Number.NEGATIVE_INFINITY;
      let lateCount = 0;
      let lastArrival = 0;
      let idleTimer: Subscription | undefined;

      const release = (): void => {
        for (let top = buffer.peek(); top !== undefined && top.at < watermark && !subscriber.closed; top = buffer.peek()) {
          buffer.pop();
          subscriber.next(top);
        }
      };

      const armIdleTimer = (delay: number): void => {
        if (idleTimeout === undefined || idleTimer !== undefined || buffer.size === 0) return;
        // One pending action at a time, re-armed for the remaining idle time when it
        // fires early, instead of rescheduling on every event.
        idleTimer = scheduler.schedule(() => {
          idleTimer = undefined;
          const idleFor = scheduler.now() - lastArrival;
          if (idleFor < idleTimeout) {
            armIdleTimer(idleTimeout - idleFor);
            return;
          }
          if (newest + 1 > watermark) watermark = newest + 1;
          release();
        }, delay);
      };

      const subscription = source.subscribe({
        next(event) {
          if (event.at < watermark) {
            lateCount += 1;
            onLate({ event, watermark, count: lateCount });
            return;
          }
          buffer.push(event);
          if (event.at > newest) {
            newest = event.at;
            const next = newest - lateness;
            if (next > watermark) {
              watermark = next;
              release();
            }
          }
          if (idleTimeout !== undefined) {
            lastArrival = scheduler.now();
            armIdleTimer(idleTimeout);
          }
        },
        error: (err: unknown) => subscriber.error(err),
        complete() {
          idleTimer?.unsubscribe();
          idleTimer = undefined;
          for (let top = buffer.pop(); top !== undefined; top = buffer.pop()) subscriber.next(top);
          subscriber.complete();
        },
      });
      return () => {
        idleTimer?.unsubscribe();
        subscription.unsubscribe();
      };
    });
}
