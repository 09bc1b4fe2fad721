import type { EndpointState, FleetStore, FleetSummary } from '@simfleet/core';
import type { FleetTransition } from './fleetTransition.js';

/** Counts of what a batch (or a whole subscription) did to the fleet. */
export interface BatchCounts {
  /** Events handed to the engine. */
  readonly events: number;
  /** Taken into the state (placed in (time, id) order, also when they arrived late). */
  readonly applied: number;
  /** Copies of an event already taken (same event id): ignored. */
  readonly duplicates: number;
  /** Older than their device's newest event by more than the reorder horizon: not applied, reported. */
  readonly tooLate: number;
  /** Refused (a future timestamp, an id the engine cannot hold): not applied, reported. */
  readonly rejected: number;
}

/** A device as `fleetState` sees it: its statechart state plus the inactivity flag. */
export type EndpointView = EndpointState & {
  /** `true` when the inactivity rule says the device went quiet (always `false` without a rule). */
  readonly stale: boolean;
};

/**
 * What `fleetState` emits after each batch. The counts and `transitions` belong to the
 * batch; the read methods read the live store, so call them when the view is emitted
 * (a later batch changes what they return). To keep a copy, take `summary()` then.
 */
export interface FleetView {
  /** 1-based batch number within the subscription. */
  readonly batchNumber: number;
  readonly batch: BatchCounts;
  /** Counts since the subscription started. */
  readonly totals: BatchCounts;
  /** The event clock: the newest event time accepted so far (UTC ms), `null` before any. */
  readonly eventTime: number | null;
  /** This batch's state changes, in (event time, id) order. */
  readonly transitions: readonly FleetTransition[];
  /** Devices currently stale by the inactivity rule. */
  readonly staleCount: number;
  /** Counts by status, connectivity, operator, country, organisation; totals. */
  summary(): FleetSummary;
  /** One device, or `undefined` if it was never seen. */
  endpoint(endpointId: number): EndpointView | undefined;
  /** Every known endpoint id, ascending. */
  endpointIds(): Float64Array;
  /** The live fleet's store itself, for bulk reads. */
  readonly store: FleetStore;
}
