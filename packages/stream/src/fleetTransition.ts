import type { Transition } from '@simfleet/core';

/**
 * A device went quiet (`STALE`) or spoke again (`ACTIVE`), by the event-time
 * inactivity rule of `fleetState` (see `InactivityRule`).
 */
export interface ActivityTransition {
  readonly endpointId: number;
  readonly region: 'activity';
  readonly from: 'ACTIVE' | 'STALE';
  readonly to: 'ACTIVE' | 'STALE';
  /** Event time of the change: for `STALE`, the last event's time plus the rule's duration. */
  readonly at: number;
  /** For `STALE`, the device's last event; for `ACTIVE`, the event that woke it. */
  readonly eventId: bigint;
}

/** A state change of one device: a region of the statechart (from `applyBatch`) or its activity. */
export type FleetTransition = Transition | ActivityTransition;
