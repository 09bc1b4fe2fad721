import type { DeviceEvent, EmnifyEvent } from '@simfleet/core';

/**
 * What `decodeEvents` emits: the statechart event (`classifyEvent` of the record) with
 * the full decoded record beside it, for alerting and display. Being a `DeviceEvent`,
 * it flows unchanged through `dedupeEvents`, `orderByEventTime` and `fleetState`.
 */
export interface DecodedEvent extends DeviceEvent {
  readonly record: EmnifyEvent;
}
