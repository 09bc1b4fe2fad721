import { classifyEvent, DEVICE_EVENT_TYPES, type DeviceEvent, decodeEvent, decodeEventText, type EmnifyEvent } from '@simfleet/core';

/** What the testkit's helpers accept as events: raw records, JSON lines, decoded events or device events. */
export type AnyEvent = unknown;

const DEVICE_TYPES: ReadonlySet<string> = new Set(DEVICE_EVENT_TYPES);

/** A `DeviceEvent` (the statechart's vocabulary), told apart by its shape. */
export function isDeviceEvent(value: unknown): value is DeviceEvent {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { type?: unknown; observation?: unknown };
  return typeof v.type === 'string' && DEVICE_TYPES.has(v.type) && typeof v.observation === 'object';
}

/** An `EmnifyEvent` (the decoder's output), told apart by its shape. */
export function isEmnifyEvent(value: unknown): value is EmnifyEvent {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { id?: unknown; typeId?: unknown; timestamp?: unknown };
  return typeof v.id === 'bigint' && typeof v.typeId === 'number' && typeof v.timestamp === 'number';
}

/** Thrown by the testkit's helpers when a record given to them does not decode. */
export class RecordDecodeError extends Error {
  override readonly name = 'RecordDecodeError';
  constructor(
    /** Position of the record in the input. */
    readonly index: number,
    readonly code: string,
    message: string,
  ) {
    super(`record ${index} does not decode: ${message}`);
  }
}

/**
 * Device events of records: each raw record (object or JSON text) is decoded and
 * classified as the engine does; decoded events are classified; device events pass
 * through. A record that does not decode throws a `RecordDecodeError` (these helpers
 * are for tests, where a bad fixture should stop the test).
 *
 * @example
 * toDeviceEvents(records).map((e) => e.type); // ['ATTACH', 'SESSION_CREATED', …]
 */
export function toDeviceEvents(events: Iterable<AnyEvent>): DeviceEvent[] {
  const out: DeviceEvent[] = [];
  let i = 0;
  for (const event of events) {
    out.push(toDeviceEvent(event, i));
    i++;
  }
  return out;
}

function toDeviceEvent(event: AnyEvent, index: number): DeviceEvent {
  if (isDeviceEvent(event)) return event;
  if (isEmnifyEvent(event)) return classifyEvent(event);
  const decoded = typeof event === 'string' ? decodeEventText(event) : decodeEvent(event);
  if (!decoded.ok) throw new RecordDecodeError(index, decoded.error.code, decoded.error.message);
  return classifyEvent(decoded.value);
}
