/**
 * Live = replay, exactly: records delivered in any order, in any batches, with re-sent
 * copies, organisation events among them, end in the state replay gives (snapshot bytes),
 * which is also what XState actors (the specification) reach when fed the sorted,
 * deduplicated events — as long as no event is older than its device's newest by more than
 * the reorder horizon. And beyond the horizon, nothing is lost silently: the event is
 * reported too late with how late it was.
 */
import {
  classifyEvent,
  type DeviceEvent,
  decodeEvent,
  ENDPOINT_STATUSES,
  type EmnifyEvent,
  getCompiledMachine,
  type JsonObject,
  stringifyJson,
} from '@simfleet/core';
import { fleetLog, seededShuffle } from '@simfleet/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareEvents, MachineFleet } from '../../../core/test/reducer/harness.js';
import { LiveFleet, type LiveTransition } from '../../src/live/LiveFleet.js';
import { ReplaySession } from '../../src/replay/ReplaySession.js';
import { snapshotChunks } from '../../src/snapshot/snapshot.js';

const text = (chunks: Iterable<Buffer>): string => Buffer.concat([...chunks]).toString('utf8');

function decodeAll(records: readonly JsonObject[]): EmnifyEvent[] {
  return records.map((r) => {
    const decoded = decodeEvent(r);
    if (!decoded.ok) throw new Error(`generated record does not decode: ${decoded.error.message}: ${stringifyJson(r)}`);
    return decoded.value;
  });
}

/** `simfleet replay` of the events. */
function replaySnapshot(events: readonly EmnifyEvent[]): string {
  const session = new ReplaySession();
  for (const [i, e] of events.entries()) session.ingestEvent(e, 'log', i + 1);
  const account = session.finish();
  return text(snapshotChunks(session.fleet, account));
}

/** The snapshot's state: asOf and every endpoint (the counts are compared on their own). */
function stateOf(snapshot: string): string {
  return `${/"asOf": ([^\n]*),\n/.exec(snapshot)?.[1]}\n${snapshot.slice(snapshot.indexOf('  "endpoints": ['))}`;
}

/** The XState actors fed the sorted events, one copy per id (the earliest). */
function machineStates(events: readonly EmnifyEvent[]): string {
  const byId = new Map<bigint, DeviceEvent>();
  for (const e of events) {
    const d = classifyEvent(e);
    const known = byId.get(d.eventId);
    if (known === undefined || d.at < known.at) byId.set(d.eventId, d);
  }
  const machines = new MachineFleet();
  for (const e of [...byId.values()].sort(compareEvents)) machines.send(e);
  const states = machines.endpointStates();
  machines.stop();
  return stringifyJson(states.map((s) => ({ ...s, lastEventId: String(s.lastEventId) })) as never);
}

function liveStates(live: LiveFleet): string {
  const ids = live.fleet.endpointIds();
  return stringifyJson([...ids].map((id) => ({ ...live.fleet.readEndpoint(id), lastEventId: String(live.fleet.readEndpoint(id)?.lastEventId) })) as never);
}

/** Cuts `items` into batches at the given (sorted, deduplicated) positions. */
function cut<T>(items: readonly T[], cuts: readonly number[]): T[][] {
  const at = [...new Set(cuts.map((c) => c % (items.length + 1)))].sort((a, b) => a - b);
  const out: T[][] = [];
  let start = 0;
  for (const c of [...at, items.length]) {
    out.push(items.slice(start, c));
    start = c;
  }
  return out.filter((b) => b.length > 0);
}

const delivery = fc.record({
  records: fleetLog({ devices: 4, events: 60, organisations: 2, disorder: true, unknownTypes: true, variants: true }),
  seed: fc.integer(),
  cuts: fc.array(fc.nat(), { maxLength: 8 }),
  resend: fc.array(fc.nat(), { maxLength: 6 }),
});

const HOUR = 3600_000;
const compiled = getCompiledMachine();
/** Each reported region's state before any event. */
const INITIAL: Readonly<Record<string, string>> = {
  ...Object.fromEntries(compiled.regions.map((t) => [t.region, t.states[0] as string])),
  block: 'NOT_BLOCKED',
  status: ENDPOINT_STATUSES[compiled.productStatus[0] as number] as string,
};
/** Far in the future of every generated record: the clock guard never trips here. */
const now = (): number => Date.UTC(2100, 0, 1);

describe('LiveFleet', () => {
  it('equals replay (snapshot bytes) and the XState actors, for any order, batching and re-sent copies', () => {
    fc.assert(
      fc.property(delivery, ({ records, seed, cuts, resend }) => {
        const events = decodeAll(records);
        // Re-send some records once more, anywhere in the delivery.
        const withCopies = [...events, ...resend.filter(() => events.length > 0).map((k) => events[k % events.length] as EmnifyEvent)];
        const arrival = seededShuffle(withCopies, seed);
        const live = new LiveFleet({ reorderHorizonMs: 1000 * 24 * HOUR, now });
        for (const batch of cut(arrival, cuts)) live.ingest(batch);
        const liveSnapshot = text(snapshotChunks(live.fleet, live.account()));
        const replayed = replaySnapshot(arrival);
        expect(liveSnapshot).toBe(replayed);
        expect(liveStates(live)).toBe(machineStates(arrival));
        const account = live.account();
        const replayCounts = JSON.parse(replayed.slice(0, replayed.indexOf('  "report"')).replace(/,\s*$/, '}')).counts;
        expect({ records: account.records, applied: account.applied, duplicates: account.duplicates, rejected: account.rejected }).toEqual(replayCounts);
        expect(account.records).toBe(arrival.length);
        expect(account.applied + account.duplicates + account.rejected).toBe(account.records);
        expect(account.applied).toBe(new Set(arrival.map((e) => e.id)).size);
        expect(live.tooLateCount).toBe(0);
      }),
      { numRuns: 150 },
    );
  });

  it('equals replay after every batch, also with a short horizon when every event arrives within it', () => {
    fc.assert(
      fc.property(delivery, fc.integer({ min: 0, max: 30 }), ({ records, seed, cuts }, minutes) => {
        const events = decodeAll(records);
        const arrival = seededShuffle(events, seed);
        const horizon = minutes * 60_000;
        const live = new LiveFleet({ reorderHorizonMs: horizon, now });
        const seen: EmnifyEvent[] = [];
        const newest = new Map<number, number>();
        const ids = new Set<bigint>();
        const lateIds = new Set<bigint>();
        let expectedLate = 0;
        for (const batch of cut(arrival, cuts)) {
          const result = live.ingest(batch);
          // What must be too late: older than its device's newest accepted event by more than the horizon.
          const lateHere = new Set(result.tooLate.map((t) => t.index));
          const sorted = [...batch.keys()].sort((a, b) => compareEvents(classifyEvent(batch[a] as EmnifyEvent), classifyEvent(batch[b] as EmnifyEvent)));
          for (const i of sorted) {
            const e = batch[i] as EmnifyEvent;
            const endpointId = e.endpoint?.id;
            const top = endpointId === undefined ? undefined : newest.get(endpointId);
            // A copy of an event already seen is a duplicate, never too late (nor applied, if the first was).
            const copy = ids.has(e.id);
            const late = !copy && top !== undefined && e.timestamp < top - horizon;
            ids.add(e.id);
            expect(lateHere.has(i), `event ${e.id} too late`).toBe(late);
            if (late) {
              expectedLate++;
              lateIds.add(e.id);
              continue;
            }
            if (copy && lateIds.has(e.id)) continue;
            seen.push(e);
            if (endpointId !== undefined && !(e.timestamp <= (top ?? Number.NEGATIVE_INFINITY))) newest.set(endpointId, e.timestamp);
          }
          expect(stateOf(text(snapshotChunks(live.fleet, live.account())))).toBe(stateOf(replaySnapshot(seen)));
        }
        expect(live.tooLateCount).toBe(expectedLate);
      }),
      { numRuns: 150 },
    );
  });

  it('reports corrections that leave every subscriber with the state the device has now', () => {
    fc.assert(
      fc.property(delivery, ({ records, seed, cuts }) => {
        const events = decodeAll(records);
        const arrival = seededShuffle(events, seed);
        // What a subscriber believes: each region's last reported `to`, per device.
        const believed = new Map<string, string>();
        const live = new LiveFleet({
          reorderHorizonMs: 1000 * 24 * HOUR,
          now,
          onTransition: (t: LiveTransition) => believed.set(`${t.endpointId}/${t.region}`, t.to),
        });
        for (const batch of cut(arrival, cuts)) live.ingest(batch);
        const truth = new Map<string, string>();
        const replayOptions = new ReplaySession({ onTransition: (t) => truth.set(`${t.endpointId}/${t.region}`, t.to) });
        for (const [i, e] of arrival.entries()) replayOptions.ingestEvent(e, 'log', i + 1);
        replayOptions.finish();
        // A region never reported is in its initial state (one side may have reported a change and its reversal).
        const initialOf = (k: string): string => INITIAL[k.slice(k.indexOf('/') + 1)] as string;
        for (const k of new Set([...believed.keys(), ...truth.keys()])) expect(believed.get(k) ?? initialOf(k), k).toBe(truth.get(k) ?? initialOf(k));
      }),
      { numRuns: 150 },
    );
  });
});
