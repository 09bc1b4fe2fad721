/**
 * `Transition` is typed per region: `from`/`to` are the state names of the transition's
 * own region, taken from the lists `compileMachine` checks against the statechart. The
 * `@ts-expect-error` lines are part of the test: `pnpm typecheck` fails if any of them
 * compiles (a wrong state name for a region would then be accepted).
 */
import { initialTransition } from 'xstate';
import { describe, expect, expectTypeOf, test } from 'vitest';
import { FleetStore } from '../../src/fleet/FleetStore.js';
import { DEVICE_REGIONS, deviceMachine } from '../../src/machine/deviceMachine.js';
import { EMPTY_OBSERVATION } from '../../src/machine/deviceEvent.js';
import { type EndpointStatus, INITIAL_REGIONS, type SimState } from '../../src/machine/endpointState.js';
import { applyBatch, TRANSITION_STATES, type Transition, transitionOf } from '../../src/reducer/applyBatch.js';
import { getCompiledMachine } from '../../src/reducer/compileMachine.js';

const base = { endpointId: 7, at: 0, eventId: 1n } as const;

describe('Transition types', () => {
  test('a region narrows from/to to its own state names', () => {
    const sim: Transition = { ...base, region: 'sim', from: 'ISSUED', to: 'ACTIVATED' };
    // @ts-expect-error ONLINE is a connectivity state, not a SIM state
    const wrong: Transition = { ...base, region: 'sim', from: 'ISSUED', to: 'ONLINE' };
    // @ts-expect-error a state of no region at all
    const unknown: Transition = { ...base, region: 'status', from: 'OFFLINE', to: 'ASLEEP' };
    // @ts-expect-error not a region
    const noRegion: Transition = { ...base, region: 'quota', from: 'NONE', to: 'ACTIVE' };
    expect([wrong.to, unknown.to, noRegion.region]).toEqual(['ONLINE', 'ASLEEP', 'quota']);

    const onlySim = (t: Transition): SimState | undefined => (t.region === 'sim' ? t.to : undefined);
    expect(onlySim(sim)).toBe('ACTIVATED');
    expectTypeOf<Extract<Transition, { region: 'status' }>['to']>().toEqualTypeOf<EndpointStatus>();
    expectTypeOf<Transition<'block'>['from']>().toEqualTypeOf<'NOT_BLOCKED' | 'BLOCKED'>();
  });

  test('every compiled state is in its region list, and INITIAL_REGIONS is the machine initial state', () => {
    const c = getCompiledMachine();
    for (const table of c.regions) {
      // A compiled region holds the states reachable from its initial one, in discovery order;
      // every one of them is in the region's list (compileMachine refuses anything else).
      for (const s of table.states) expect(TRANSITION_STATES[table.region]).toContain(s);
      expect(table.states[0]).toBe(INITIAL_REGIONS[table.region]);
    }
    const [initial] = initialTransition(deviceMachine, { endpointId: 1 });
    const value = initial.value as Record<string, unknown>;
    expect(Object.fromEntries(DEVICE_REGIONS.map((r) => [r, value[r]]))).toEqual(INITIAL_REGIONS);
  });

  test('applyBatch reports only names of the reported region', () => {
    const fleet = new FleetStore();
    const columns = fleet.createColumns();
    const types = ['SIM_REGISTERED', 'SIM_ACTIVATED', 'ATTACH', 'SESSION_CREATED', 'DATA_QUOTA_USED_UP', 'ENDPOINT_BLOCKED', 'SIM_SUSPENDED'] as const;
    types.forEach((type, i) => {
      const r = columns.push({ type, at: 1000 * (i + 1), eventId: BigInt(i + 1), endpointId: 7, observation: EMPTY_OBSERVATION });
      expect(r.ok).toBe(true);
    });
    const seen: Transition[] = [];
    applyBatch(fleet, columns, { onTransition: (t) => seen.push(t) });
    expect(new Set(seen.map((t) => t.region))).toEqual(new Set(['sim', 'connectivity', 'dataQuota', 'block', 'status']));
    for (const t of seen) {
      const names: readonly string[] = TRANSITION_STATES[t.region];
      expect(names).toContain(t.from);
      expect(names).toContain(t.to);
    }
  });

  test('transitionOf checks names read back from storage', () => {
    expect(transitionOf({ ...base, region: 'sim', from: 'ISSUED', to: 'ACTIVATED' })).toEqual({ ...base, region: 'sim', from: 'ISSUED', to: 'ACTIVATED' });
    expect(() => transitionOf({ ...base, region: 'sim', from: 'ISSUED', to: 'ONLINE' })).toThrow('not a state of region sim: to "ONLINE"');
    expect(() => transitionOf({ ...base, region: 'status', from: 'ASLEEP', to: 'ONLINE' })).toThrow('not a state of region status: from "ASLEEP"');
    expect(() => transitionOf({ ...base, region: 'toString', from: 'A', to: 'B' })).toThrow('not a transition region: "toString"');
  });
});
