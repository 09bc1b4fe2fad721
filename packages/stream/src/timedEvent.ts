/**
 * The event-time key every ordering decision in @simfleet/stream uses.
 *
 * `DeviceEvent` (and so `DecodedEvent`) has these two fields; the generic operators
 * (`dedupeEvents`, `orderByEventTime`) need nothing more, which keeps them usable on
 * any stream of timestamped, identified events and easy to marble-test.
 */

/** An event with an event time (UTC epoch ms) and a unique id. */
export interface TimedEvent {
  readonly at: number;
  readonly eventId: bigint;
}

/**
 * Total order of events: by event time, then by id (ids are unique, so ties at the same
 * millisecond are resolved the same way in every run).
 *
 * @example
 * [b, a].sort(compareEventTime) // a first when a.at < b.at, or equal times and a.eventId < b.eventId
 */
export function compareEventTime(a: TimedEvent, b: TimedEvent): number {
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  if (a.eventId === b.eventId) return 0;
  return a.eventId < b.eventId ? -1 : 1;
}
