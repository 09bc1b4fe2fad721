/**
 * fast-check arbitraries of DeviceEvents for the machine/reducer tests: small fleets
 * (few endpoints, 2–3 organisations), every event type, null-heavy observations,
 * exact duplicates, ids on both sides of 2^32 and 2^53.
 */
import fc from 'fast-check';
import { REJECTION_REASON_CODES } from '../../src/catalog/rejectionReasons.js';
import { DEVICE_EVENT_TYPES, type DeviceEvent, type DeviceEventType, type Observation, type Operator } from '../../src/machine/deviceEvent.js';

export const ENDPOINTS = [11089066, 274887, 11096, 7, 8] as const;
export const ORGANISATIONS = [12033, 839921, 654321] as const;

const OPERATORS: Operator[] = [
  { name: 'Vodafone', mcc: '262', mnc: '02', country: 'de' },
  { name: 'Telefonica', mcc: '262', mnc: '03', country: 'de' },
  { name: 'Orange', mcc: '208', mnc: '01', country: 'fr' },
  { name: null, mcc: null, mnc: null, country: null },
];

const orNull = <T>(arb: fc.Arbitrary<T>, nullWeight = 2): fc.Arbitrary<T | null> =>
  fc.oneof({ weight: nullWeight, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });

export const observationArb = (organisations: readonly number[] = ORGANISATIONS): fc.Arbitrary<Observation> =>
  fc.record({
    organisationId: orNull(fc.constantFrom(...organisations), 1),
    simId: orNull(fc.constantFrom(3577707, 839999, 3566606)),
    iccid: orNull(fc.constantFrom('8988303000005733850', '89883030000057338501', '8988303001234567890')),
    imsi: orNull(fc.constantFrom('295090004145444', '90143011111111', '295090004044444')),
    imei: orNull(fc.constantFrom('8693700220003770', '8677300511111142', '86773005111111A2')),
    ipAddress: orNull(fc.constantFrom('100.102.41.209', '100.96.234.249', '230.105.77.310')),
    operator: orNull(fc.constantFrom(...OPERATORS)),
    ratType: orNull(fc.constantFrom(1, 2, 5, 6, 8, 9, 77)),
    apn: orNull(fc.constantFrom('em', 'iot.1nce.net', 'internet')),
    rejectionReason: orNull(fc.constantFrom(...REJECTION_REASON_CODES)),
    // Names are labels: empty, non-ASCII, with quotes, renamed between events.
    name: orNull(fc.constantFrom('GPS Tracker 7', 'Test Sim 2', '', 'Kühlkette "Nord" 3', 'Tracker 🚚')),
  });

export interface EventArbOptions {
  readonly endpoints?: readonly number[];
  readonly organisations?: readonly number[];
  readonly types?: readonly DeviceEventType[];
  /** Weight of events without an endpoint (default 1 against 8). */
  readonly fleetWeight?: number;
}

/** An event with a placeholder id (ids are assigned by `eventsArb`). */
const rawEventArb = (o: EventArbOptions = {}): fc.Arbitrary<DeviceEvent> =>
  fc.record({
    type: fc.constantFrom(...(o.types ?? DEVICE_EVENT_TYPES)),
    at: fc.integer({ min: 0, max: 40 }).map((t) => 1_635_000_000_000 + t * 1000),
    eventId: fc.constant(0n),
    endpointId: fc.oneof(
      { weight: o.fleetWeight ?? 1, arbitrary: fc.constant(null) },
      { weight: 8, arbitrary: fc.constantFrom(...(o.endpoints ?? ENDPOINTS)) },
    ),
    observation: observationArb(o.organisations),
  });

/** Bases for event ids: small, across 2^32, across 2^53, near 2^64. */
const ID_BASES = [1n, 137112624332866n, (1n << 32n) - 20n, (1n << 53n) - 50n, (1n << 64n) - 10_000n];

/**
 * A list of events with unique ids (exact duplicates added on purpose), in no particular
 * order.
 */
export const eventsArb = (o: EventArbOptions & { readonly maxLength?: number } = {}): fc.Arbitrary<DeviceEvent[]> =>
  fc
    .tuple(
      fc.array(rawEventArb(o), { minLength: 1, maxLength: o.maxLength ?? 60 }),
      fc.constantFrom(...ID_BASES),
      fc.integer({ min: 1, max: 3 }),
      fc.array(fc.nat(), { maxLength: 8 }),
    )
    .map(([raw, base, stride, dupPicks]) => {
      const events = raw.map((e, i) => ({ ...e, eventId: base + BigInt(i * stride) }));
      for (const p of dupPicks) events.push(events[p % raw.length] as DeviceEvent);
      return events;
    });
