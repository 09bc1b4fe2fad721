import type { Transition } from '@simfleet/core';
import type { ActivityTransition, FleetTransition } from '../fleetTransition.js';
import { InactivityTracker } from '../internal/InactivityTracker.js';

/** An event that was taken into the fleet state: when, which, of which device (NaN: none). */
export interface AcceptedEvent {
  readonly at: number;
  readonly eventId: bigint;
  readonly endpointId: number;
}

/**
 * The inactivity rule over accepted events: a connected device silent (in event time) for
 * longer than the rule's duration is `stale` until it speaks again. Its clock is the
 * newest accepted event, never a refused one (a record dated in the future cannot make the
 * fleet stale). Used by `fleetState` and by `simfleet serve`.
 *
 * @example
 * const activity = new FleetActivity(15 * 60_000);
 * const changes = activity.observe(acceptedInOrder, transitions); // with ACTIVE/STALE changes merged in
 * activity.isStale(11089066);
 */
export class FleetActivity {
  readonly #tracker: InactivityTracker;

  constructor(afterMs: number) {
    this.#tracker = new InactivityTracker(afterMs);
  }

  /** Devices currently stale. */
  get staleCount(): number {
    return this.#tracker.staleCount;
  }

  isStale(endpointId: number): boolean {
    return this.#tracker.isStale(endpointId);
  }

  /**
   * Walks a batch's accepted events in (time, id) order through the rule and merges its
   * ACTIVE/STALE changes with the batch's transitions (in the order they were reported:
   * steps first, for their events' times; corrections after). Returns the merged list.
   */
  observe(accepted: readonly AcceptedEvent[], transitions: readonly Transition[]): FleetTransition[] {
    const tracker = this.#tracker;
    const out: FleetTransition[] = [];
    const activity: ActivityTransition[] = [];
    const byEvent = new Map<bigint, Transition[]>();
    const rest: Transition[] = [];
    const ids = new Set(accepted.map((e) => e.eventId));
    for (const t of transitions) {
      const list = ids.has(t.eventId) ? byEvent.get(t.eventId) : undefined;
      if (list !== undefined) list.push(t);
      else if (ids.has(t.eventId)) byEvent.set(t.eventId, [t]);
      else rest.push(t);
    }
    for (const e of accepted) {
      tracker.advance(e.at, activity);
      const device = e.endpointId;
      if (!Number.isNaN(device)) tracker.touch(device, e.at, e.eventId, activity);
      out.push(...activity);
      activity.length = 0;
      for (const t of byEvent.get(e.eventId) ?? []) {
        out.push(t);
        if (t.region === 'connectivity') tracker.setConnected(t.endpointId, t.to !== 'OFFLINE');
      }
      byEvent.delete(e.eventId);
      if (!Number.isNaN(device)) tracker.arm(device);
    }
    for (const list of byEvent.values()) rest.push(...list);
    for (const t of rest) {
      out.push(t);
      if (t.region === 'connectivity') tracker.setConnected(t.endpointId, t.to !== 'OFFLINE');
    }
    return out;
  }
}
