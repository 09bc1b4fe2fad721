import { EVENT_TYPES, type JsonObject, type KnownEventTypeKey } from '@simfleet/core';
import fc from 'fast-check';
import { MESSY_ALL } from '../simulator/messy.js';
import { OPERATORS } from '../simulator/operators.js';
import { UNKNOWN_TYPE_IDS } from '../simulator/recordTypes.js';
import { deviceAt, renderRecords } from './_internals/lifecycles.js';

/** Options of `event`. */
export interface EventArbitraryOptions {
  /** Catalog types to draw from, by key (default: every catalog type). */
  readonly types?: readonly KnownEventTypeKey[];
  /** Also type ids the catalog does not know (decoded as `unknown`; default false). */
  readonly unknownTypes?: boolean;
  /**
   * Mix in the variants real records show (default true): `+0000` offsets, timestamps
   * without milliseconds or with a space, `alert` as 1/0, `event_source.name`, numeric
   * strings, null sim/imsi/user, string-encoded details, free key order, bare-number
   * ICCIDs and IMSIs, endpoint names missing, null, empty, renamed or escaped.
   */
  readonly variants?: boolean;
  /** Event ids beyond 2^53, as `bigint` (default: as `variants`). */
  readonly bigIds?: boolean;
}

const ORGANISATION_ENTITIES: ReadonlySet<string> = new Set(['organisation', 'user', 'service_profile']);

/**
 * One emnify event record, as a JSON object the way emnify (or 1NCE) sends it: any
 * catalog type or a chosen subset, with real-shaped nested objects and details (the
 * operator and full `pdp_context` of session events, quota objects, tariff, order and
 * user details) and, unless turned off, the variants of real records.
 *
 * Integers beyond 2^53 (big ids, bare 20-digit ICCIDs) are `bigint`: write records
 * with `stringifyJson` from `@simfleet/core`, not `JSON.stringify`.
 *
 * @remarks Shrinks towards the canonical shape of emnify's examples.
 *
 * @example
 * fc.assert(fc.property(event({ types: ['createPdpContext', 'deletePdpContext'] }), (record) => {
 *   expect(decodeEvent(record).ok).toBe(true);
 * }));
 */
export function event(options: EventArbitraryOptions = {}): fc.Arbitrary<JsonObject> {
  const variants = options.variants ?? true;
  const bigIds = options.bigIds ?? variants;
  const wanted = options.types === undefined ? undefined : new Set<string>(options.types);
  const entries = EVENT_TYPES.filter((t) => wanted === undefined || wanted.has(t.key));
  const ids: number[] = [...entries.map((t): number => t.id), ...(options.unknownTypes ? UNKNOWN_TYPE_IDS : [])];
  if (ids.length === 0) throw new RangeError('event(): no event type to draw from');
  const organisationLevel = new Set<number>(entries.filter((t) => ORGANISATION_ENTITIES.has(t.entity)).map((t) => t.id));
  const safeId = fc.integer({ min: 100_000_000_000_000, max: 999_999_999_999_999 });
  return fc
    .record({
      typeId: fc.constantFrom(...ids),
      variant: fc.nat({ max: 11 }),
      device: fc.nat({ max: 9999 }),
      organisations: fc.integer({ min: 1, max: 4 }),
      id: bigIds
        ? fc.oneof(
            { arbitrary: safeId as fc.Arbitrary<number | bigint>, weight: 4 },
            { arbitrary: fc.bigInt({ min: 2n ** 53n, max: 2n ** 64n - 1n }), weight: 1 },
          )
        : (safeId as fc.Arbitrary<number | bigint>),
      at: fc.integer({ min: Date.UTC(2016, 0, 1), max: Date.UTC(2030, 0, 1) }),
      sessionAge: fc.nat({ max: 86_400_000 }),
      operator: fc.nat({ max: OPERATORS.length - 1 }),
      sessionA: fc.nat({ max: 0xffffffff }),
      sessionB: fc.nat({ max: 0xffffffff }),
      random: fc.nat({ max: 0xffffffff }),
      messy: variants ? fc.oneof({ arbitrary: fc.constant(0), weight: 1 }, { arbitrary: fc.nat({ max: MESSY_ALL }), weight: 2 }) : fc.constant(0),
    })
    .map((r) => {
      const device = deviceAt(r.device, r.organisations);
      // Organisation, user and service-profile records name no endpoint.
      const variant = organisationLevel.has(r.typeId) ? r.variant & ~1 : r.variant;
      const [record] = renderRecords([
        {
          typeId: r.typeId,
          variant,
          id: r.id,
          at: r.at,
          device,
          slot: -1,
          organisation: device.organisation,
          operator: r.operator,
          sessionA: r.sessionA,
          sessionB: r.sessionB,
          sessionStart: r.at - r.sessionAge,
          random: r.random,
          messy: r.messy,
        },
      ]);
      return record as JsonObject;
    });
}
