export type { Sink } from './sink.js';
export { type TimedEvent, compareEventTime } from './timedEvent.js';
export type { DecodedEvent } from './decodedEvent.js';
export type { ActivityTransition, FleetTransition } from './fleetTransition.js';
export type { BatchCounts, EndpointView, FleetView } from './fleetView.js';
export type { InactivityRule } from './rules/InactivityRule.js';
export { type EventTimeSpan, spanMillis } from './eventTimeSpan.js';
export { type DecodeEventsOptions, type DecodeReject, decodeEvents, toDecodedEvent } from './operators/decodeEvents.js';
export { type DedupeEventsOptions, type DuplicateEvent, dedupeEvents } from './operators/dedupeEvents.js';
export { type LateEvent, type OrderByEventTimeOptions, orderByEventTime } from './operators/orderByEventTime.js';
export { type FleetStateOptions, fleetState, type TooLateDeviceEvent, type UnappliedEvent } from './operators/fleetState.js';
export { type AcceptedEvent, FleetActivity } from './rules/FleetActivity.js';
export { transitions } from './operators/transitions.js';
export {
  becameBlocked,
  becameStale,
  cameOnline,
  type FleetTransitionRegion,
  type FleetTransitionStates,
  quotaExhausted,
  statusChanged,
  transitionTo,
  wentOffline,
} from './transitions/filters.js';
export { fromAsyncIterable } from './sources/fromAsyncIterable.js';
export { type FromReadableOptions, fromReadable } from './sources/fromReadable.js';
export { type TailNdjsonFileOptions, tailNdjsonFile } from './sources/tailNdjsonFile.js';
export { SourceError, type SourceErrorCode } from './sources/SourceError.js';
