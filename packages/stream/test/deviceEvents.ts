import { type DeviceEvent, type DeviceEventType, EMPTY_OBSERVATION, type Observation } from '@simfleet/core';

/** A DeviceEvent for tests: type, event time (ms), id, endpoint (null for none). */
export function de(type: DeviceEventType, at: number, id: number | bigint, endpointId: number | null, observation: Partial<Observation> = {}): DeviceEvent {
  return { type, at, eventId: BigInt(id), endpointId, observation: { ...EMPTY_OBSERVATION, ...observation } };
}
