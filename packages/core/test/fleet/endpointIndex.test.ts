import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FleetStore } from '../../src/fleet/FleetStore.js';

describe('FleetStore endpoint index', () => {
  it('gives dense indexes in first-seen order and finds them again across growth', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: -5, max: 3000 }), fc.maxSafeInteger(), fc.constantFrom(0, -0, 2 ** 32, 2 ** 32 + 1, 2 ** 53 - 1, -(2 ** 40))), {
          maxLength: 2500,
        }),
        (ids) => {
          const fleet = new FleetStore({ capacity: 1 });
          const expected = new Map<number, number>();
          for (const id of ids) {
            const d = fleet.deviceIndex(id);
            const known = expected.get(id);
            if (known === undefined) expected.set(id, d);
            else expect(d).toBe(known);
          }
          expect(fleet.endpointCount).toBe(expected.size);
          for (const [id, d] of expected) {
            expect(fleet.findDevice(id)).toBe(d);
            expect(fleet.hasEndpoint(id)).toBe(true);
            expect(fleet.idOf(d) === id).toBe(true); // -0 and 0 are one endpoint
          }
          expect([...expected.values()]).toEqual([...expected.keys()].map((_, i) => i));
          // An id the run did not add (fc.maxSafeInteger() can draw -7 itself).
          let absent = -7;
          while (expected.has(absent)) absent--;
          expect(fleet.findDevice(absent)).toBe(-1);
          expect(fleet.readEndpoint(absent)).toBeUndefined();
        },
      ),
      { numRuns: 40 },
    );
  });
});
