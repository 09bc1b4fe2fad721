/** The testkit's replay helper agrees with the engine's replay (one rule for duplicates). */
import { decodeEvent, type JsonObject } from '@simfleet/core';
import { fleetLog, replayRecords, seededShuffle } from '@simfleet/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReplaySession } from '../../src/replay/ReplaySession.js';

/** A copy of a record with the same id and another timestamp (a retransmission that was re-stamped). */
const restamped = (record: JsonObject, ms: number): JsonObject => ({
  ...record,
  timestamp: new Date(Date.parse(String(record['timestamp'])) + ms).toISOString(),
});

describe('replayRecords', () => {
  it('keeps one copy per event id as `simfleet replay` does, whatever the order: the same endpoints as the engine', () => {
    fc.assert(
      fc.property(
        fleetLog({ devices: 4, events: 40, organisations: 2 }),
        fc.integer(),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: -60_000, max: 60_000 })), { maxLength: 5 }),
        (records, seed, copies) => {
          const delivered = seededShuffle(
            [...records, ...copies.filter(() => records.length > 0).map(([k, ms]) => restamped(records[k % records.length] as JsonObject, ms))],
            seed,
          );
          const replay = replayRecords(delivered);
          const session = new ReplaySession();
          delivered.forEach((r, i) => {
            const decoded = decodeEvent(r);
            if (decoded.ok) session.ingestEvent(decoded.value, 'log', i + 1);
          });
          const account = session.finish();
          const ids = [...session.fleet.endpointIds()];
          expect([...replay.fleet.endpointIds()]).toEqual(ids);
          for (const id of ids) expect(replay.readEndpoint(id)).toEqual(session.fleet.readEndpoint(id));
          expect(replay.result.applied).toBe(account.applied);
        },
      ),
      { numRuns: 100 },
    );
  });
});
