import { formatTimestamp } from '@simfleet/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RateLimits } from '../../src/fetch/RateLimiter.js';
import { tempDir } from '../support.js';
import { EmnifyTestApi, type FaultKind, type StoredEvent } from './emnifyTestApi.js';
import { fleetEvents, idsOf, runFetch, sortedIds } from './fetchFixture.js';

/** Generous limits on both sides: the property is about completeness, not pace. */
const FAST: RateLimits = {
  perIp: { limit: 100_000, windowMs: 300_000 },
  authenticate: { limit: 1000, windowMs: 300_000 },
  events: { perSecond: 10_000, burst: 100 },
};
const SERVER_FAST = { eventsPerSecond: 100_000, eventsBurst: 1000, perIp: 100_000, authenticate: 1000, windowMs: 300_000 };

const TRANSIENT: FaultKind[] = ['http500', 'http503', 'truncated', 'malformedHtml', 'malformedJson', 'dropConnection', 'revokeTokens'];

/** Events on a coarse clock: `perSecond` events share each timestamp, so boundaries hold several ids. */
function coarse(events: readonly StoredEvent[], perSecond: number): StoredEvent[] {
  const start = Date.UTC(2021, 9, 27);
  return events.map((event, i) => {
    const timestamp = start + Math.floor(i / perSecond) * 1000;
    return { ...event, timestamp, text: event.text.replace(/"timestamp":"[^"]+"/, `"timestamp":"${formatTimestamp(timestamp)}"`) };
  });
}

describe('completeness under arbitrary arrivals, faults and interruptions', () => {
  it('every event exactly once, whatever arrives while paging and wherever runs are cut short', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          count: fc.integer({ min: 1, max: 90 }),
          initialShare: fc.double({ min: 0, max: 1, noNaN: true }),
          perSecond: fc.integer({ min: 1, max: 6 }),
          cap: fc.integer({ min: 1, max: 12 }),
          arrivals: fc.array(fc.integer({ min: 0, max: 8 }), { maxLength: 30 }),
          // Two revocations in a row refuse a fresh token: that is a permanent error, not a property case.
          faults: fc
            .array(fc.record({ kind: fc.constantFrom(...TRANSIENT), request: fc.integer({ min: 1, max: 25 }) }), { maxLength: 4 })
            .filter(
              (faults) =>
                !faults.some((a) => a.kind === 'revokeTokens' && faults.some((b) => b.kind === 'revokeTokens' && Math.abs(a.request - b.request) === 1)),
            ),
          cuts: fc.array(fc.integer({ min: 1, max: 8 }), { maxLength: 2 }),
          seed: fc.integer({ min: 1, max: 1000 }),
          deliverBy: fc.constantFrom('page' as const, 'sweep' as const),
        }),
        async ({ count, initialShare, perSecond, cap, arrivals, faults, cuts, seed, deliverBy }) => {
          const all = coarse(fleetEvents(count, seed, 8), perSecond);
          const initial = Math.floor(count * initialShare);
          const arriving = all.slice(initial);
          const schedule = [...arrivals];
          const api = await EmnifyTestApi.start({
            perPageCap: cap,
            limits: SERVER_FAST,
            beforeEventRequest: (server) => {
              const batch = schedule.shift() ?? 0;
              if (batch > 0 && arriving.length > 0) server.add(arriving.splice(0, batch));
            },
          });
          try {
            api.add(all.slice(0, initial));
            for (const fault of faults) api.fault(fault.kind, (_r, n) => n === fault.request);
            const dir = tempDir();
            // Runs cut short after a few pages, each resumed from the state file.
            for (const cut of cuts) {
              const controller = new AbortController();
              const run = await runFetch(api, {
                dir,
                limits: FAST,
                deliverBy,
                signal: controller.signal,
                onPage: (counts) => counts.pages >= cut && controller.abort(),
              });
              expect(run.error).toBeNull();
            }
            // The rest arrives, then a last run without a cut.
            if (arriving.length > 0) api.add(arriving.splice(0));
            const last = await runFetch(api, { dir, limits: FAST, deliverBy });
            expect(last.error).toBeNull();
            const ids = idsOf(last.lines);
            expect(ids.length).toBe(new Set(ids).size);
            expect(ids.sort()).toEqual(sortedIds(all));
            // Every record of every page is accounted for, and the state counts what the file holds.
            const counts = last.outcome!.counts;
            expect(counts.received).toBe(counts.delivered + counts.duplicates + counts.rejected);
            expect(last.outcome?.state.delivered).toBe(all.length);
          } finally {
            await api.close();
          }
        },
      ),
      { numRuns: 100 },
    );
  }, 240_000);
});
