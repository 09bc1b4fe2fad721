/**
 * The transition filters by example, and their types: `transitionTo` takes only a state of
 * the region it names (the `@ts-expect-error` lines fail `pnpm typecheck` if they compile),
 * and the predicates narrow a `FleetTransition` to the region they test.
 */
import type { SimState } from '@simfleet/core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { FleetTransition } from '../src/fleetTransition.js';
import { becameStale, cameOnline, quotaExhausted, statusChanged, transitionTo, wentOffline } from '../src/transitions/filters.js';

const base = { endpointId: 7, at: 0, eventId: 1n } as const;
const changes: FleetTransition[] = [
  { ...base, region: 'connectivity', from: 'ONLINE', to: 'OFFLINE' },
  { ...base, region: 'connectivity', from: 'ATTACHED', to: 'ONLINE' },
  { ...base, region: 'sim', from: 'ACTIVATED', to: 'SUSPENDED' },
  { ...base, region: 'smsQuota', from: 'ACTIVE', to: 'EXHAUSTED' },
  { ...base, region: 'status', from: 'ONLINE', to: 'SUSPENDED' },
  { ...base, region: 'activity', from: 'ACTIVE', to: 'STALE' },
];

describe('transition filters', () => {
  it('pick the changes they name', () => {
    expect(changes.filter(wentOffline).map((t) => t.to)).toEqual(['OFFLINE']);
    expect(changes.filter(cameOnline).map((t) => t.to)).toEqual(['ONLINE']);
    expect(changes.filter(quotaExhausted).map((t) => t.region)).toEqual(['smsQuota']);
    expect(changes.filter(statusChanged).map((t) => t.to)).toEqual(['SUSPENDED']);
    expect(changes.filter(becameStale)).toHaveLength(1);
    // SUSPENDED is a SIM state and a status: the region tells them apart.
    expect(changes.filter(transitionTo('sim', 'SUSPENDED')).map((t) => t.region)).toEqual(['sim']);
    expect(changes.filter(transitionTo('activity', 'STALE')).map((t) => t.region)).toEqual(['activity']);
  });

  it('take only the named region’s states, and narrow to that region', () => {
    // @ts-expect-error ONLINE is a connectivity state, not a SIM state
    const wrong = transitionTo('sim', 'ONLINE');
    expect(changes.filter(wrong)).toEqual([]);
    const sim = changes.find((t): t is Extract<FleetTransition, { region: 'sim' }> => t.region === 'sim');
    expectTypeOf(sim?.to).toEqualTypeOf<SimState | undefined>();
    const offline = changes.filter(wentOffline);
    expectTypeOf(offline[0]?.to).toEqualTypeOf<'OFFLINE' | 'ATTACHED' | 'ONLINE' | undefined>();
  });
});
