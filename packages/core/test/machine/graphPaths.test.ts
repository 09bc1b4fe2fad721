/**
 * Every transition of the statecharts is covered by a path from `xstate/graph`, and each
 * path, replayed through the compiled reducer, lands in the same state as the actor.
 *
 * For each region, the traversal identifies a vertex by the transition that reached it
 * (`from --EVENT--> to` in that region), so `getShortestPaths` returns one shortest path
 * ending with each reachable (state, event) pair — every edge of the machine's directed
 * graph (`toDirectedGraph`) must be one of them.
 */
import { createActor } from 'xstate';
import { type DirectedGraphNode, getShortestPaths, toDirectedGraph } from 'xstate/graph';
import { describe, expect, test } from 'vitest';
import { FleetStore } from '../../src/fleet/FleetStore.js';
import { DEVICE_EVENT_TYPES, type DeviceEvent, EMPTY_OBSERVATION } from '../../src/machine/deviceEvent.js';
import { DEVICE_REGIONS, deviceMachine, RECORDER_REGION } from '../../src/machine/deviceMachine.js';
import { endpointStateFromSnapshot } from '../../src/machine/endpointStateFromSnapshot.js';
import { organisationMachine } from '../../src/machine/organisationMachine.js';
import { applyEvents } from '../reducer/harness.js';

const ENDPOINT = 11089066;
const ORG = 12033;

const probe = (type: (typeof DEVICE_EVENT_TYPES)[number]): DeviceEvent => ({
  type,
  at: 0,
  eventId: 0n,
  endpointId: ENDPOINT,
  observation: EMPTY_OBSERVATION,
});
const EVENTS = DEVICE_EVENT_TYPES.map(probe);

/** Path events re-stamped with increasing times and ids, as a real log would have them. */
const stamp = (events: readonly DeviceEvent[], endpointId: number | null, organisationId: number | null): DeviceEvent[] =>
  events.map((e, i) => ({
    ...e,
    at: 1_635_000_000_000 + i * 1000,
    eventId: 137_000_000_000_000n + BigInt(i),
    endpointId,
    observation: { ...EMPTY_OBSERVATION, organisationId },
  }));

const regionValue = (value: unknown, region: string): string => (value as Record<string, string>)[region] as string;

/** `from --EVENT--> to` for every edge of the machine graph under a region node. */
function graphEdges(region: DirectedGraphNode): string[] {
  return region.children.flatMap((state) => state.edges.map((edge) => `${edge.source.key} --${edge.label.text}--> ${edge.target.key}`));
}

describe('xstate/graph paths cover every transition and replay equal through the reducer', () => {
  const graph = toDirectedGraph(deviceMachine);

  test('the machine graph has the expected regions', () => {
    expect(graph.children.map((c) => c.stateNode.key)).toEqual([...DEVICE_REGIONS, RECORDER_REGION]);
    const recorder = graph.children.find((c) => c.stateNode.key === RECORDER_REGION) as DirectedGraphNode;
    expect(graphEdges(recorder)).toEqual(['RECORDING --*--> RECORDING']);
  });

  for (const region of DEVICE_REGIONS) {
    test(`region ${region}`, () => {
      const paths = getShortestPaths(deviceMachine, {
        input: { endpointId: ENDPOINT },
        events: EVENTS,
        serializeEvent: (e) => e.type,
        serializeState: (snapshot, event, previous) =>
          event === undefined || previous === undefined
            ? `start ${regionValue(snapshot.value, region)}`
            : `${regionValue(previous.value, region)} --${event.type}--> ${regionValue(snapshot.value, region)}`,
      });

      // Coverage: every edge of the region's graph ends some path.
      const ends = new Set(
        paths
          .filter((p) => p.steps.length > 1)
          .map((p) => {
            const last = p.steps[p.steps.length - 1] as (typeof p.steps)[number];
            const prev = p.steps[p.steps.length - 2] as (typeof p.steps)[number];
            return `${regionValue(prev.state.value, region)} --${last.event.type}--> ${regionValue(last.state.value, region)}`;
          }),
      );
      const node = graph.children.find((c) => c.stateNode.key === region) as DirectedGraphNode;
      const edges = graphEdges(node);
      expect(edges.length).toBeGreaterThan(0);
      for (const edge of edges) expect(ends, edge).toContain(edge);

      // Replay: each path through an actor and through the reducer.
      for (const path of paths) {
        const events = stamp(
          path.steps.slice(1).map((s) => s.event),
          ENDPOINT,
          ORG,
        );
        const actor = createActor(deviceMachine, { input: { endpointId: ENDPOINT } }).start();
        for (const e of events) actor.send(e);
        const snapshot = actor.getSnapshot();
        expect(regionValue(snapshot.value, region)).toBe(regionValue(path.state.value, region));
        // The organisation actor gets what the device's organisation gets (harness routing).
        const org = createActor(organisationMachine, { input: { organisationId: ORG } }).start();
        for (const e of events) org.send(e);
        const orgBlocked = org.getSnapshot().value === 'BLOCKED';
        const fleet = new FleetStore();
        expect(applyEvents(fleet, events).applied).toBe(events.length);
        expect(fleet.organisationBlocked(ORG)).toBe(orgBlocked);
        if (events.length > 0) expect(fleet.readEndpoint(ENDPOINT)).toEqual(endpointStateFromSnapshot(snapshot, orgBlocked));
        else expect(fleet.endpointCount).toBe(0);
        org.stop();
        actor.stop();
      }
    });
  }

  test('organisation machine: every transition covered, replayed through the reducer', () => {
    const paths = getShortestPaths(organisationMachine, {
      input: { organisationId: ORG },
      events: EVENTS,
      serializeEvent: (e) => e.type,
      serializeState: (snapshot, event, previous) =>
        event === undefined || previous === undefined
          ? `start ${String(snapshot.value)}`
          : `${String(previous.value)} --${event.type}--> ${String(snapshot.value)}`,
    });
    const orgGraph = toDirectedGraph(organisationMachine);
    const ends = new Set(
      paths.map(
        (p) =>
          p.steps.length > 1 && `${String(p.steps[p.steps.length - 2]?.state.value)} --${p.steps[p.steps.length - 1]?.event.type}--> ${String(p.state.value)}`,
      ),
    );
    for (const edge of graphEdges(orgGraph)) expect(ends, edge).toContain(edge);
    expect(graphEdges(orgGraph)).toEqual(['ACTIVE --ORGANISATION_BLOCKED--> BLOCKED', 'BLOCKED --SESSION_CREATED--> ACTIVE']);

    for (const path of paths) {
      // Organisation events without an endpoint reach the organisation they name.
      const events = stamp(
        path.steps.slice(1).map((s) => s.event),
        null,
        ORG,
      );
      const fleet = new FleetStore();
      applyEvents(fleet, events);
      expect(fleet.organisationBlocked(ORG)).toBe(path.state.value === 'BLOCKED');
      // And through a member device: blocked via its organisation.
      const viaDevice = new FleetStore();
      applyEvents(
        viaDevice,
        stamp(
          path.steps.slice(1).map((s) => s.event),
          ENDPOINT,
          ORG,
        ),
      );
      if (events.length > 0) expect(viaDevice.organisationBlocked(ORG)).toBe(path.state.value === 'BLOCKED');
    }
  });
});
