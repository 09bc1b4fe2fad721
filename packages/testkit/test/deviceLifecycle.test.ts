import { type DeviceEvent, getCompiledMachine, type JsonObject } from '@simfleet/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MachineWalk } from '../src/arbitrary/_internals/MachineWalk.js';
import { deviceLifecycle, replayRecords, toDeviceEvents, TransitionCoverage } from '../src/index.js';

/** Replays a device's events through the machine; returns the implausible steps. */
function implausibleSteps(events: readonly DeviceEvent[]): DeviceEvent[] {
  const walk = new MachineWalk();
  const state = walk.initial();
  const bad: DeviceEvent[] = [];
  for (const e of events) {
    if (!walk.plausible(state, e.type)) bad.push(e);
    walk.apply(state, e.type);
  }
  return bad;
}

describe('deviceLifecycle()', () => {
  it('only takes steps the machine allows, about one device, in time order', () => {
    fc.assert(
      fc.property(deviceLifecycle(), (records) => {
        const events = toDeviceEvents(records);
        expect(implausibleSteps(events)).toEqual([]);
        const endpoints = new Set(events.map((e) => e.endpointId).filter((id) => id !== null));
        expect(endpoints.size).toBeLessThanOrEqual(1);
        for (let i = 1; i < events.length; i++) {
          expect(events[i]?.at).toBeGreaterThan(events[i - 1]?.at as number);
          expect(events[i]?.eventId).toBeGreaterThan(events[i - 1]?.eventId as bigint);
        }
        // A deleted SIM ends the lifecycle.
        const deletion = events.findIndex((e) => e.type === 'SIM_DELETED');
        if (deletion >= 0) expect(deletion).toBe(events.length - 1);
      }),
      { numRuns: 150 },
    );
  });

  it('takes implausible steps only when asked, and its records still decode', () => {
    const withInvalid = fc.sample(deviceLifecycle({ invalid: true, variants: true }), { numRuns: 150, seed: 5 });
    const implausible = withInvalid.map((records) => implausibleSteps(toDeviceEvents(records)).length);
    expect(implausible.some((n) => n > 0)).toBe(true);
  });

  it('covers every transition of the machine within the default number of runs', () => {
    const coverage = new TransitionCoverage(getCompiledMachine());
    fc.assert(
      fc.property(deviceLifecycle(), (records) => {
        coverage.add(toDeviceEvents(records));
      }),
      { seed: 20_251_127 },
    );
    expect(coverage.runs).toBe(100);
    expect(coverage.uncovered.map((t) => t.key)).toEqual([]);
    // …and so every state: each one is the target of a covered transition or the initial one.
    const compiled = getCompiledMachine();
    for (const table of [...compiled.regions, compiled.organisation]) {
      const reached = new Set([table.states[0], ...coverage.covered.filter((t) => t.region === table.region).map((t) => t.to)]);
      expect([...reached].sort()).toEqual([...table.states].sort());
    }
  });

  it('gives the same lifecycles for the same seed', () => {
    const a = fc.sample(deviceLifecycle({ variants: true }), { numRuns: 20, seed: 11 });
    const b = fc.sample(deviceLifecycle({ variants: true }), { numRuns: 20, seed: 11 });
    expect(a).toEqual(b);
  });

  it('shrinks a failing lifecycle to the few records that matter', () => {
    const blockedSomewhere = (records: JsonObject[]): boolean => {
      const replay = replayRecords(records);
      return [...replay.fleet.endpointIds()].some((id) => replay.readEndpoint(id)?.blocked === true);
    };
    const result = fc.check(
      fc.property(deviceLifecycle(), (records) => !blockedSomewhere(records)),
      { seed: 4, numRuns: 300 },
    );
    expect(result.failed).toBe(true);
    const [counterexample] = result.counterexample ?? [[]];
    expect(blockedSomewhere(counterexample as JsonObject[])).toBe(true);
    expect((counterexample as JsonObject[]).length).toBeLessThanOrEqual(2);
  });
});
