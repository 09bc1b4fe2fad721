/**
 * The endpoint name in the fleet store: the name of the latest event in (time, id) order
 * whose record said one, whatever the order the events arrive in within a batch; an event
 * without a name (null) leaves it; '' is a name said. The same rule as the IMEI's, and the
 * same answer as the XState machine's.
 */
import { describe, expect, it } from 'vitest';
import { FleetStore } from '../../src/fleet/FleetStore.js';
import { type DeviceEvent, type DeviceEventType, EMPTY_OBSERVATION, type Observation } from '../../src/machine/deviceEvent.js';
import { applyBatch } from '../../src/reducer/applyBatch.js';
import { endpointJson, endpointJsonText } from '../../src/snapshot/endpointJson.js';
import { applyEvents, MachineFleet, sortEvents } from '../reducer/harness.js';

const T0 = Date.parse('2021-10-27T08:00:00.000Z');
const ev = (n: number, type: DeviceEventType, observation: Partial<Observation>, at = T0 + n * 1000): DeviceEvent => ({
  type,
  at,
  eventId: 137_000_000_000_000n + BigInt(n),
  endpointId: 11089066,
  observation: { ...EMPTY_OBSERVATION, ...observation },
});

function nameAfter(events: readonly DeviceEvent[]): string | null | undefined {
  const fleet = new FleetStore();
  applyEvents(fleet, events);
  const machines = new MachineFleet();
  // The specification: the machine, fed in (time, id) order.
  for (const e of sortEvents(events)) machines.send(e);
  const name = fleet.readEndpoint(11089066)?.name;
  expect(machines.endpointState(11089066)?.name).toBe(name);
  machines.stop();
  return name;
}

describe('FleetStore endpoint name', () => {
  it('is the latest said name in (time, id) order, whatever the arrival order in the batch', () => {
    const first = ev(1, 'ATTACH', { name: 'Tracker 1' });
    const renamed = ev(2, 'SESSION_CREATED', { name: 'Tracker 1 (north)' });
    const silent = ev(3, 'SESSION_ENDED', {});
    expect(nameAfter([first, renamed, silent])).toBe('Tracker 1 (north)');
    expect(nameAfter([silent, renamed, first])).toBe('Tracker 1 (north)');
    // Same time: the event id decides.
    const sameTimeLow = ev(4, 'ATTACH', { name: 'low id' }, T0);
    const sameTimeHigh = ev(5, 'ATTACH', { name: 'high id' }, T0);
    expect(nameAfter([sameTimeHigh, sameTimeLow])).toBe('high id');
  });

  it('keeps the name through events that say none, takes an empty one, and is null until one is said', () => {
    expect(nameAfter([ev(1, 'ATTACH', {}), ev(2, 'PURGE', {})])).toBeNull();
    expect(nameAfter([ev(1, 'ATTACH', { name: 'A' }), ev(2, 'PURGE', { name: null })])).toBe('A');
    expect(nameAfter([ev(1, 'ATTACH', { name: 'A' }), ev(2, 'PURGE', { name: '' })])).toBe('');
    // Every event type takes it, like the IMEI: a SIM or quota event names the endpoint as well.
    expect(nameAfter([ev(1, 'DATA_QUOTA_USED_UP', { name: 'Q' }), ev(2, 'SIM_SUSPENDED', { name: 'S' })])).toBe('S');
  });

  it('does not move on a late or duplicate event (the engine re-folds late ones)', () => {
    const fleet = new FleetStore();
    const columns = fleet.createColumns();
    columns.push(ev(2, 'ATTACH', { name: 'current' }));
    applyBatch(fleet, columns);
    columns.clear();
    columns.push(ev(1, 'ATTACH', { name: 'older' }));
    columns.push(ev(2, 'ATTACH', { name: 'current' }));
    const r = applyBatch(fleet, columns);
    expect([r.applied, r.late, r.duplicates]).toEqual([0, 1, 1]);
    expect(fleet.readEndpoint(11089066)?.name).toBe('current');
  });

  it("is the snapshot entry's last field, escaped like every string", () => {
    const fleet = new FleetStore();
    applyEvents(fleet, [ev(1, 'ATTACH', { name: 'Truck "A"\n' })]);
    const state = fleet.readEndpoint(11089066)!;
    const keys = Object.keys(endpointJson(state));
    expect(keys.at(-1)).toBe('name');
    expect(endpointJsonText(state).endsWith(',"name":"Truck \\"A\\"\\n"}')).toBe(true);
  });
});
