/**
 * Organisation-only input: what one fleet knows of an organisation, applied to another fleet
 * without any endpoint event.
 *
 * Why it exists: an organisation couples endpoints that may live in different fleets (the
 * partitions of a cluster). Its state is that of the newest event that moved it
 * (`FleetStore.reachOrganisation`: the organisation machine is reset-type), and those events
 * include its members' own events (an accepted session of any member lifts the organisation's
 * block). The fleet that holds the member knows which organisation the event reached (the
 * member's organisation at that event, in (time, id) order); another fleet learns it from a
 * fact: the organisation's newest (time, id) and the state it led to. Taking the newest of
 * every fleet's facts gives, in every fleet, the organisation state one fleet holding every
 * event would have, in any arrival order and with any repeats.
 */
import type { FleetStore } from '../fleet/FleetStore.js';
import { reportDeviceChange, type Transition } from './applyBatch.js';

/** What a fleet knows of one organisation. */
export interface OrganisationFact {
  readonly organisationId: number;
  /** The newest event that set the organisation's state; absent when it only says the organisation exists. */
  readonly newest?: {
    /** The state it led to: a state of the organisation machine (`ACTIVE`, `BLOCKED`). */
    readonly state: string;
    /** Its time, UTC epoch ms. */
    readonly at: number;
    readonly eventId: bigint;
  };
}

/**
 * The fact of organisation index `o` of a fleet: its id and the newest event that set its state.
 *
 * @example
 * readOrganisationFact(fleet, fleet.organisationIndexById.get(18464)!)
 * // { organisationId: 18464, newest: { state: 'ACTIVE', at: 1635292805108, eventId: 137057052900038n } }
 */
export function readOrganisationFact(fleet: FleetStore, o: number): OrganisationFact {
  const organisationId = fleet.organisationIds[o] as number;
  const at = fleet.organisationLastAt[o] as number;
  if (Number.isNaN(at)) return { organisationId };
  const state = fleet.compiled.organisation.states[fleet.organisationState[o] as number] as string;
  const eventId = (BigInt(fleet.organisationLastHi[o] as number) << 32n) | BigInt(fleet.organisationLastLo[o] as number);
  return { organisationId, newest: { state, at, eventId } };
}

/**
 * Applies an organisation-only fact: the organisation becomes known to the fleet (ACTIVE when
 * new), and takes the fact's state when its event is newer than the newest it took — exactly
 * what the event itself would have done to the organisation, without touching any endpoint's
 * own state. Members whose effective block (and so status) changes are reported through
 * `onTransition`, with the fact's time and event id. Returns whether the organisation's state
 * changed. Repeating a fact, or applying facts in any order, gives the same state.
 *
 * @example
 * applyOrganisationFact(fleet, { organisationId: 18464, newest: { state: 'ACTIVE', at: Date.parse('2021-10-27T08:00:00Z'), eventId: 137057052900045n } });
 * fleet.organisationState[fleet.organisationIndexById.get(18464)!] // the ACTIVE code, unless a newer event blocked it
 */
export function applyOrganisationFact(fleet: FleetStore, fact: OrganisationFact, onTransition?: (transition: Transition) => void): boolean {
  const o = fleet.organisationIndexOf(fact.organisationId);
  const newest = fact.newest;
  if (newest === undefined) return false;
  const c = fleet.compiled;
  const target = (c.organisation.states as readonly string[]).indexOf(newest.state);
  if (target < 0) throw new RangeError(`organisation state ${newest.state} is not one of ${c.organisation.states.join(', ')}`);
  if (newest.eventId < 0n || newest.eventId >= 1n << 64n) throw new RangeError(`event id ${newest.eventId} is not a 64-bit unsigned integer`);
  const wasBlocked = fleet.organisationState[o] === c.organisationBlockedState;
  const hi = Number(newest.eventId >> 32n);
  const lo = Number(newest.eventId & 0xffffffffn);
  if (!fleet.reachOrganisation(o, target, newest.at, hi, lo)) return false;
  if (onTransition !== undefined) {
    const blockOf = c.product.codes[c.regions.findIndex((t) => t.region === 'block')] as Uint8Array;
    for (let d = 0; d < fleet.count; d++) {
      if (fleet.organisationIndexOfDevice(d) !== o) continue;
      const state = fleet.stateOf(d);
      // Before the fact the member was blocked by itself or by the organisation as it was.
      reportDeviceChange(fleet, d, state, blockOf[state] === c.blockedState || wasBlocked, newest.at, newest.eventId, onTransition);
    }
  }
  return true;
}
