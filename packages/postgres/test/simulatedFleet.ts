/**
 * Fleets for the tests: the testkit's simulator writes an emnify log, core decodes and
 * applies it with `onTransition` into a `TransitionLog` — what a replay does, minus files.
 */
import { applyBatch, classifyEvent, type DeviceEvent, decodeEventText, FleetStore } from '@simfleet/core';
import { generateFleetLog } from '@simfleet/testkit';
import { TransitionLog } from '../src/TransitionLog.js';

/** The simulator's events, decoded; with `spread`, their times stretched linearly over [from, to]. */
export function simulatedEvents(options: {
  readonly events: number;
  readonly devices: number;
  readonly seed: number;
  readonly organisations?: number;
  readonly spread?: { readonly from: number; readonly to: number };
}): DeviceEvent[] {
  let text = '';
  generateFleetLog({ events: options.events, devices: options.devices, seed: options.seed, organisations: options.organisations ?? 3 }, (chunk) => {
    text += chunk;
  });
  const events: DeviceEvent[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const decoded = decodeEventText(line);
    if (decoded.ok) events.push(classifyEvent(decoded.value));
  }
  const spread = options.spread;
  if (spread === undefined || events.length < 2) return events;
  const first = events[0]!.at;
  const last = events[events.length - 1]!.at;
  const scale = (spread.to - spread.from) / Math.max(1, last - first);
  return events.map((e) => ({ ...e, at: Math.round(spread.from + (e.at - first) * scale) }));
}

/**
 * A fleet after applying `events` (in one batch, or cut into batches at `cuts`), with every
 * transition it reported; with `once`, organisation changes reach the log once
 * (`onOrganisationTransition: log.pushOrganisation`), as a replay into PostgreSQL does.
 */
export function applyEvents(
  events: readonly DeviceEvent[],
  fleet = new FleetStore(),
  log = new TransitionLog(),
  options: { readonly once?: boolean; readonly cuts?: readonly number[] } = {},
): { fleet: FleetStore; log: TransitionLog; asOf: number | null } {
  const sorted = [...events].sort((a, b) => a.at - b.at || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
  const cuts = [...new Set((options.cuts ?? []).map((c) => c % (sorted.length + 1))), sorted.length].sort((a, b) => a - b);
  let start = 0;
  for (const end of options.cuts === undefined ? [events.length] : cuts) {
    const columns = fleet.createColumns();
    for (const e of options.cuts === undefined ? events : sorted.slice(start, end)) columns.push(e);
    start = end;
    applyBatch(fleet, columns, options.once === true ? { onTransition: log.push, onOrganisationTransition: log.pushOrganisation } : { onTransition: log.push });
  }
  let asOf: number | null = null;
  for (const e of events) if (asOf === null || e.at > asOf) asOf = e.at;
  return { fleet, log, asOf };
}
