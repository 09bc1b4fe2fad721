/**
 * The proof that the compiled reducer equals the statechart: random fleets and event
 * sequences, sorted by (at, eventId), fed to XState actors (one per endpoint, one per
 * organisation) and to `applyBatch`; every EndpointState must be equal, field by field.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { FleetStore } from '../../src/fleet/FleetStore.js';
import { eventsArb } from './arbitraries.js';
import { applyEvents, runMachines, runReducer, sortEvents, storeStates } from './harness.js';

describe('compiled reducer = XState actors', () => {
  test('random fleets and event sequences give equal EndpointStates', () => {
    fc.assert(
      fc.property(eventsArb(), (events) => {
        const sorted = sortEvents(events);
        const machines = runMachines(sorted);
        const store = runReducer(sorted);
        try {
          expect(storeStates(store)).toEqual(machines.endpointStates());
          for (const org of machines.organisations.keys()) {
            expect(store.organisationBlocked(org)).toBe(machines.organisationBlocked(org));
          }
          expect(store.organisationCount).toBe(machines.organisations.size);
          expect({ applied: store.applied, duplicates: store.duplicates, late: store.late, fleet: store.fleetEvents }).toEqual({
            applied: machines.applied,
            duplicates: machines.duplicates,
            late: machines.late,
            fleet: machines.fleetEvents,
          });
        } finally {
          machines.stop();
        }
      }),
      { numRuns: 1000 },
    );
  });

  test('organisation-heavy sequences (blocks, unblocks, devices joining a blocked organisation)', () => {
    const types = ['ORGANISATION_BLOCKED', 'SESSION_CREATED', 'ENDPOINT_BLOCKED', 'ENDPOINT_ENABLED', 'ATTACH', 'RECORDED'] as const;
    fc.assert(
      fc.property(eventsArb({ types, organisations: [1, 2], fleetWeight: 3, maxLength: 40 }), (events) => {
        const sorted = sortEvents(events);
        const machines = runMachines(sorted);
        try {
          expect(storeStates(runReducer(sorted))).toEqual(machines.endpointStates());
        } finally {
          machines.stop();
        }
      }),
      { numRuns: 200 },
    );
  });

  test('the reporting loop (status output, transition callback) gives the same states as the machines', () => {
    // applyBatch has a specialised loop for calls without options; this runs the other one.
    fc.assert(
      fc.property(eventsArb(), fc.boolean(), (events, withCallback) => {
        const sorted = sortEvents(events);
        const machines = runMachines(sorted);
        const store = new FleetStore({ capacity: 2 });
        const status = new Uint8Array(sorted.length);
        applyEvents(store, sorted, withCallback ? { status, onTransition: () => {} } : { status });
        try {
          expect(storeStates(store)).toEqual(machines.endpointStates());
          expect({ applied: store.applied, duplicates: store.duplicates, late: store.late }).toEqual({
            applied: machines.applied,
            duplicates: machines.duplicates,
            late: machines.late,
          });
        } finally {
          machines.stop();
        }
      }),
      { numRuns: 300 },
    );
  });
});
