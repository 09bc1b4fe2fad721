/**
 * Test harness: the same events through XState actors (the specification) and through
 * the compiled reducer (the hot path), read back as `EndpointState`s.
 */
import { type Actor, createActor } from 'xstate';
import { FleetStore } from '../../src/fleet/FleetStore.js';
import type { DeviceEvent } from '../../src/machine/deviceEvent.js';
import { type DeviceMachine, deviceMachine } from '../../src/machine/deviceMachine.js';
import type { EndpointState } from '../../src/machine/endpointState.js';
import { endpointStateFromSnapshot } from '../../src/machine/endpointStateFromSnapshot.js';
import { type OrganisationMachine, organisationMachine } from '../../src/machine/organisationMachine.js';
import { applyBatch, type BatchResult, type Transition } from '../../src/reducer/applyBatch.js';

export type Outcome = 'applied' | 'duplicate' | 'late';

/** Sign of (a.at, a.eventId) − (b.at, b.eventId). */
export function compareEvents(a: DeviceEvent, b: DeviceEvent): number {
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  if (a.eventId !== b.eventId) return a.eventId < b.eventId ? -1 : 1;
  return 0;
}

/** A stable sort by (at, eventId). */
export const sortEvents = (events: readonly DeviceEvent[]): DeviceEvent[] => [...events].sort(compareEvents);

/**
 * One XState actor per endpoint and one organisation actor per organisation, fed events in
 * the order given. Routing: an endpoint's event goes to its actor, then to the actor of the
 * endpoint's (updated) organisation; an event without endpoint goes to the organisation it
 * names. Duplicates/late events are detected against the device's (or, without endpoint,
 * the fleet's) last applied (at, eventId) and not sent.
 */
export class MachineFleet {
  readonly devices = new Map<number, Actor<DeviceMachine>>();
  readonly organisations = new Map<number, Actor<OrganisationMachine>>();
  fleetLast: DeviceEvent | null = null;
  fleetEvents = 0;
  applied = 0;
  duplicates = 0;
  late = 0;

  #organisation(id: number): Actor<OrganisationMachine> {
    let actor = this.organisations.get(id);
    if (actor === undefined) {
      actor = createActor(organisationMachine, { input: { organisationId: id } }).start();
      this.organisations.set(id, actor);
    }
    return actor;
  }

  #count(outcome: Outcome): Outcome {
    if (outcome === 'applied') this.applied++;
    else if (outcome === 'duplicate') this.duplicates++;
    else this.late++;
    return outcome;
  }

  send(event: DeviceEvent): Outcome {
    if (event.endpointId === null) {
      if (this.fleetLast !== null) {
        const cmp = compareEvents(event, this.fleetLast);
        if (cmp <= 0) return this.#count(cmp === 0 ? 'duplicate' : 'late');
      }
      this.fleetLast = event;
      if (event.observation.organisationId !== null) this.#organisation(event.observation.organisationId).send(event);
      this.fleetEvents++;
      return this.#count('applied');
    }
    let actor = this.devices.get(event.endpointId);
    if (actor === undefined) {
      actor = createActor(deviceMachine, { input: { endpointId: event.endpointId } }).start();
      this.devices.set(event.endpointId, actor);
    } else {
      const { lastEventAt, lastEventId } = actor.getSnapshot().context;
      if (lastEventAt !== null && lastEventId !== null) {
        const cmp = compareEvents(event, { ...event, at: lastEventAt, eventId: lastEventId });
        if (cmp <= 0) return this.#count(cmp === 0 ? 'duplicate' : 'late');
      }
    }
    actor.send(event);
    const org = actor.getSnapshot().context.organisationId;
    if (org !== null) this.#organisation(org).send(event);
    return this.#count('applied');
  }

  organisationBlocked(id: number | null): boolean {
    if (id === null) return false;
    return this.organisations.get(id)?.getSnapshot().value === 'BLOCKED';
  }

  endpointState(endpointId: number): EndpointState | undefined {
    const actor = this.devices.get(endpointId);
    if (actor === undefined) return undefined;
    const snapshot = actor.getSnapshot();
    return endpointStateFromSnapshot(snapshot, this.organisationBlocked(snapshot.context.organisationId));
  }

  endpointStates(): EndpointState[] {
    return [...this.devices.keys()].sort((a, b) => a - b).map((id) => this.endpointState(id) as EndpointState);
  }

  stop(): void {
    for (const a of this.devices.values()) a.stop();
    for (const a of this.organisations.values()) a.stop();
  }
}

/** Feeds events to a fresh machine fleet in the order given. */
export function runMachines(events: readonly DeviceEvent[]): MachineFleet {
  const fleet = new MachineFleet();
  for (const e of events) fleet.send(e);
  return fleet;
}

/** Pushes events into fresh columns of `fleet` and applies them as one batch. */
export function applyEvents(
  fleet: FleetStore,
  events: readonly DeviceEvent[],
  options: { status?: Uint8Array; onTransition?: (t: Transition) => void } = {},
): BatchResult {
  const columns = fleet.createColumns(1); // tiny on purpose: exercises growth
  for (const e of events) {
    const r = columns.push(e);
    if (!r.ok) throw r.error;
  }
  return applyBatch(fleet, columns, options);
}

/** Applies `batches` one after the other to a fresh store. */
export function runReducer(...batches: readonly (readonly DeviceEvent[])[]): FleetStore {
  const fleet = new FleetStore({ capacity: 2 });
  for (const b of batches) applyEvents(fleet, b);
  return fleet;
}

/** Every endpoint's state in a store, by ascending endpoint id. */
export function storeStates(fleet: FleetStore): EndpointState[] {
  return [...fleet.endpointIds()].map((id) => fleet.readEndpoint(id) as EndpointState);
}
