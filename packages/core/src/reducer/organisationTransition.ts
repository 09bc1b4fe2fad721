/**
 * An organisation's block or unblock reaching its members, reported once.
 *
 * Why it exists: when an organisation is blocked, every member whose own block is clear
 * changes its effective block (and often its status) at that event. Reported one
 * `Transition` per member, a replay of a fleet whose big organisations block and unblock
 * makes tens of millions of objects and calls for a few thousand events; a writer that
 * stores such a change once (PostgreSQL's `organisation_transitions`) then has to find the
 * groups again. `applyBatch` with `onOrganisationTransition` hands the change over once,
 * with the members as a typed array, ascending by endpoint id; `expandOrganisationTransition`
 * gives back exactly the per-member changes `onTransition` would have reported (the same
 * changes; member by member in endpoint id order, where `onTransition` goes in the fleet's
 * device order).
 */
import type { Transition, TransitionStates } from './applyBatch.js';

/** One change that an organisation's state made to several of its members alike. */
export interface MemberChange<R extends 'block' | 'status'> {
  readonly from: TransitionStates[R];
  readonly to: TransitionStates[R];
  /** The members it reached, ascending by endpoint id. */
  readonly endpointIds: Float64Array;
}

/**
 * An organisation's state change as it reached its members: the effective block of each
 * member whose own block is clear (`block`), and the effective status of those among them
 * whose status follows (`status`: one entry per distinct from/to pair, each a subset of
 * `block.endpointIds` in the same order). The member whose own event moved the
 * organisation is not in it: its changes come through `onTransition`, as every change of
 * one endpoint's own event does.
 */
export interface OrganisationTransition {
  readonly organisationId: number;
  /** Time of the event that changed the organisation, UTC epoch ms. */
  readonly at: number;
  readonly eventId: bigint;
  readonly block: MemberChange<'block'>;
  readonly status: readonly MemberChange<'status'>[];
}

/**
 * The per-member changes of an organisation change, the ones `applyBatch` reports through
 * `onTransition` when no `onOrganisationTransition` is given: member by member, ascending
 * by endpoint id (`onTransition` goes in the fleet's device order), its block first, then
 * its status when that changed.
 *
 * @example
 * applyBatch(fleet, columns, {
 *   onTransition: (t) => out.push(t),
 *   onOrganisationTransition: (change) => out.push(...expandOrganisationTransition(change)),
 * }); // `out` holds what `onTransition` alone would have received, each event's members by endpoint id
 */
export function expandOrganisationTransition(change: OrganisationTransition): Transition[] {
  const { at, eventId, block } = change;
  // Each status group is a subsequence of the block members: walk them in step.
  const next = new Array<number>(change.status.length).fill(0);
  const out: Transition[] = [];
  for (const endpointId of block.endpointIds) {
    out.push({ endpointId, region: 'block', from: block.from, to: block.to, at, eventId });
    for (let g = 0; g < change.status.length; g++) {
      const group = change.status[g] as MemberChange<'status'>;
      const k = next[g] as number;
      if (group.endpointIds[k] !== endpointId) continue;
      next[g] = k + 1;
      out.push({ endpointId, region: 'status', from: group.from, to: group.to, at, eventId });
      break;
    }
  }
  return out;
}
