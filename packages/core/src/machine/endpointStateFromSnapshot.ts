/**
 * The endpoint view of a device machine snapshot — the machine side of the differential
 * test against the compiled reducer (both produce `EndpointState`).
 */
import type { SnapshotFrom } from 'xstate';
import type { DeviceMachine, DeviceRegion } from './deviceMachine.js';
import {
  BLOCK_STATES,
  CONNECTIVITY_STATES,
  DATA_QUOTA_STATES,
  ENDPOINT_STATES,
  type EndpointState,
  endpointStateFromRegions,
  type RegionStates,
  SIM_STATES,
  SMS_QUOTA_STATES,
} from './endpointState.js';

function pick<const T extends readonly string[]>(names: T, value: unknown, region: string): T[number] {
  const found = names.find((n) => n === value);
  if (found === undefined) throw new RangeError(`device snapshot: region ${region} is in unknown state ${String(value)}`);
  return found;
}

/**
 * Region states of a device snapshot, by region.
 *
 * @example
 * regionStatesOfSnapshot(actor.getSnapshot()).connectivity // 'OFFLINE'
 */
export function regionStatesOfSnapshot(snapshot: SnapshotFrom<DeviceMachine>): RegionStates {
  const value = snapshot.value as Readonly<Record<string, unknown>>;
  const of = <const T extends readonly string[]>(names: T, region: DeviceRegion): T[number] => pick(names, value[region], region);
  return {
    connectivity: of(CONNECTIVITY_STATES, 'connectivity'),
    sim: of(SIM_STATES, 'sim'),
    endpoint: of(ENDPOINT_STATES, 'endpoint'),
    block: of(BLOCK_STATES, 'block'),
    dataQuota: of(DATA_QUOTA_STATES, 'dataQuota'),
    smsQuota: of(SMS_QUOTA_STATES, 'smsQuota'),
  };
}

/**
 * The endpoint view of a device machine snapshot; `organisationBlocked` tells whether the
 * device's current organisation is blocked (the organisation block is fleet-level).
 *
 * @example
 * const actor = createActor(deviceMachine, { input: { endpointId: 7 } }).start();
 * endpointStateFromSnapshot(actor.getSnapshot(), false).status // 'OFFLINE'
 */
export function endpointStateFromSnapshot(snapshot: SnapshotFrom<DeviceMachine>, organisationBlocked: boolean): EndpointState {
  return endpointStateFromRegions(regionStatesOfSnapshot(snapshot), snapshot.context, organisationBlocked);
}
