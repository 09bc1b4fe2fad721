import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteWriter } from '../src/simulator/ByteWriter.js';
import { IsoClock, writeDate } from '../src/simulator/IsoClock.js';

const dateText = (day: number): string => {
  const out = new Uint8Array(10);
  writeDate(out, day);
  return Buffer.from(out).toString('latin1');
};

describe('writeDate', () => {
  it('writes the calendar date Date#toISOString gives, for every day of years 0–9999 and beyond', () => {
    const MAX_DAY = 100_000_000; // Date's own limit
    fc.assert(
      fc.property(fc.integer({ min: -MAX_DAY, max: MAX_DAY }), (day) => {
        expect(dateText(day)).toBe(new Date(day * 86_400_000).toISOString().slice(0, 10));
      }),
      { numRuns: 20_000 },
    );
  });

  it('gets month ends, leap days and century rules right', () => {
    for (const iso of [
      '1970-01-01',
      '1999-12-31',
      '2000-02-29',
      '2000-03-01',
      '2100-02-28',
      '2100-03-01',
      '2024-02-29',
      '0000-03-01',
      '0000-02-29',
      '9999-12-31',
      '1600-02-29',
    ]) {
      expect(dateText(Date.parse(`${iso}T00:00:00Z`) / 86_400_000)).toBe(iso);
    }
  });
});

describe('IsoClock', () => {
  it('writes any sequence of times as toISOString does, whatever it cached before', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -62_000_000_000_000, max: 250_000_000_000_000 }), { minLength: 1, maxLength: 30 }), (times) => {
        const clock = new IsoClock();
        const w = new ByteWriter();
        for (const ms of times) {
          w.clear();
          clock.write(w, ms, 0);
          expect(w.textFrom(w.base)).toBe(new Date(ms).toISOString());
        }
      }),
    );
  });
});
