/**
 * An alerting rule of the kind teams build on simfleet's device state: alert when a
 * device goes OFFLINE while its data quota is ACTIVE — it has paid-for data it cannot
 * use, which usually means a dead battery, a broken modem or lost coverage, not a
 * billing problem.
 *
 * The rule listens to the engine's transitions (`applyBatch`'s `onTransition`), so it
 * sees every change in event-time order, whatever order the records arrived in.
 */
import { applyBatch, classifyEvent, decodeEvent, FleetStore } from '@simfleet/core';

/** One alert. */
export interface Alert {
  readonly endpointId: number;
  /** When the device went offline (event time, UTC ms). */
  readonly at: number;
  /** The event that took it offline. */
  readonly eventId: bigint;
  readonly rule: 'OFFLINE_WITH_ACTIVE_DATA_QUOTA';
}

/** What one batch produced: the alerts, and the records that were not events. */
export interface AlertBatch {
  readonly alerts: readonly Alert[];
  /** Indexes of records that did not decode (a real service would report them). */
  readonly rejected: readonly number[];
}

/**
 * Feeds a batch of emnify records to the fleet and returns the alerts they raise.
 * Call it again with later batches on the same fleet: duplicates and late events are
 * ignored by the engine, so redelivered records raise nothing twice.
 *
 * @example
 * const fleet = new FleetStore();
 * const { alerts } = alertOnOfflineWithActiveQuota(fleet, records);
 * for (const a of alerts) console.log(`endpoint ${a.endpointId} went offline with an active quota`);
 */
export function alertOnOfflineWithActiveQuota(fleet: FleetStore, records: readonly unknown[]): AlertBatch {
  const columns = fleet.createColumns(Math.max(16, records.length));
  const rejected: number[] = [];
  records.forEach((record, i) => {
    const decoded = decodeEvent(record);
    if (!decoded.ok || !columns.push(classifyEvent(decoded.value)).ok) rejected.push(i);
  });
  const alerts: Alert[] = [];
  applyBatch(fleet, columns, {
    onTransition: (t) => {
      if (t.region !== 'connectivity' || t.to !== 'OFFLINE') return;
      // The callback runs right after the event applied: the quota is the one the device
      // had when it went offline (going offline never changes the quota).
      if (fleet.readEndpoint(t.endpointId)?.dataQuota === 'ACTIVE') {
        alerts.push({ endpointId: t.endpointId, at: t.at, eventId: t.eventId, rule: 'OFFLINE_WITH_ACTIVE_DATA_QUOTA' });
      }
    },
  });
  return { alerts, rejected };
}

/** A fresh fleet to alert on. */
export function newFleet(): FleetStore {
  return new FleetStore();
}
