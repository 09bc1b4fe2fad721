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
import { appendRow, compareRowContent } from '@simfleet/core/columns';
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
 * order — as `simfleet replay` does: one copy per event id (the earliest time, then the
 * smallest content), then the compiled reducer (`applyBatch` on a `FleetStore`, one batch), and
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
  const all = fleet.createColumns(Math.max(16, deviceEvents.length));
  for (const e of deviceEvents) {
    const pushed = all.push(e);
    if (!pushed.ok) throw pushed.error;
  }
  // One copy per event id, chosen as `simfleet replay` chooses it (the earliest time, then the
  // smallest content): the others are duplicates, whatever order the records came in.
  const kept = new Map<bigint, number>();
  deviceEvents.forEach((e, row) => {
    const other = kept.get(e.eventId);
    if (other === undefined || all.at[row]! < all.at[other]! || (all.at[row] === all.at[other] && compareRowContent(all, row, other) < 0))
      kept.set(e.eventId, row);
  });
  const keptRows = [...kept.values()].sort((a, b) => a - b);
  const columns = fleet.createColumns(Math.max(16, keptRows.length));
  columns.reserve(keptRows.length);
  for (const row of keptRows) appendRow(all, row, columns);
  const keptStatus = new Uint8Array(keptRows.length);
  const transitions: Transition[] = [];
  const applied = applyBatch(fleet, columns, { status: keptStatus, onTransition: (t) => transitions.push(t) });
  const status = new Uint8Array(deviceEvents.length).fill(ROW_DUPLICATE);
  keptRows.forEach((row, k) => {
    status[row] = keptStatus[k] as number;
  });
  const result: BatchResult = { ...applied, duplicates: applied.duplicates + deviceEvents.length - keptRows.length };
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
