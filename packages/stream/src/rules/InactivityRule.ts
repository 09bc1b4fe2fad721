import type { EventTimeSpan } from '../eventTimeSpan.js';

/**
 * The event-time inactivity rule: a device that is `ATTACHED` or `ONLINE` and has had no
 * event for longer than `after` is `stale`. Time here is event time — the newest event
 * time `fleetState` has applied — never the wall clock, so a replay of a log and a live
 * run over the same events mark the same devices stale at the same event times.
 *
 * @example
 * fleetState({ maxBatch: 1000, maxDelay: 50, inactivity: { after: { hours: 6 } } })
 */
export interface InactivityRule {
  /** How long without an event makes a connected device stale (ms, luxon `Duration` or `{ hours: 6 }`). */
  readonly after: EventTimeSpan;
}
