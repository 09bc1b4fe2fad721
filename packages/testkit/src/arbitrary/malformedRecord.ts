import { type JsonObject, type JsonValue, stringifyJson } from '@simfleet/core';
import fc from 'fast-check';
import { UNKNOWN_TYPE_IDS } from '../simulator/recordTypes.js';
import { event } from './event.js';

/** The kinds of input `malformedRecord` draws. */
export const MALFORMED_KINDS = [
  'truncated',
  'wrongType',
  'unknownType',
  'hugeId',
  'invalidTimestamp',
  'prototypeKey',
  'longLine',
  'deepNesting',
  'notAnObject',
  'badText',
] as const;
export type MalformedKind = (typeof MALFORMED_KINDS)[number];

/** Options of `malformedRecord`. */
export interface MalformedRecordOptions {
  /** Kinds to draw from (default: all). */
  readonly kinds?: readonly MalformedKind[];
}

/** Fields a wrong-typed value may replace, as paths. */
const FIELD_PATHS: readonly (readonly string[])[] = [
  ['id'],
  ['timestamp'],
  ['alert'],
  ['description'],
  ['event_type'],
  ['event_type', 'id'],
  ['event_source'],
  ['event_severity', 'id'],
  ['organisation'],
  ['organisation', 'id'],
  ['endpoint'],
  ['endpoint', 'id'],
  ['endpoint', 'imei'],
  ['sim'],
  ['sim', 'iccid'],
  ['imsi', 'imsi'],
  ['user'],
  ['detail'],
  ['detail', 'pdp_context'],
];

/** A copy of `record` with the value at `path` replaced (objects created as needed). */
function withValue(record: JsonObject, path: readonly string[], value: JsonValue): JsonObject {
  const [head, ...rest] = path;
  if (head === undefined) return record;
  const current = record[head];
  const next =
    rest.length === 0
      ? value
      : withValue(typeof current === 'object' && current !== null && !Array.isArray(current) ? (current as JsonObject) : {}, rest, value);
  return { ...record, [head]: next };
}

const wrongValue: fc.Arbitrary<JsonValue> = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(-1),
  fc.constant(1.5),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
);

const INVALID_TIMESTAMPS = [
  '',
  'yesterday',
  'NaN',
  '2021-13-45T25:61:61Z',
  '2021-02-30T00:00:00Z',
  '0000-00-00 00:00:00',
  '2021-10-27T08:38:02.000+2500',
  '2021-10-27T08:38:02.000Z garbage',
  '27/10/2021 08:38',
  '+275760-09-13T00:00:00.001Z',
];

/** The JSON text of a record, with the first `{` of `key`'s object (or of the record) opened by `insert`. */
function injectAfterBrace(text: string, key: string | null, insert: string): string {
  if (key === null) return `{${insert},${text.slice(1)}`;
  const marker = `"${key}":{`;
  const at = text.indexOf(marker);
  if (at < 0) return `{${insert},${text.slice(1)}`;
  const end = at + marker.length;
  const closesAtOnce = text[end] === '}';
  return `${text.slice(0, end)}${insert}${closesAtOnce ? '' : ','}${text.slice(end)}`;
}

function kindArbitrary(kind: MalformedKind, base: fc.Arbitrary<JsonObject>): fc.Arbitrary<string> {
  switch (kind) {
    case 'truncated':
      return fc.tuple(base, fc.nat()).map(([record, cut]) => {
        const text = stringifyJson(record);
        return text.slice(0, cut % text.length);
      });
    case 'wrongType':
      return fc.tuple(base, fc.constantFrom(...FIELD_PATHS), wrongValue).map(([record, path, value]) => stringifyJson(withValue(record, path, value)));
    case 'unknownType':
      return fc
        .tuple(
          base,
          fc.oneof(
            fc.constantFrom(...UNKNOWN_TYPE_IDS),
            fc.integer({ min: 71, max: 1_000_000 }),
            fc.integer({ min: -1000, max: -1 }),
            fc.constant(2 ** 31),
            fc.constant(2 ** 53 + 2),
            fc.constant(0.5),
          ),
        )
        .map(([record, id]) => stringifyJson(withValue(record, ['event_type', 'id'], id)));
    case 'hugeId':
      return fc
        .tuple(
          base,
          fc.oneof(
            fc.bigInt({ min: 2n ** 53n, max: 2n ** 64n - 1n }) as fc.Arbitrary<JsonValue>,
            fc.bigInt({ min: 2n ** 64n, max: 2n ** 90n }) as fc.Arbitrary<JsonValue>,
            fc.bigInt({ min: -(2n ** 64n), max: -1n }) as fc.Arbitrary<JsonValue>,
            fc.constant('9007199254740993123') as fc.Arbitrary<JsonValue>,
            fc.constant('12ab') as fc.Arbitrary<JsonValue>,
            fc.constant(1.5e15) as fc.Arbitrary<JsonValue>,
            fc.constant(1e300) as fc.Arbitrary<JsonValue>,
          ),
        )
        .map(([record, id]) => stringifyJson(withValue(record, ['id'], id)));
    case 'invalidTimestamp':
      return fc
        .tuple(
          base,
          fc.oneof(
            fc.constantFrom(...INVALID_TIMESTAMPS) as fc.Arbitrary<JsonValue>,
            fc.string({ maxLength: 30 }) as fc.Arbitrary<JsonValue>,
            fc.integer() as fc.Arbitrary<JsonValue>,
          ),
        )
        .map(([record, ts]) => stringifyJson(withValue(record, ['timestamp'], ts)));
    case 'prototypeKey':
      return fc
        .tuple(
          base,
          fc.constantFrom(null, 'event_type', 'endpoint', 'organisation', 'detail', 'pdp_context'),
          fc.constantFrom(
            '"__proto__":{"polluted":true,"id":0}',
            '"__proto__":null',
            '"constructor":{"prototype":{"polluted":true}}',
            '"prototype":{"id":1}',
            '"hasOwnProperty":1',
            '"toString":"x"',
          ),
        )
        .map(([record, key, insert]) => injectAfterBrace(stringifyJson(record), key, insert));
    case 'longLine':
      return fc.tuple(base, fc.integer({ min: 65_536, max: 400_000 }), fc.constantFrom('description', 'detail', 'name')).map(([record, length, where]) => {
        const long = 'x'.repeat(length);
        if (where === 'detail') return stringifyJson(withValue(record, ['detail'], { text: long, items: Array(64).fill(long.slice(0, 1024)) }));
        if (where === 'name') return stringifyJson(withValue(record, ['endpoint', 'name'], long));
        return stringifyJson(withValue(record, ['description'], long));
      });
    case 'deepNesting':
      return fc.tuple(base, fc.integer({ min: 64, max: 3000 }), fc.boolean()).map(([record, depth, arrays]) => {
        const text = stringifyJson(withValue(record, ['detail'], 0));
        const nested = arrays ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
        return text.replace('"detail":0', `"detail":${nested}`);
      });
    case 'notAnObject':
      return fc.oneof(
        fc.constantFrom('null', 'true', '0', '-1', '"text"', '[]', '{}', '[{}]'),
        base.map((record) => `[${stringifyJson(record)}]`),
        fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
      );
    case 'badText':
      return fc.oneof(
        fc.constantFrom('', ' ', '\t', '\u0000', '\uFEFF', '\uD800', '{', '}', '{"id":}', "{'id':1}", 'undefined', 'NaN'),
        base.map((record) => `\uFEFF${stringifyJson(record)}`),
        base.map((record) => `${stringifyJson(record)}}}`),
        base.map((record) => `${stringifyJson(record)}${stringifyJson(record)}`),
        base.map((record) => stringifyJson(record).replace('"', '"\uD83D')),
        base.map((record) => stringifyJson(record).replace(':', ':\u0001')),
        fc.string({ unit: 'binary', maxLength: 64 }),
      );
  }
}

/**
 * A line a decoder must survive: truncated JSON, wrong types in known fields, type ids
 * the catalog does not know, ids beyond 2^53 (and beyond 2^64), invalid timestamps,
 * `__proto__` / `constructor` keys, very long lines, deep nesting, values that are not
 * objects, and text that is not JSON at all. Most are invalid; some (an unknown type,
 * an id beyond 2^53) are valid records a decoder must keep exactly. Feed it to
 * `decodeEventText` (or `JSON.parse` it first, when it parses, for `decodeEvent`).
 *
 * @remarks Built from `event()`, so it shrinks towards a small canonical record.
 *
 * @example
 * fc.assert(fc.property(malformedRecord(), (line) => {
 *   expect(() => decodeEventText(line)).not.toThrow();
 * }));
 */
export function malformedRecord(options: MalformedRecordOptions = {}): fc.Arbitrary<string> {
  const kinds = options.kinds ?? MALFORMED_KINDS;
  if (kinds.length === 0) throw new RangeError('malformedRecord(): no kind to draw from');
  const base = event({ variants: true });
  return fc.oneof(...kinds.map((kind) => kindArbitrary(kind, base)));
}
