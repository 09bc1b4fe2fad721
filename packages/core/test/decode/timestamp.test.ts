/** Timestamps in every spelling records use; formatting back. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatTimestamp, parseTimestamp } from '../../src/decode/timestamp.js';

describe('parseTimestamp', () => {
  it.each([
    ['2021-10-27T11:59:29.000Z', '2021-10-27T11:59:29.000Z'],
    ['2019-01-21T09:36:17Z', '2019-01-21T09:36:17.000Z'],
    ['2017-10-26T07:28:00.000+0000', '2017-10-26T07:28:00.000Z'],
    ['2017-10-26T09:28:00.000+02:00', '2017-10-26T07:28:00.000Z'],
    ['2017-10-26T02:28:00-0500', '2017-10-26T07:28:00.000Z'],
    ['2021-12-20 12:27:56', '2021-12-20T12:27:56.000Z'],
    ['2021-08-09T12:00:27', '2021-08-09T12:00:27.000Z'],
    ['2021-10-24T12:44:09.901Z', '2021-10-24T12:44:09.901Z'],
    ['2020-02-29T00:00:00Z', '2020-02-29T00:00:00.000Z'],
  ])('reads %s as UTC epoch ms', (input, iso) => {
    expect(parseTimestamp(input)).toBe(Date.parse(iso));
  });

  it.each([
    ['2021-02-30T00:00:00Z'],
    ['2021-13-01T00:00:00Z'],
    ['2019-02-29 00:00:00'],
    ['2021-10-27T25:00:00Z'],
    ['2021-10-27'],
    ['12:00'],
    ['2021-W43-3T10:00:00Z'],
    ['27.10.2021 11:59'],
    ['2021-10-27T11:59:29.000Z '],
    [''],
    ['Wed, 27 Oct 2021 11:59:29 GMT'],
  ])('refuses %j', (input) => {
    expect(parseTimestamp(input)).toBeNull();
  });
});

describe('formatTimestamp', () => {
  it('writes ISO-8601 UTC with milliseconds', () => {
    expect(formatTimestamp(Date.parse('2021-10-27T08:38:02Z'))).toBe('2021-10-27T08:38:02.000Z');
    expect(formatTimestamp(-1)).toBe('1969-12-31T23:59:59.999Z');
  });

  it('throws a RangeError for a time that is not one', () => {
    expect(() => formatTimestamp(Number.NaN)).toThrow(RangeError);
    expect(() => formatTimestamp(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });

  it('is read back by parseTimestamp and agrees with Date for years 0000–9999', () => {
    const min = Date.parse('0000-01-01T00:00:00Z');
    const max = Date.parse('9999-12-31T23:59:59.999Z');
    fc.assert(
      fc.property(fc.integer({ min, max }), (ms) => {
        const iso = formatTimestamp(ms);
        expect(iso).toBe(new Date(ms).toISOString());
        expect(parseTimestamp(iso)).toBe(ms);
      }),
      { numRuns: 300 },
    );
  });
});
