/**
 * `onOrganisationTransition`: an organisation change reported once, with its members, is
 * exactly the per-member changes `onTransition` alone reports once expanded (the same
 * changes; each event's members ascending by endpoint id, not in device order); the changes of the endpoint whose event moved the organisation stay in
 * `onTransition`.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { FleetStore } from '../../src/fleet/FleetStore.js';
import { DEVICE_EVENT_TYPES, type DeviceEvent, type DeviceEventType, EMPTY_OBSERVATION } from '../../src/machine/deviceEvent.js';
import { applyBatch, type Transition } from '../../src/reducer/applyBatch.js';
import { expandOrganisationTransition, type OrganisationTransition } from '../../src/reducer/organisationTransition.js';
import { eventsArb } from './arbitraries.js';
import { applyEvents, sortEvents } from './harness.js';

/** Block and unblock often: half the events are the organisation's own or a session. */
const TYPES: readonly DeviceEventType[] = [
  ...DEVICE_EVENT_TYPES,
  ...Array<DeviceEventType>(8).fill('ORGANISATION_BLOCKED'),
  ...Array<DeviceEventType>(8).fill('SESSION_CREATED'),
];

/**
 * Applies `events` as one batch with both callbacks: own changes into `reports`, each
 * organisation change into `changes` and (with `expand`) its expansion into `reports`.
 */
function applyBatchWith(fleet: FleetStore, events: readonly DeviceEvent[], reports: Transition[], changes: OrganisationTransition[], expand = true): void {
  const columns = fleet.createColumns(1);
  for (const e of events) {
    const r = columns.push(e);
    if (!r.ok) throw r.error;
  }
  applyBatch(fleet, columns, {
    onTransition: (t) => reports.push(t),
    onOrganisationTransition: (change) => {
      changes.push(change);
      if (expand) reports.push(...expandOrganisationTransition(change));
    },
  });
}

/** Reports in event order (time, then id), each event's by endpoint id; stable, so an endpoint's own changes keep their order. */
const byEventThenEndpoint = (reports: readonly Transition[]): Transition[] =>
  [...reports].sort((a, b) => a.at - b.at || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0) || a.endpointId - b.endpointId);

describe('onOrganisationTransition', () => {
  test('expanded, it equals the per-member reports of onTransition alone; members ascending by endpoint id', () => {
    let reported = 0;
    let members = 0;
    fc.assert(
      fc.property(
        eventsArb({ types: TYPES, fleetWeight: 3, endpoints: [11089066, 274887, 11096, 7, 8, 9, 10, 4294967297], organisations: [12033, 839921] }),
        fc.array(fc.nat(), { maxLength: 3 }),
        (events, cuts) => {
          const sorted = sortEvents(events);
          const points = [...new Set(cuts.map((c) => c % (sorted.length + 1))), sorted.length].sort((a, b) => a - b);
          const perMember = new FleetStore();
          const once = new FleetStore();
          const expected: Transition[] = [];
          const actual: Transition[] = [];
          let start = 0;
          for (const end of points) {
            const batch = sorted.slice(start, end);
            start = end;
            applyEvents(perMember, batch, { onTransition: (t) => expected.push(t) });
            const changes: OrganisationTransition[] = [];
            applyBatchWith(once, batch, actual, changes);
            for (const change of changes) {
              reported++;
              members += change.block.endpointIds.length;
              // Each status group is a subset of the block's members, in their order.
              for (let k = 1; k < change.block.endpointIds.length; k++) {
                expect(change.block.endpointIds[k - 1] as number).toBeLessThan(change.block.endpointIds[k] as number);
              }
              for (const group of change.status) {
                let k = 0;
                for (const id of change.block.endpointIds) if (group.endpointIds[k] === id) k++;
                expect(k).toBe(group.endpointIds.length);
              }
              expect(change.organisationId).toBe(once.organisationIds[once.organisationIndexOf(change.organisationId)]);
            }
          }
          // The same changes; within an event, member by member in endpoint id order.
          expect(actual).toHaveLength(expected.length);
          expect(byEventThenEndpoint(actual)).toEqual(byEventThenEndpoint(expected));
        },
      ),
      { numRuns: 300 },
    );
    // The generator does reach the organisation path (else the property says nothing).
    expect(reported).toBeGreaterThan(20);
    expect(members).toBeGreaterThan(reported);
  });

  test('a block of three members is one report: the block for all, status grouped by from/to', () => {
    const fleet = new FleetStore();
    const ev = (type: DeviceEventType, endpointId: number | null, id: bigint, organisationId: number | null = null) => ({
      type,
      at: 1_635_000_000_000 + Number(id) * 1000,
      eventId: id,
      endpointId,
      observation: { ...EMPTY_OBSERVATION, organisationId },
    });
    // Device order 30, 2, 10 (first seen): the report lists them by endpoint id.
    applyEvents(fleet, [ev('SESSION_CREATED', 30, 1n, 9), ev('ATTACH', 2, 2n, 9), ev('SESSION_CREATED', 10, 3n, 9), ev('ATTACH', 4, 4n, 8)]);
    const own: Transition[] = [];
    const changes: OrganisationTransition[] = [];
    applyBatchWith(fleet, [ev('ORGANISATION_BLOCKED', null, 5n, 9)], own, changes, false);
    expect(own).toEqual([]);
    expect(changes).toHaveLength(1);
    const change = changes[0] as OrganisationTransition;
    expect(change.organisationId).toBe(9);
    expect(change.eventId).toBe(5n);
    expect({ ...change.block, endpointIds: [...change.block.endpointIds] }).toEqual({ from: 'NOT_BLOCKED', to: 'BLOCKED', endpointIds: [2, 10, 30] });
    expect(change.status.map((g) => `${g.from}→${g.to} ${[...g.endpointIds].join(',')}`)).toEqual(['ATTACHED→BLOCKED 2', 'ONLINE→BLOCKED 10,30']);
    expect(expandOrganisationTransition(change).map((t) => `${t.endpointId} ${t.region} ${t.from}→${t.to}`)).toEqual([
      '2 block NOT_BLOCKED→BLOCKED',
      '2 status ATTACHED→BLOCKED',
      '10 block NOT_BLOCKED→BLOCKED',
      '10 status ONLINE→BLOCKED',
      '30 block NOT_BLOCKED→BLOCKED',
      '30 status ONLINE→BLOCKED',
    ]);
    // A member's own session lifts the block: its own changes through onTransition, the others' in the report.
    own.length = 0;
    changes.length = 0;
    applyBatchWith(fleet, [ev('SESSION_CREATED', 2, 6n)], own, changes, false);
    expect(own.map((t) => `${t.endpointId} ${t.region}`)).toEqual(['2 connectivity', '2 block', '2 status']);
    expect([...(changes[0] as OrganisationTransition).block.endpointIds]).toEqual([10, 30]);
  });
});
