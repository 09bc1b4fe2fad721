import {
  applyBatch,
  type BatchResult,
  type DeviceEvent,
  type DeviceEventType,
  type EndpointState,
  FleetStore,
  formatTimestamp,
  ROW_DUPLICATE,
  ROW_LATE,
  type Transition,
} from '@simfleet/core';
import { type AnyEvent, toDeviceEvents } from './toDeviceEvents.js';

/** What happened to one event of a device, in the order the engine applied it. */
export interface TimelineEntry {
  readonly at: number;
  readonly eventId: bigint;
  /** The device event; `ORGANISATION_BLOCKED` etc. for organisation events that reached the device. */
  readonly type: DeviceEventType;
  /** The engine applied it, or ignored it as a duplicate or a late event. */
  readonly outcome: 'applied' | 'duplicate' | 'late';
  /** Whether the event named the device (false: it reached the device through its organisation). */
  readonly own: boolean;
  /** The changes it made to the device (regions and effective status). */
  readonly transitions: readonly Transition[];
}

/** A replayed log: the fleet, and each device's timeline. */
export interface FleetReplay {
  readonly fleet: FleetStore;
  readonly result: BatchResult;
  readonly events: readonly DeviceEvent[];
  /** What each event did to the device, oldest first. */
  timeline(endpointId: number): TimelineEntry[];
  readEndpoint(endpointId: number): EndpointState | undefined;
}

const key = (at: number, eventId: bigint): string => `${at}/${eventId}`;

/**
 * Replays events — raw records, JSON lines, decoded events or device events, in any
 * order — through the real engine (`applyBatch` on a `FleetStore`, one batch) and
 * keeps every transition, so a test can show a device's timeline.
 *
 * @example
 * const replay = replayRecords(records);
 * replay.readEndpoint(11089066)?.status;       // 'ONLINE'
 * formatTimeline(replay.timeline(11089066));    // one line per event
 */
export function replayRecords(events: Iterable<AnyEvent>, options: { fleet?: FleetStore } = {}): FleetReplay {
  const fleet = options.fleet ?? new FleetStore();
  const deviceEvents = toDeviceEvents(events);
  const columns = fleet.createColumns(Math.max(16, deviceEvents.length));
  for (const e of deviceEvents) {
    const pushed = columns.push(e);
    if (!pushed.ok) throw pushed.error;
  }
  const status = new Uint8Array(deviceEvents.length);
  const transitions: Transition[] = [];
  const result = applyBatch(fleet, columns, { status, onTransition: (t) => transitions.push(t) });
  const byEvent = new Map<string, Transition[]>();
  for (const t of transitions) {
    const k = key(t.at, t.eventId);
    const list = byEvent.get(k);
    if (list === undefined) byEvent.set(k, [t]);
    else list.push(t);
  }
  return {
    fleet,
    result,
    events: deviceEvents,
    readEndpoint: (endpointId) => fleet.readEndpoint(endpointId),
    timeline(endpointId) {
      const entries: TimelineEntry[] = [];
      const seen = new Set<string>();
      deviceEvents.forEach((e, row) => {
        const k = key(e.at, e.eventId);
        const mine = (byEvent.get(k) ?? []).filter((t) => t.endpointId === endpointId);
        const own = e.endpointId === endpointId;
        if (!own && mine.length === 0) return;
        if (!own && seen.has(k)) return;
        seen.add(k);
        const code = status[row] as number;
        entries.push({
          at: e.at,
          eventId: e.eventId,
          type: e.type,
          outcome: code === ROW_DUPLICATE ? 'duplicate' : code === ROW_LATE ? 'late' : 'applied',
          own,
          transitions: code === ROW_DUPLICATE || code === ROW_LATE ? [] : mine,
        });
      });
      return entries.sort((a, b) => a.at - b.at || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
    },
  };
}

/**
 * A timeline as text, one line per event:
 * `2021-10-27T08:38:02.000Z  #137112624332866  SESSION_CREATED  connectivity ATTACHED→ONLINE, status ATTACHED→ONLINE`.
 *
 * @example
 * console.log(formatTimeline(replayRecords(records).timeline(11089066)));
 */
export function formatTimeline(entries: readonly TimelineEntry[]): string {
  if (entries.length === 0) return '  (no events for this device)';
  const width = Math.max(...entries.map((e) => e.type.length));
  return entries
    .map((e) => {
      const changes =
        e.outcome !== 'applied'
          ? `ignored: ${e.outcome}`
          : e.transitions.length === 0
            ? 'no change'
            : e.transitions.map((t) => `${t.region} ${t.from}→${t.to}`).join(', ');
      const via = e.own ? '' : ' (via its organisation)';
      return `  ${formatTimestamp(e.at)}  #${e.eventId}  ${e.type.padEnd(width)}  ${changes}${via}`;
    })
    .join('\n');
}
