/**
 * The binary `int8[]` elements of `organisation_transitions` rows, against a plain
 * big-endian int64 encoding of each id.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { int8Elements } from '../src/sharedRows.js';

/** Per id: length 8 as an int32, then the id as a big-endian int64 — through DataView and BigInt. */
function reference(ids: readonly number[]): Buffer {
  const b = Buffer.alloc(ids.length * 12);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  ids.forEach((id, k) => {
    view.setInt32(k * 12, 8);
    view.setBigInt64(k * 12 + 4, BigInt(id));
  });
  return b;
}

describe('int8Elements', () => {
  it('encodes ids at the edges of the 32-bit fast path and of safe integers', () => {
    const ids = [0, 1, 255, 65535, 4294967295, 4294967296, 4294967297, 9007199254740991, -1, -4294967296, -9007199254740991];
    expect(int8Elements(Float64Array.from(ids)).equals(reference(ids))).toBe(true);
  });

  it('encodes any safe integers, in any order, as a big-endian int64 each', () => {
    const id = fc.oneof(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.maxSafeInteger(), fc.integer({ min: -(2 ** 33), max: 2 ** 33 }));
    fc.assert(
      fc.property(fc.array(id, { maxLength: 200 }), (ids) => {
        expect(int8Elements(Float64Array.from(ids)).equals(reference(ids))).toBe(true);
      }),
    );
  });
});
