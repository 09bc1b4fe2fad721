import { stringifyJson } from '@simfleet/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { endpointLine } from '../../src/replay/snapshot.js';

const tricky = fc.oneof(fc.string(), fc.constantFrom('"lastEventId":0', '\\"lastEventId\\":0', '","lastEventId":0,"', 'ä\u2028"'));
const value = fc.oneof(tricky, fc.integer(), fc.constant(null), fc.boolean(), fc.double({ noNaN: false }));

describe('endpointLine', () => {
  it('equals stringifyJson for any endpoint-shaped object, whatever its strings hold', () => {
    fc.assert(
      fc.property(
        value,
        value,
        fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.constant(null)),
        fc.option(fc.record({ name: tricky, mcc: fc.option(tricky) })),
        value,
        (before, iccid, lastEventId, operator, after) => {
          const json = { endpointId: 7, status: before, iccid, operator, lastEventId, lastEventAt: after, attaches: 3 };
          expect(endpointLine(json)).toBe(stringifyJson(json));
        },
      ),
      { numRuns: 500 },
    );
  });
});
