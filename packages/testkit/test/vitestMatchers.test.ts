import '../src/vitest/index.js';
import { EMPTY_OBSERVATION, type JsonObject } from '@simfleet/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deviceLifecycle, replayRecords, toDeviceEvents } from '../src/index.js';

/** A lifecycle that attaches, opens a session, and ends it. */
function attachedDevice(): { records: JsonObject[]; endpointId: number } {
  for (const records of fc.sample(deviceLifecycle({ maxEvents: 30 }), { numRuns: 500, seed: 1 })) {
    const replay = replayRecords(records);
    const [id] = replay.fleet.endpointIds();
    if (id !== undefined && replay.readEndpoint(id)?.status === 'ATTACHED' && (replay.readEndpoint(id)?.sessions ?? 0) > 0) {
      return { records, endpointId: id };
    }
  }
  throw new Error('no sample attached');
}

describe('vitest matchers', () => {
  const { records, endpointId } = attachedDevice();

  it('toHaveDevice: passes on the state, fails with the timeline', () => {
    const replay = replayRecords(records);
    expect(replay).toHaveDevice(endpointId, { status: 'ATTACHED', connectivity: 'ATTACHED' });
    expect(replay.fleet).toHaveDevice(endpointId);
    expect(replay).not.toHaveDevice(endpointId, { status: 'DELETED' });
    expect(replay).not.toHaveDevice(1);
    expect(() => expect(replay).toHaveDevice(endpointId, { status: 'DELETED' })).toThrow(
      new RegExp(`Timeline of endpoint ${endpointId}:[\\s\\S]*SESSION_CREATED[\\s\\S]*connectivity [A-Z]+→ONLINE`),
    );
    expect(() => expect(replay).toHaveDevice(1, { status: 'ONLINE' })).toThrow(/no event named it/);
    expect(() => expect({}).toHaveDevice(1)).toThrow(/expects a FleetStore/);
  });

  it('toLeadTo: replays raw records, decoded or device events', () => {
    expect(records).toLeadTo({ connectivity: 'ATTACHED' });
    expect(toDeviceEvents(records)).toLeadTo({ connectivity: 'ATTACHED' }, endpointId);
    expect(records).not.toLeadTo({ connectivity: 'ONLINE' });
    expect(() => expect(records).toLeadTo({ connectivity: 'OFFLINE' })).toThrow(/Timeline of endpoint/);
  });

  it('toLeadTo: asks which endpoint when the events name several', () => {
    const event = (endpointId: number, eventId: bigint) => ({
      type: 'ATTACH' as const,
      at: 1,
      eventId,
      endpointId,
      observation: EMPTY_OBSERVATION,
    });
    const two = [event(1, 1n), event(2, 2n)];
    expect(() => expect(two).toLeadTo({ connectivity: 'ATTACHED' })).toThrow(/name 2 endpoints/);
    expect(two).toLeadTo({ connectivity: 'ATTACHED', attaches: 1 }, 2);
    expect(() => expect([{ nonsense: true }]).toLeadTo({})).toThrow(/could not replay/);
  });

  it('the timeline marks duplicates and late events', () => {
    const replay = replayRecords([...records, records[0] as JsonObject]);
    const timeline = replay.timeline(endpointId);
    expect(timeline.some((e) => e.outcome === 'duplicate')).toBe(true);
    expect(() => expect(replay).toHaveDevice(endpointId, { sessions: -1 })).toThrow(/ignored: duplicate/);
  });
});
