import { Observable, type OperatorFunction } from 'rxjs';
import { type Sink, sinkFunction } from '../sink.js';
import type { TimedEvent } from '../timedEvent.js';

/** A retransmitted event that `dedupeEvents` held back. */
export interface DuplicateEvent<T> {
  readonly event: T;
  /** How many duplicates this subscription has held back so far, this one included. */
  readonly count: number;
}

export interface DedupeEventsOptions<T> {
  /**
   * How many distinct event ids to remember. Memory is bounded by this count: when a
   * new id would exceed it, the oldest remembered id is forgotten (FIFO), so a
   * retransmission arriving more than `window` distinct events later passes through
   * (the reducer still recognises it as a duplicate of the device's last event, or as
   * late, and changes nothing).
   */
  readonly window: number;
  /** Receives each held-back duplicate. Optional: dropping duplicates is this operator's job. */
  readonly duplicates?: Sink<DuplicateEvent<T>>;
}

/**
 * Drops events whose id was already seen among the last `window` distinct ids.
 *
 * emnify's Data Streamer delivers at least once and 1NCE's spec says a repeated id is a
 * retransmission, so the id alone decides. Ids are `bigint`: ids beyond 2^53 never
 * collide through rounding.
 *
 * @example
 * events$.pipe(dedupeEvents({ window: 100_000, duplicates: (d) => metrics.duplicates++ }))
 */
export function dedupeEvents<T extends TimedEvent>(options: DedupeEventsOptions<T>): OperatorFunction<T, T> {
  const window = options.window;
  if (!Number.isInteger(window) || window < 1) throw new RangeError(`dedupeEvents: window must be a positive integer, got ${window}`);
  const onDuplicate = options.duplicates === undefined ? undefined : sinkFunction(options.duplicates);
  return (source) =>
    new Observable<T>((subscriber) => {
      // Per subscription: a set for lookups and a ring of the same ids in arrival order
      // for FIFO eviction. The ring is allocated lazily up to `window` entries.
      const seen = new Set<bigint>();
      const ring: bigint[] = [];
      let head = 0;
      let count = 0;
      return source.subscribe({
        next(event) {
          const id = event.eventId;
          if (seen.has(id)) {
            count += 1;
            onDuplicate?.({ event, count });
            return;
          }
          seen.add(id);
          if (ring.length < window) {
            ring.push(id);
          } else {
            seen.delete(ring[head] as bigint);
            ring[head] = id;
            head = head + 1 === window ? 0 : head + 1;
          }
          subscriber.next(event);
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}
