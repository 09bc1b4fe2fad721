/**
 * The compiled tables are the machine: for every (region state, event) pair, and from
 * random full snapshots (other regions anywhere, any context), XState's pure transition
 * lands where the table says.
 */
import fc from 'fast-check';
import { initialTransition, transition } from 'xstate';
import { describe, expect, test } from 'vitest';
import { DEVICE_EVENT_TYPES, type DeviceEvent, EMPTY_OBSERVATION } from '../../src/machine/deviceEvent.js';
import { DEVICE_REGIONS, deviceMachine } from '../../src/machine/deviceMachine.js';
import { organisationMachine } from '../../src/machine/organisationMachine.js';
import type { Connectivity, EndpointRegionState, SimState } from '../../src/machine/endpointState.js';
import { compileMachine, EVENT_COUNT, eventCode, getCompiledMachine, type RegionTable } from '../../src/reducer/compileMachine.js';
import { observationArb } from './arbitraries.js';

const compiled = getCompiledMachine();
const [initial] = initialTransition(deviceMachine, { endpointId: 1 });
const initialValue = initial.value as Record<string, string>;

const eventOf = (type: (typeof DEVICE_EVENT_TYPES)[number], at = 5_000): DeviceEvent => ({
  type,
  at,
  eventId: 42n,
  endpointId: 1,
  observation: EMPTY_OBSERVATION,
});

const nextName = (table: RegionTable, state: string, type: (typeof DEVICE_EVENT_TYPES)[number]): string =>
  table.states[table.next[table.states.indexOf(state) * EVENT_COUNT + eventCode(type)] as number] as string;

describe('compileMachine', () => {
  test('is deterministic and cached once per process', () => {
    expect(getCompiledMachine()).toBe(compiled);
    const again = compileMachine();
    for (const r of DEVICE_REGIONS) {
      expect(again[r].states).toEqual(compiled[r].states);
      expect(again[r].next).toEqual(compiled[r].next);
    }
  });

  test('finds every state of every region, initial first', () => {
    expect(compiled.connectivity.states).toEqual(['OFFLINE', 'ATTACHED', 'ONLINE']);
    expect([...compiled.sim.states].sort()).toEqual(['ACTIVATED', 'DELETED', 'FACTORY_TEST', 'ISSUED', 'SUSPENDED', 'UNKNOWN']);
    expect(compiled.sim.states[0]).toBe('UNKNOWN');
    expect([...compiled.endpoint.states].sort()).toEqual(['DISABLED', 'ENABLED', 'UNKNOWN']);
    expect(compiled.block.states).toEqual(['NOT_BLOCKED', 'BLOCKED']);
    expect(compiled.dataQuota.states).toHaveLength(6);
    expect(compiled.smsQuota.states).toHaveLength(5);
    expect(compiled.organisation.states).toEqual(['ACTIVE', 'BLOCKED']);
    for (const r of compiled.regions) expect(r.next).toHaveLength(r.states.length * EVENT_COUNT);
  });

  test('every (state, event) pair of every region matches the machine', () => {
    let checked = 0;
    for (const table of compiled.regions) {
      for (const state of table.states) {
        const snapshot = deviceMachine.resolveState({ value: { ...initialValue, [table.region]: state }, context: initial.context });
        for (const type of DEVICE_EVENT_TYPES) {
          const [after] = transition(deviceMachine, snapshot, eventOf(type));
          expect((after.value as Record<string, string>)[table.region], `${table.region} ${state} ${type}`).toBe(nextName(table, state, type));
          checked++;
        }
      }
    }
    expect(checked).toBe((3 + 6 + 3 + 2 + 6 + 5) * DEVICE_EVENT_TYPES.length);
  });

  test('regions are independent: from random full snapshots every region moves as its table says', () => {
    const stateOf = (t: RegionTable) => fc.constantFrom(...t.states);
    fc.assert(
      fc.property(
        fc.record({
          connectivity: stateOf(compiled.connectivity),
          sim: stateOf(compiled.sim),
          endpoint: stateOf(compiled.endpoint),
          block: stateOf(compiled.block),
          dataQuota: stateOf(compiled.dataQuota),
          smsQuota: stateOf(compiled.smsQuota),
        }),
        fc.constantFrom(...DEVICE_EVENT_TYPES),
        observationArb(),
        fc.integer({ min: 0, max: 10_000 }),
        (regions, type, observation, since) => {
          const snapshot = deviceMachine.resolveState({
            value: { ...regions, recorder: 'RECORDING' },
            context: { ...initial.context, since, lastEventAt: since },
          });
          const event = { ...eventOf(type, 20_000), observation };
          const [after] = transition(deviceMachine, snapshot, event);
          const value = after.value as Record<(typeof DEVICE_REGIONS)[number], string>;
          for (const r of DEVICE_REGIONS) expect(value[r]).toBe(nextName(compiled[r], regions[r], type));
          // `since` moves exactly when connectivity does.
          expect(after.context.since).toBe(value.connectivity !== regions.connectivity ? 20_000 : since);
          expect(after.context.lastEventAt).toBe(20_000);
        },
      ),
      { numRuns: 400 },
    );
  });

  test('the organisation table matches the organisation machine', () => {
    const [orgInitial] = initialTransition(organisationMachine, { organisationId: 1 });
    for (const state of compiled.organisation.states) {
      const snapshot = organisationMachine.resolveState({ value: state, context: orgInitial.context });
      for (const type of DEVICE_EVENT_TYPES) {
        const [after] = transition(organisationMachine, snapshot, eventOf(type));
        expect(after.value).toBe(nextName(compiled.organisation, state, type));
      }
    }
    expect(nextName(compiled.organisation, 'ACTIVE', 'ORGANISATION_BLOCKED')).toBe('BLOCKED');
    expect(nextName(compiled.organisation, 'BLOCKED', 'SESSION_CREATED')).toBe('ACTIVE');
    expect(nextName(compiled.organisation, 'BLOCKED', 'SESSION_UPDATED')).toBe('BLOCKED');
  });

  test('context effects read from the machine: who counts, who sets RAT type/APN/reason', () => {
    const typesWhere = (table: Uint8Array) => DEVICE_EVENT_TYPES.filter((_, i) => table[i] !== 0);
    expect(typesWhere(compiled.counts.attaches)).toEqual(['ATTACH']);
    expect(typesWhere(compiled.counts.sessions)).toEqual(['SESSION_CREATED']);
    expect(typesWhere(compiled.counts.rejections)).toEqual(['SESSION_REJECTED']);
    expect(typesWhere(compiled.takes.ratType)).toEqual(['SESSION_CREATED', 'SESSION_UPDATED']);
    expect(typesWhere(compiled.takes.apn)).toEqual(['SESSION_CREATED', 'SESSION_UPDATED']);
    expect(typesWhere(compiled.takes.rejectionReason)).toEqual(['SESSION_REJECTED']);
    for (const f of ['organisationId', 'simId', 'iccid', 'imsi', 'imei', 'ipAddress', 'operator'] as const) {
      expect(typesWhere(compiled.takes[f])).toEqual([...DEVICE_EVENT_TYPES]);
    }
  });

  test('the status table follows the precedence DELETED > SUSPENDED > DISABLED > BLOCKED > connectivity', () => {
    const c = compiled;
    const status = (sim: SimState, endpoint: EndpointRegionState, blocked: boolean, conn: Connectivity) =>
      c.status[
        ((c.sim.states.indexOf(sim) * c.endpoint.states.length + c.endpoint.states.indexOf(endpoint)) * 2 + (blocked ? 1 : 0)) * c.connectivity.states.length +
          c.connectivity.states.indexOf(conn)
      ];
    const name = (sim: SimState, endpoint: EndpointRegionState, blocked: boolean, conn: Connectivity) =>
      ['DELETED', 'SUSPENDED', 'DISABLED', 'BLOCKED', 'ONLINE', 'ATTACHED', 'OFFLINE'][status(sim, endpoint, blocked, conn) as number];
    expect(name('DELETED', 'DISABLED', true, 'ONLINE')).toBe('DELETED');
    expect(name('SUSPENDED', 'DISABLED', true, 'ONLINE')).toBe('SUSPENDED');
    expect(name('ACTIVATED', 'DISABLED', true, 'ONLINE')).toBe('DISABLED');
    expect(name('ACTIVATED', 'ENABLED', true, 'ONLINE')).toBe('BLOCKED');
    expect(name('FACTORY_TEST', 'UNKNOWN', false, 'ATTACHED')).toBe('ATTACHED');
    expect(name('UNKNOWN', 'UNKNOWN', false, 'OFFLINE')).toBe('OFFLINE');
  });
});
