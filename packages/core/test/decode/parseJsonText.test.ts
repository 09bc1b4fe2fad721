/** The JSON step: exact big integers, JSON.parse semantics otherwise, positions on failure. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseJsonText } from '../../src/decode/parseJsonText.js';
import { stringifyJson } from '../../src/decode/stringifyJson.js';
import type { JsonValue } from '../../src/model/event.js';
import { err, ok } from './support.js';

describe('parseJsonText', () => {
  it('keeps integers beyond 2^53 exact as bigint, anywhere in the text', () => {
    expect(ok(parseJsonText('{"id": 18446744073709551615, "a": [9007199254740993, -9007199254740993]}'))).toEqual({
      id: 18446744073709551615n,
      a: [9007199254740993n, -9007199254740993n],
    });
    expect(ok(parseJsonText('12345678901234567890'))).toBe(12345678901234567890n);
  });

  it('leaves safe integers, 16-digit safe integers and long fractions as numbers', () => {
    expect(ok(parseJsonText('{"a": 9007199254740991, "b": 1000000000000000, "c": 1234567890123456.5, "d": 1e300}'))).toEqual({
      a: 9007199254740991,
      b: 1000000000000000,
      c: 1234567890123456.5,
      d: 1e300,
    });
  });

  it('does not touch 16+ digit runs inside strings', () => {
    expect(ok(parseJsonText('{"s": "x:12345678901234567890", "id": 12345678901234567890}'))).toEqual({
      s: 'x:12345678901234567890',
      id: 12345678901234567890n,
    });
  });

  it('keeps the last of duplicate keys and "__proto__" as a key on both parse paths, like JSON.parse', () => {
    for (const big of ['1', '12345678901234567890']) {
      const source = `{"a": 1, "a": 2, "__proto__": {"x": ${big}}}`;
      const value = ok(parseJsonText(source)) as Record<string, JsonValue>;
      expect(value['a']).toBe(2);
      expect(Object.hasOwn(value, '__proto__')).toBe(true);
      expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    }
  });

  it('gives invalid_json with a position for invalid text', () => {
    expect(err(parseJsonText('{"a": tru}'))).toMatchObject({ code: 'invalid_json', path: '$', line: 1, column: 7 });
  });

  it('agrees with JSON.parse on any JSON text, bigints standing for the integers beyond ±(2^53 − 1)', () => {
    /** JSON.parse's view of a parseJsonText value: each bigint rounded as JSON.parse would. */
    const asDoubles = (v: JsonValue): unknown => {
      if (typeof v === 'bigint') return Number(v);
      if (Array.isArray(v)) return v.map(asDoubles);
      if (v !== null && typeof v === 'object') {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, asDoubles(x)]));
      }
      return v;
    };
    const bigintsAreUnsafe = (v: JsonValue): boolean => {
      if (typeof v === 'bigint') return !Number.isSafeInteger(Number(v));
      if (v !== null && typeof v === 'object') return Object.values(v).every(bigintsAreUnsafe);
      return true;
    };
    fc.assert(
      fc.property(fc.json(), (source) => {
        const value = ok(parseJsonText(source));
        expect(asDoubles(value)).toEqual(JSON.parse(source));
        expect(bigintsAreUnsafe(value)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('is exact for big integers anywhere: stringifyJson then parseJsonText is the identity', () => {
    const big = fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map((n): JsonValue => {
      // Normal form: JSON gives safe integers as numbers, bigger ones as bigint.
      return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
    });
    const value = fc.letrec<{ v: JsonValue }>((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        big,
        fc.string(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('v'), { maxLength: 4 }),
        fc.dictionary(fc.string(), tie('v'), { maxKeys: 4 }),
      ),
    })).v;
    fc.assert(
      fc.property(value, (v) => {
        expect(ok(parseJsonText(stringifyJson(v)))).toEqual(v);
      }),
      { numRuns: 300 },
    );
  });
});
