/** The endpoint index keeps ids apart that share their low 32 bits, through every growth. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FleetStore } from '../../src/fleet/FleetStore.js';

const TWO_32 = 2 ** 32;

describe('FleetStore endpoint index', () => {
  it('tells apart ids equal in their low 32 bits, negative ones and the largest safe ones', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.oneof(
            fc.integer({ min: 0, max: 40 }).map((k) => 7 + k * TWO_32),
            fc.integer({ min: 0, max: 40 }).map((k) => -7 - k * TWO_32),
            fc.integer({ min: 0, max: 5000 }).map((k) => Number.MAX_SAFE_INTEGER - k * TWO_32),
            fc.maxSafeInteger(),
            fc.integer(),
          ),
          { maxLength: 300 },
        ),
        (ids) => {
          const fleet = new FleetStore({ capacity: 1 });
          ids.forEach((id, d) => {
            expect(fleet.deviceIndex(id)).toBe(d);
          });
          ids.forEach((id, d) => {
            expect(fleet.findDevice(id)).toBe(d);
            expect(fleet.idOf(d)).toBe(id);
            expect(fleet.deviceIndex(id)).toBe(d);
          });
          // Ids never added are not found, even when they share the low bits of one that was.
          const known = new Set(ids);
          for (const id of ids)
            for (const other of [id + TWO_32, id - TWO_32]) if (Number.isSafeInteger(other) && !known.has(other)) expect(fleet.findDevice(other)).toBe(-1);
          expect(fleet.endpointCount).toBe(ids.length);
        },
      ),
      { numRuns: 200 },
    );
  });
});
