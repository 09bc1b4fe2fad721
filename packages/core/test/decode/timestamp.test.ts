/** Timestamps in every spelling records use; formatting back. */
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { fastUtcTimestamp } from '../../src/decode/internal/fastTimestamp.js';
import { formatTimestamp, parseTimestamp } from '../../src/decode/timestamp.js';

/** What luxon alone says about a timestamp (no zone: UTC), the reference for the hot path. */
function luxonMs(text: string): number | null {
  const parsed = DateTime.fromISO(text.replace(' ', 'T'), { zone: 'utc' });
  return parsed.isValid ? parsed.toMillis() : null;
}

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
    ['2000-02-29 00:00:00', '2000-02-29T00:00:00.000Z'],
  ])('reads %s as UTC epoch ms', (input, iso) => {
    expect(parseTimestamp(input)).toBe(Date.parse(iso));
  });

  it.each([
    ['2021-02-30T00:00:00Z'],
    ['2021-13-01T00:00:00Z'],
    ['2019-02-29 00:00:00'],
    ['1900-02-29T00:00:00Z'],
    ['2100-02-29 00:00:00'],
    ['2021-04-31T00:00:00Z'],
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

describe('the timestamp hot path', () => {
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  const field = (max: number, width = 2) => fc.integer({ min: 0, max }).map((n) => pad(n, width));
  /** Timestamps of the hot path's shapes, most of them with some field out of range. */
  const anyFields = fc
    .tuple(
      // Years and days near the calendar's edges: centuries, leap years, month ends.
      fc.oneof(field(9999, 4), fc.constantFrom('1900', '2000', '2023', '2024', '2100')),
      field(13),
      fc.oneof(field(32), fc.constantFrom('28', '29', '30', '31')),
      fc.constantFrom('T', ' '),
      field(25),
      field(61),
      field(61),
      fc.constantFrom('', '.000', '.5', '.999', '.123456'),
      fc.constantFrom('Z', '', '+0000'),
    )
    .map((p) => `${p[0]}-${p[1]}-${p[2]}${p[3]}${p[4]}:${p[5]}:${p[6]}${p[7]}${p[8]}`);
  /** Valid times in each hot-path spelling. */
  const valid = fc.tuple(fc.integer({ min: Date.parse('1000-01-01T00:00:00Z'), max: Date.parse('9999-12-31T23:59:59.999Z') }), fc.nat(3)).map(([ms, form]) => {
    const iso = new Date(ms).toISOString();
    return [iso, `${iso.slice(0, 19)}Z`, iso.slice(0, 23), `${iso.slice(0, 10)} ${iso.slice(11, 19)}`][form] ?? iso;
  });

  it('agrees with luxon on every timestamp of its shapes, valid or not', () => {
    fc.assert(
      fc.property(fc.oneof(anyFields, valid), (text) => {
        const fast = fastUtcTimestamp(text);
        if (fast !== undefined) expect(fast).toBe(luxonMs(text));
        expect(parseTimestamp(text)).toBe(luxonMs(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('answers for valid times in its spellings (so the agreement above is not vacuous)', () => {
    fc.assert(
      fc.property(valid, (text) => {
        expect(fastUtcTimestamp(text)).toBe(luxonMs(text));
      }),
      { numRuns: 300 },
    );
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

  it('prints what luxon prints, in and beyond years 0000–9999', () => {
    const edge = fc.constantFrom(-62167219200001, -62167219200000, 253402300799999, 253402300800000, 0, -1, 1.5);
    // First and last millisecond of days from year 0000 to 9999 (leap days, century years).
    const dayEdge = fc
      .tuple(fc.integer({ min: -719528, max: 2932896 }), fc.constantFrom(0, 86_399_999, 43_200_000))
      .map(([day, offset]) => day * 86_400_000 + offset);
    fc.assert(
      fc.property(fc.oneof(edge, fc.integer({ min: -8.64e15, max: 8.64e15 }), fc.integer({ min: -7e13, max: 2.6e14 }), dayEdge), (ms) => {
        expect(formatTimestamp(ms)).toBe(DateTime.fromMillis(ms, { zone: 'utc' }).toISO());
      }),
      { numRuns: 2000 },
    );
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
