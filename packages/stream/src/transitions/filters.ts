import type { Transition, TransitionStates } from '@simfleet/core';
import type { ActivityTransition, FleetTransition } from '../fleetTransition.js';

/** The regions a transition can concern. */
export type FleetTransitionRegion = FleetTransition['region'];

/** The state names of each region a fleet transition can concern (the statechart's, and activity's). */
export interface FleetTransitionStates extends TransitionStates {
  readonly activity: ActivityTransition['to'];
}

/**
 * A predicate for transitions into `to` in `region` (any `from`).
 *
 * @example
 * transitions$.pipe(filter(transitionTo('sim', 'SUSPENDED')))
 */
export function transitionTo<R extends FleetTransitionRegion>(region: R, to: FleetTransitionStates[R]): (t: FleetTransition) => boolean {
  return (t) => t.region === region && t.to === to;
}

/**
 * The network lost the device: connectivity went to `OFFLINE` (purge location).
 *
 * @example
 * transitions$.pipe(filter(wentOffline))
 */
export function wentOffline(t: FleetTransition): t is Transition<'connectivity'> {
  return t.region === 'connectivity' && t.to === 'OFFLINE';
}

/**
 * A data session started: connectivity went to `ONLINE`.
 *
 * @example
 * transitions$.pipe(filter(cameOnline))
 */
export function cameOnline(t: FleetTransition): t is Transition<'connectivity'> {
  return t.region === 'connectivity' && t.to === 'ONLINE';
}

/**
 * A data or SMS quota was used up (`EXHAUSTED`).
 *
 * @example
 * transitions$.pipe(filter(quotaExhausted))
 */
export function quotaExhausted(t: FleetTransition): t is Transition<'dataQuota' | 'smsQuota'> {
  return (t.region === 'dataQuota' || t.region === 'smsQuota') && t.to === 'EXHAUSTED';
}

/**
 * The device became blocked: its own block (Endpoint blocked) or its organisation's
 * (Organisation blocked reaches every member device).
 *
 * @example
 * transitions$.pipe(filter(becameBlocked))
 */
export function becameBlocked(t: FleetTransition): t is Transition<'block'> {
  return t.region === 'block' && t.to === 'BLOCKED';
}

/**
 * The effective status changed (DELETED > SUSPENDED > DISABLED > BLOCKED > connectivity).
 *
 * @example
 * transitions$.pipe(filter(statusChanged))
 */
export function statusChanged(t: FleetTransition): t is Transition<'status'> {
  return t.region === 'status';
}

/**
 * The inactivity rule marked a connected device stale.
 *
 * @example
 * transitions$.pipe(filter(becameStale))
 */
export function becameStale(t: FleetTransition): t is ActivityTransition {
  return t.region === 'activity' && t.to === 'STALE';
}
