import { type DeviceEvent, type DeviceEventType, EMPTY_OBSERVATION, getCompiledMachine } from '@simfleet/core';
import { describe, expect, it } from 'vitest';
import { TransitionCoverage, transitionCoverage } from '../src/index.js';

let nextId = 1n;
const ev = (type: DeviceEventType, at: number, endpointId: number | null = 7, organisationId: number | null = 42): DeviceEvent => ({
  type,
  at,
  eventId: nextId++,
  endpointId,
  observation: { ...EMPTY_OBSERVATION, organisationId },
});

describe('transitionCoverage()', () => {
  it('lists every transition of the compiled machine, derived from its tables', () => {
    const compiled = getCompiledMachine();
    const coverage = new TransitionCoverage(compiled);
    let expected = 0;
    for (const table of [...compiled.regions, compiled.organisation]) {
      for (let s = 0; s < table.states.length; s++) {
        for (let e = 0; e < compiled.eventCount; e++) if (table.next[s * compiled.eventCount + e] !== s) expected++;
      }
    }
    expect(coverage.transitions).toHaveLength(expected);
    expect(new Set(coverage.transitions.map((t) => t.key)).size).toBe(expected);
    expect(coverage.transitions.map((t) => t.key)).toContain('connectivity: OFFLINE --ATTACH--> ATTACHED');
    expect(coverage.transitions.map((t) => t.key)).toContain('organisation: ACTIVE --ORGANISATION_BLOCKED--> BLOCKED');
    expect(coverage.covered).toEqual([]);
    expect(coverage.ratio).toBe(0);
  });

  it('counts the transitions a run takes, in time order, ignoring repeats and late events', () => {
    const attach = ev('ATTACH', 10);
    const run = [
      ev('SESSION_ENDED', 30), // arrives first but happens after the session started
      ev('SESSION_CREATED', 20),
      attach,
      { ...attach }, // a duplicate
      ev('ORGANISATION_BLOCKED', 40, null),
    ];
    const coverage = transitionCoverage(getCompiledMachine(), [run]);
    expect(coverage.covered.map((t) => t.key).sort()).toEqual(
      [
        'connectivity: OFFLINE --ATTACH--> ATTACHED',
        'connectivity: ATTACHED --SESSION_CREATED--> ONLINE',
        'connectivity: ONLINE --SESSION_ENDED--> ATTACHED',
        'organisation: ACTIVE --ORGANISATION_BLOCKED--> BLOCKED',
      ].sort(),
    );
    expect(coverage.timesTaken('connectivity: OFFLINE --ATTACH--> ATTACHED')).toBe(1);
    expect(coverage.uncovered.length).toBe(coverage.transitions.length - 4);
    expect(coverage.report()).toMatch(/^4\/\d+ transitions/);
  });

  it('starts each run from the initial state and accumulates across runs', () => {
    const coverage = new TransitionCoverage();
    coverage.add([ev('ATTACH', 1)]).add([ev('ATTACH', 1)]);
    expect(coverage.runs).toBe(2);
    expect(coverage.timesTaken('connectivity: OFFLINE --ATTACH--> ATTACHED')).toBe(2);
    // An organisation reached through a device's session.
    coverage.add([ev('ORGANISATION_BLOCKED', 1, null), ev('SESSION_CREATED', 2)]);
    expect(coverage.timesTaken('organisation: BLOCKED --SESSION_CREATED--> ACTIVE')).toBe(1);
  });
});
