import { Observable, type OperatorFunction } from 'rxjs';
import type { FleetTransition } from '../fleetTransition.js';
import type { FleetView } from '../fleetView.js';

/**
 * The state changes inside each fleet view, one by one, in event order:
 * `{ endpointId, region, from, to, at, eventId }`, as `applyBatch` reported them (plus
 * the inactivity rule's `activity` changes). Combine with the filter helpers.
 *
 * @example
 * views$.pipe(transitions(), filter(wentOffline)).subscribe((t) => alert(`${t.endpointId} offline`))
 */
export function transitions(): OperatorFunction<FleetView, FleetTransition> {
  return (source) =>
    new Observable<FleetTransition>((subscriber) =>
      source.subscribe({
        next(view) {
          for (const t of view.transitions) {
            if (subscriber.closed) return;
            subscriber.next(t);
          }
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      }),
    );
}
