/**
 * Properties of the batched reducer: order, batching and re-delivery do not change the
 * fleet; DELETED is terminal; late events are counted, not applied; transition reports
 * chain up to the state read back.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { FleetStore } from '../../src/fleet/FleetStore.js';
import type { DeviceEvent, DeviceEventType } from '../../src/machine/deviceEvent.js';
import { DEVICE_EVENT_TYPES } from '../../src/machine/deviceEvent.js';
import type { EndpointState } from '../../src/machine/endpointState.js';
import { ROW_APPLIED, ROW_DUPLICATE, ROW_LATE, type Transition } from '../../src/reducer/applyBatch.js';
import { eventsArb } from './arbitraries.js';
import { applyEvents, runReducer, sortEvents, storeStates } from './harness.js';

const totals = (f: FleetStore) => ({ applied: f.applied, duplicates: f.duplicates, late: f.late, fleetEvents: f.fleetEvents });

/** Splits `items` into consecutive chunks at the given cut points. */
function split<T>(items: readonly T[], cuts: readonly number[]): T[][] {
  const points = [...new Set(cuts.map((c) => c % (items.length + 1)))].sort((a, b) => a - b);
  const out: T[][] = [];
  let start = 0;
  for (const p of [...points, items.length]) {
    out.push(items.slice(start, p));
    start = p;
  }
  return out;
}

describe('applyBatch properties', () => {
  test('re-applying a batch changes nothing: every event is a duplicate or late', () => {
    fc.assert(
      fc.property(eventsArb(), (events) => {
        const fleet = runReducer(sortEvents(events));
        const before = storeStates(fleet);
        const status = new Uint8Array(events.length);
        const again = applyEvents(fleet, events, { status });
        expect(again.applied).toBe(0);
        expect(again.duplicates + again.late).toBe(events.length);
        expect(status.every((s) => s === ROW_DUPLICATE || s === ROW_LATE)).toBe(true);
        expect(storeStates(fleet)).toEqual(before);
      }),
      { numRuns: 150 },
    );
  });

  test('a shuffled batch gives the same fleet as the sorted one', () => {
    fc.assert(
      fc.property(
        eventsArb().chain((events) => fc.tuple(fc.constant(events), fc.shuffledSubarray(events, { minLength: events.length }))),
        ([events, shuffled]) => {
          const a = runReducer(sortEvents(events));
          const b = runReducer(shuffled);
          expect(storeStates(b)).toEqual(storeStates(a));
          expect(totals(b)).toEqual(totals(a));
          expect(b.summary()).toEqual(a.summary());
        },
      ),
      { numRuns: 150 },
    );
  });

  test('batch size does not matter: a sorted sequence split into any batches', () => {
    fc.assert(
      fc.property(eventsArb(), fc.array(fc.nat(), { maxLength: 10 }), (events, cuts) => {
        const sorted = sortEvents(events);
        const whole = runReducer(sorted);
        const batched = runReducer(...split(sorted, cuts));
        expect(storeStates(batched)).toEqual(storeStates(whole));
        expect(totals(batched)).toEqual(totals(whole));
      }),
      { numRuns: 150 },
    );
  });

  test('interleaving across devices does not matter (per-device order kept)', () => {
    // Organisation blocks couple devices, and events without endpoint are ordered
    // fleet-wide: leave both out so that devices are independent.
    const types = DEVICE_EVENT_TYPES.filter((t) => t !== 'ORGANISATION_BLOCKED');
    fc.assert(
      fc.property(eventsArb({ types, fleetWeight: 0 }), fc.array(fc.nat(), { maxLength: 8 }), fc.infiniteStream(fc.nat()), (events, cuts, picks) => {
        const sorted = sortEvents(events);
        // Per device queues, merged by random picks: any interleaving keeping per-device order.
        const queues = new Map<number, DeviceEvent[]>();
        for (const e of sorted) {
          const q = queues.get(e.endpointId as number) ?? [];
          q.push(e);
          queues.set(e.endpointId as number, q);
        }
        const live = [...queues.values()].map((q) => [...q]);
        const merged: DeviceEvent[] = [];
        const it = picks[Symbol.iterator]();
        while (live.length > 0) {
          const i = (it.next().value as number) % live.length;
          const q = live[i] as DeviceEvent[];
          merged.push(q.shift() as DeviceEvent);
          if (q.length === 0) live.splice(i, 1);
        }
        // Batches cut from the merge keep each device's order across batches, too.
        const whole = runReducer(sorted);
        const perBatch = runReducer(...split(merged, cuts));
        expect(storeStates(perBatch)).toEqual(storeStates(whole));
        const perDevice = runReducer(...[...queues.values()].reverse());
        expect(storeStates(perDevice)).toEqual(storeStates(whole));
      }),
      { numRuns: 150 },
    );
  });

  test('DELETED is terminal: once deleted, a SIM stays DELETED whatever follows', () => {
    fc.assert(
      fc.property(eventsArb({ fleetWeight: 0 }), fc.nat(), (events, pick) => {
        const sorted = sortEvents(events);
        const victim = sorted[pick % sorted.length] as DeviceEvent;
        const deletion: DeviceEvent = { ...victim, type: 'SIM_DELETED' as DeviceEventType };
        const withDeletion = sortEvents(sorted.map((e) => (e === victim ? deletion : e)));
        const reports: Transition[] = [];
        const fleet = new FleetStore();
        applyEvents(fleet, withDeletion, { onTransition: (t) => reports.push(t) });
        const state = fleet.readEndpoint(victim.endpointId as number) as EndpointState;
        expect(state.simStatus).toBe('DELETED');
        expect(state.status).toBe('DELETED');
        expect(reports.filter((t) => t.region === 'sim' && t.from === 'DELETED')).toEqual([]);
        expect(reports.filter((t) => t.region === 'status' && t.from === 'DELETED')).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  test('late events are counted, marked, and not applied', () => {
    fc.assert(
      fc.property(eventsArb({ fleetWeight: 0 }), (events) => {
        const sorted = sortEvents(events);
        const fleet = runReducer(sorted);
        const before = storeStates(fleet);
        // Re-send each device's events shifted one second earlier than its last applied one.
        const older = sorted.map((e) => ({ ...e, at: (fleet.readEndpoint(e.endpointId as number)?.lastEventAt ?? 0) - 1000 }));
        const status = new Uint8Array(older.length);
        const r = applyEvents(fleet, older, { status });
        expect(r).toEqual({ applied: 0, duplicates: 0, late: older.length });
        expect(status.every((s) => s === ROW_LATE)).toBe(true);
        expect(storeStates(fleet)).toEqual(before);
        expect(fleet.late).toBe(older.length);
      }),
      { numRuns: 100 },
    );
  });

  test('row statuses agree with the counts, and counts add up', () => {
    fc.assert(
      fc.property(eventsArb(), fc.array(fc.nat(), { maxLength: 5 }), (events, cuts) => {
        const fleet = new FleetStore();
        for (const batch of split(events, cuts)) {
          const status = new Uint8Array(batch.length).fill(9);
          const r = applyEvents(fleet, batch, { status });
          expect(r.applied + r.duplicates + r.late).toBe(batch.length);
          expect(status.filter((s) => s === ROW_APPLIED).length).toBe(r.applied);
          expect(status.filter((s) => s === ROW_DUPLICATE).length).toBe(r.duplicates);
          expect(status.filter((s) => s === ROW_LATE).length).toBe(r.late);
        }
        expect(fleet.applied + fleet.duplicates + fleet.late).toBe(events.length);
      }),
      { numRuns: 100 },
    );
  });

  test('transition reports chain from the initial state to the state read back', () => {
    fc.assert(
      fc.property(eventsArb({ fleetWeight: 2 }), fc.array(fc.nat(), { maxLength: 4 }), (events, cuts) => {
        const fleet = new FleetStore();
        const reports: Transition[] = [];
        for (const batch of split(sortEvents(events), cuts)) applyEvents(fleet, batch, { onTransition: (t) => reports.push(t) });
        const current = new Map<string, string>();
        for (const t of reports) {
          const key = `${t.endpointId}/${t.region}`;
          const initial = {
            connectivity: 'OFFLINE',
            sim: 'UNKNOWN',
            endpoint: 'UNKNOWN',
            block: 'NOT_BLOCKED',
            dataQuota: 'UNKNOWN',
            smsQuota: 'UNKNOWN',
            status: 'OFFLINE',
          }[t.region];
          expect(t.from).toBe(current.get(key) ?? initial);
          expect(t.to).not.toBe(t.from);
          current.set(key, t.to);
        }
        for (const s of storeStates(fleet)) {
          const at = (region: string, fallback: string) => current.get(`${s.endpointId}/${region}`) ?? fallback;
          expect(at('connectivity', 'OFFLINE')).toBe(s.connectivity);
          expect(at('status', 'OFFLINE')).toBe(s.status);
          expect(at('block', 'NOT_BLOCKED')).toBe(s.blocked ? 'BLOCKED' : 'NOT_BLOCKED');
          expect(at('sim', 'UNKNOWN')).toBe(s.simStatus ?? 'UNKNOWN');
          expect(at('endpoint', 'UNKNOWN')).toBe(s.endpointStatus ?? 'UNKNOWN');
          const quota = (q: string | null, threshold: boolean) => (q === null ? 'UNKNOWN' : threshold ? 'ACTIVE_THRESHOLD' : q);
          expect(at('dataQuota', 'UNKNOWN')).toBe(quota(s.dataQuota, s.dataQuotaThresholdReached));
          expect(at('smsQuota', 'UNKNOWN')).toBe(quota(s.smsQuota, s.smsQuotaThresholdReached));
        }
      }),
      { numRuns: 150 },
    );
  });
});
