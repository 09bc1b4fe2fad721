import { decodeEvent, type EmnifyEvent, type JsonObject } from '@simfleet/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fleetLog, replayRecords } from '../src/index.js';

const decoded = (record: JsonObject): EmnifyEvent => {
  const r = decodeEvent(record);
  if (!r.ok) throw r.error;
  return r.value;
};

/** The log in time order, each id once: what the fleet should end up as. */
function inOrder(records: readonly JsonObject[]): JsonObject[] {
  const seen = new Set<bigint>();
  return [...records]
    .map((record) => ({ record, e: decoded(record) }))
    .sort((a, b) => a.e.timestamp - b.e.timestamp || (a.e.id < b.e.id ? -1 : a.e.id > b.e.id ? 1 : 0))
    .filter(({ e }) => !seen.has(e.id) && seen.add(e.id) !== undefined)
    .map(({ record }) => record);
}

function states(records: readonly JsonObject[]): unknown[] {
  const replay = replayRecords(records);
  return [...replay.fleet.endpointIds()].map((id) => replay.readEndpoint(id));
}

describe('fleetLog()', () => {
  it('interleaves several devices in time order with unique increasing ids', () => {
    fc.assert(
      fc.property(fleetLog({ devices: 4, events: 60 }), (records) => {
        expect(records.length).toBeLessThanOrEqual(60);
        const events = records.map(decoded);
        for (let i = 1; i < events.length; i++) {
          expect(events[i]?.timestamp).toBeGreaterThanOrEqual(events[i - 1]?.timestamp as number);
          expect(events[i]?.id).toBeGreaterThan(events[i - 1]?.id as bigint);
        }
      }),
      { numRuns: 60 },
    );
    const endpoints = fc
      .sample(fleetLog({ devices: 4, events: 60 }), { numRuns: 50, seed: 1 })
      .map((records) => new Set(records.map((r) => decoded(r).endpoint?.id).filter((id) => id !== undefined)).size);
    expect(Math.max(...endpoints)).toBeGreaterThan(1);
  });

  it('delivered in any disorder, it leads to the state of the ordered log (the engine sorts and deduplicates)', () => {
    fc.assert(
      fc.property(fleetLog({ devices: 3, events: 40, disorder: true }), (records) => {
        expect(states(records)).toEqual(states(inOrder(records)));
      }),
      { numRuns: 80 },
    );
  });

  it('disorders as asked: duplicated ids, newest-first pages', () => {
    const duplicated = fc.sample(fleetLog({ events: 40, disorder: { duplicates: true } }), { numRuns: 60, seed: 2 });
    expect(duplicated.some((records) => new Set(records.map((r) => decoded(r).id)).size < records.length)).toBe(true);
    const pages = fc.sample(fleetLog({ events: 40, disorder: { newestFirstPages: true } }), { numRuns: 60, seed: 2 });
    const descending = (records: JsonObject[]): boolean => records.some((r, i) => i > 0 && decoded(r).id < decoded(records[i - 1] as JsonObject).id);
    expect(pages.some(descending)).toBe(true);
    // Without disorder, nothing is out of order.
    expect(fc.sample(fleetLog({ events: 40 }), { numRuns: 60, seed: 2 }).some(descending)).toBe(false);
  });

  it('shrinks a failing log to the few records that matter', () => {
    const result = fc.check(
      fc.property(fleetLog({ devices: 5, events: 80, disorder: { duplicates: true } }), (records) => {
        return new Set(records.map((r) => decoded(r).id)).size === records.length;
      }),
      { seed: 8, numRuns: 200 },
    );
    expect(result.failed).toBe(true);
    const [counterexample] = (result.counterexample ?? [[]]) as [JsonObject[]];
    expect(counterexample.length).toBe(2);
    expect(decoded(counterexample[0] as JsonObject).id).toBe(decoded(counterexample[1] as JsonObject).id);
  });
});
