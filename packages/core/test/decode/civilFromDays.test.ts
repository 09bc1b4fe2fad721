import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { civilFromDays } from '../../src/decode/civilFromDays.js';

describe('civilFromDays', () => {
  it('gives the date Date gives, for every day of years 0000–9999', () => {
    fc.assert(
      fc.property(fc.integer({ min: -719_528, max: 2_932_896 }), (day) => {
        const iso = new Date(day * 86_400_000).toISOString();
        expect(civilFromDays(day)).toBe(Number(iso.slice(0, 4)) * 10_000 + Number(iso.slice(5, 7)) * 100 + Number(iso.slice(8, 10)));
      }),
      { numRuns: 2000 },
    );
    expect(civilFromDays(0)).toBe(19700101);
    expect(civilFromDays(18927)).toBe(20211027);
  });
});
