/**
 * Organisation-only facts: two fleets that each hold some members of an organisation, the
 * organisation's own events in both, exchange facts and end up with the organisation (and
 * every member's effective block and status) of one fleet holding every event.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { FleetStore } from '../../src/fleet/FleetStore.js';
import { type DeviceEvent, type DeviceEventType, EMPTY_OBSERVATION, type Observation } from '../../src/machine/deviceEvent.js';
import type { Transition } from '../../src/reducer/applyBatch.js';
import { applyOrganisationFact, readOrganisationFact } from '../../src/reducer/organisationFact.js';
import { applyEvents } from './harness.js';

const T0 = Date.parse('2021-10-27T08:00:00.000Z');
let n = 0;
const ev = (type: DeviceEventType, endpointId: number | null, observation: Partial<Observation> = {}): DeviceEvent => {
  n++;
  return { type, at: T0 + n * 1000, eventId: 137_000_000_000_000n + BigInt(n), endpointId, observation: { ...EMPTY_OBSERVATION, ...observation } };
};

/** Every organisation fact of a fleet. */
const factsOf = (fleet: FleetStore) => Array.from({ length: fleet.organisationCount }, (_, o) => readOrganisationFact(fleet, o));

describe('applyOrganisationFact', () => {
  test("a member's session in one fleet lifts the block for the members of the other", () => {
    const attachA = ev('ATTACH', 1, { organisationId: 7 });
    const attachB = ev('ATTACH', 2, { organisationId: 7 });
    const sessionB = ev('SESSION_CREATED', 2, { organisationId: 7 });
    const block = ev('ORGANISATION_BLOCKED', null, { organisationId: 7 });
    const sessionA = ev('SESSION_CREATED', 1, { organisationId: 7 });
    const whole = new FleetStore();
    applyEvents(whole, [attachA, attachB, sessionB, block, sessionA]);
    expect(whole.readEndpoint(2)?.blocked).toBe(false);

    // Fleet A holds endpoint 1, fleet B endpoint 2; the organisation event is in both.
    const a = new FleetStore();
    const b = new FleetStore();
    applyEvents(a, [attachA, block, sessionA]);
    applyEvents(b, [attachB, sessionB, block]);
    expect(b.readEndpoint(2)?.blocked).toBe(true);
    const reports: Transition[] = [];
    for (const fact of factsOf(a)) applyOrganisationFact(b, fact, (t) => reports.push(t));
    for (const fact of factsOf(b)) applyOrganisationFact(a, fact);
    expect(b.readEndpoint(2)).toEqual(whole.readEndpoint(2));
    expect(a.readEndpoint(1)).toEqual(whole.readEndpoint(1));
    expect(reports).toEqual([
      { endpointId: 2, region: 'block', from: 'BLOCKED', to: 'NOT_BLOCKED', at: sessionA.at, eventId: sessionA.eventId },
      { endpointId: 2, region: 'status', from: 'BLOCKED', to: 'ONLINE', at: sessionA.at, eventId: sessionA.eventId },
    ]);
    // An older fact (the session before the block) changes nothing.
    expect(applyOrganisationFact(b, { organisationId: 7, newest: { state: 'ACTIVE', at: sessionB.at, eventId: sessionB.eventId } })).toBe(false);
    expect(b.readEndpoint(2)?.blocked).toBe(false);
  });

  test('a fact without an event makes the organisation known, ACTIVE', () => {
    const fleet = new FleetStore();
    expect(applyOrganisationFact(fleet, { organisationId: 99 })).toBe(false);
    expect(fleet.organisationIndexById.has(99)).toBe(true);
    expect(readOrganisationFact(fleet, fleet.organisationIndexById.get(99) as number)).toEqual({ organisationId: 99 });
  });

  test('an unknown state or an id beyond 64 bits is refused', () => {
    const fleet = new FleetStore();
    expect(() => applyOrganisationFact(fleet, { organisationId: 1, newest: { state: 'FROZEN', at: T0, eventId: 1n } })).toThrow(/FROZEN/);
    expect(() => applyOrganisationFact(fleet, { organisationId: 1, newest: { state: 'ACTIVE', at: T0, eventId: 1n << 64n } })).toThrow(/64-bit/);
  });

  test('events split over fleets any way, facts exchanged in any order and repeated: every fleet equals the whole', () => {
    const types: DeviceEventType[] = ['ATTACH', 'SESSION_CREATED', 'ORGANISATION_BLOCKED', 'SESSION_ENDED', 'ENDPOINT_BLOCKED'];
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            type: fc.constantFrom(...types),
            endpoint: fc.integer({ min: 1, max: 6 }),
            organisation: fc.integer({ min: 1, max: 3 }),
            fleetLevel: fc.boolean(),
          }),
          { minLength: 1, maxLength: 40 },
        ),
        fc.integer({ min: 1, max: 3 }),
        fc.boolean(),
        (specs, fleets, reverse) => {
          const events = specs.map((s) =>
            ev(s.type, s.type === 'ORGANISATION_BLOCKED' && s.fleetLevel ? null : s.endpoint, { organisationId: s.organisation }),
          );
          const whole = new FleetStore();
          applyEvents(whole, events);
          // Endpoint e lives in fleet e mod k; events without an endpoint go to every fleet.
          const parts = Array.from({ length: fleets }, () => new FleetStore());
          parts.forEach((part, k) => {
            applyEvents(
              part,
              events.filter((e) => e.endpointId === null || e.endpointId % fleets === k),
            );
          });
          const facts = parts.flatMap(factsOf);
          for (const part of parts) for (const fact of reverse ? [...facts].reverse() : [...facts, ...facts]) applyOrganisationFact(part, fact);
          parts.forEach((part, k) => {
            for (let d = 0; d < whole.count; d++) {
              const id = whole.idOf(d);
              if (id % fleets === k) expect(part.readEndpoint(id)).toEqual(whole.readEndpoint(id));
            }
            const organisations = (fleet: FleetStore) => factsOf(fleet).sort((x, y) => x.organisationId - y.organisationId);
            expect(organisations(part)).toEqual(organisations(whole));
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});
