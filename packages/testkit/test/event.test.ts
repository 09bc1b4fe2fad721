import { classifyEvent, decodeEvent, decodeEventText, encodeEvent, eventTypeByKey, type JsonObject, stringifyJson } from '@simfleet/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { event } from '../src/index.js';

/** A field of a record (records have an index signature: no dotted access). */
const field = (record: JsonObject | null | undefined, key: string): unknown => record?.[key];
const typeIdOf = (record: JsonObject): unknown => field(field(record, 'event_type') as JsonObject, 'id');

describe('event()', () => {
  it('generates records that decode, and decode to themselves through encodeEvent and text', () => {
    fc.assert(
      fc.property(event(), (record) => {
        const decoded = decodeEvent(record);
        if (!decoded.ok) throw decoded.error;
        expect(decoded.value.typeId).toBe(typeIdOf(record));
        const again = decodeEvent(encodeEvent(decoded.value));
        if (!again.ok) throw again.error;
        expect(again.value).toEqual(decoded.value);
        const fromText = decodeEventText(stringifyJson(record));
        if (!fromText.ok) throw fromText.error;
        expect(fromText.value).toEqual(decoded.value);
        // Classification works on every generated record.
        expect(classifyEvent(decoded.value).eventId).toBe(decoded.value.id);
      }),
      { numRuns: 300 },
    );
  });

  it('draws only the chosen types', () => {
    const chosen = [eventTypeByKey('purgeLocation').id, eventTypeByKey('quotaUsedUp').id];
    fc.assert(
      fc.property(event({ types: ['purgeLocation', 'quotaUsedUp'] }), (record) => {
        expect(chosen).toContain(typeIdOf(record));
      }),
      { numRuns: 50 },
    );
  });

  it('shows the variants of real records, and none when asked not to', () => {
    const messy = fc.sample(event(), { numRuns: 400, seed: 3 });
    const texts = messy.map(stringifyJson);
    expect(messy.some((r) => typeof field(r, 'id') === 'bigint')).toBe(true);
    expect(texts.some((t) => t.includes('+0000"'))).toBe(true);
    expect(texts.some((t) => t.includes('"alert":1') || t.includes('"alert":0'))).toBe(true);
    expect(texts.some((t) => t.startsWith('{"imsi":'))).toBe(true);
    expect(messy.some((r) => typeof field(r, 'detail') === 'string')).toBe(true);
    expect(messy.some((r) => typeof field(field(r, 'sim') as JsonObject | null, 'iccid') === 'bigint')).toBe(true);
    for (const record of fc.sample(event({ variants: false }), { numRuns: 200, seed: 3 })) {
      expect(field(record, 'timestamp')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(typeof field(record, 'alert')).toBe('boolean');
      expect(typeof field(record, 'id')).toBe('number');
      expect(Object.keys(record)[0]).toBe('timestamp');
    }
  });

  it('draws unknown type ids only when asked', () => {
    const decodedTypes = (arb: fc.Arbitrary<JsonObject>): string[] =>
      fc.sample(arb, { numRuns: 300, seed: 9 }).map((r) => {
        const d = decodeEvent(r);
        if (!d.ok) throw d.error;
        return d.value.type;
      });
    expect(decodedTypes(event({ unknownTypes: true }))).toContain('unknown');
    expect(decodedTypes(event())).not.toContain('unknown');
  });

  it('gives the same records for the same seed', () => {
    expect(fc.sample(event(), { numRuns: 30, seed: 77 })).toEqual(fc.sample(event(), { numRuns: 30, seed: 77 }));
  });

  it('refuses an empty subset', () => {
    expect(() => event({ types: [] })).toThrow(RangeError);
  });
});
