import type { JsonObject } from '@simfleet/core';
import fc from 'fast-check';
import {
  DEFAULT_LIFECYCLE_START,
  deviceAt,
  eventId,
  type Lifecycle,
  lifecycleTour,
  rawStep,
  renderRecords,
  type WalkOptions,
  walkLifecycle,
} from './_internals/lifecycles.js';
import { MachineWalk } from './_internals/MachineWalk.js';

/** Options of `deviceLifecycle`. */
export interface DeviceLifecycleOptions {
  /** Fewest events (default 1). A walk may end earlier when the SIM is deleted. */
  readonly minEvents?: number;
  /** Most events (default 40). */
  readonly maxEvents?: number;
  /**
   * Also draw implausible steps — a session ended while offline, events after the
   * SIM's deletion, a purge of an offline device (default false). Each record is still
   * valid emnify JSON; only the sequence is implausible.
   */
  readonly invalid?: boolean;
  /** Mix in real-record variants (+0000 offsets, nulls, string details…; default false). */
  readonly variants?: boolean;
  /** Let RECORDED steps use type ids the catalog does not know (default false). */
  readonly unknownTypes?: boolean;
  /** Device index (default: drawn from 0–9999); endpoint, SIM and IMSI derive from it. */
  readonly device?: number;
  /** Organisations the device index is spread over (default 3). */
  readonly organisations?: number;
  /** Time of the first event, UTC ms (default 2021-10-27T00:00:00Z). */
  readonly startAt?: number;
}

/**
 * One device's plausible history as emnify records, oldest first, produced by walking
 * the device statechart: attach, sessions created and deleted (a Delete repeats its
 * Create's `session_id`), purges, rejections with their reasons, blocks and unblocks,
 * quota threshold / exhaustion / expiry, SIM suspension and deletion. The walk uses
 * the machine's compiled tables, so every step is one the machine takes — see
 * `MachineWalk.plausible` for the rule — and runs reach every state and transition.
 *
 * @remarks Shrinks to fewer, simpler steps that are still a plausible lifecycle.
 *
 * @example
 * fc.assert(fc.property(deviceLifecycle(), (records) => {
 *   const fleet = replayRecords(records).fleet;
 *   expect(fleet.endpointCount).toBeLessThanOrEqual(1);
 * }));
 */
export function deviceLifecycle(options: DeviceLifecycleOptions = {}): fc.Arbitrary<JsonObject[]> {
  return lifecycleWalks(options).map(({ lifecycle, baseId }) => renderRecords(lifecycle.steps.map((step, i) => ({ ...step.spec, id: eventId(baseId, i) }))));
}

/** The walked lifecycle behind `deviceLifecycle` (steps with their machine events), and its first id. */
export function lifecycleWalks(options: DeviceLifecycleOptions = {}): fc.Arbitrary<{ lifecycle: Lifecycle; baseId: number }> {
  const walkOptions: WalkOptions = {
    invalid: options.invalid ?? false,
    variants: options.variants ?? false,
    unknownTypes: options.unknownTypes ?? false,
  };
  const walk = new MachineWalk();
  const organisations = options.organisations ?? 3;
  return fc
    .record({
      device: options.device === undefined ? fc.nat({ max: 9999 }) : fc.constant(options.device),
      tour: lifecycleTour(),
      raws: fc.array(rawStep(walkOptions), {
        minLength: options.minEvents ?? 1,
        maxLength: options.maxEvents ?? 40,
        size: 'max',
      }),
      baseId: fc.integer({ min: 100_000_000_000_000, max: 800_000_000_000_000 }),
    })
    .map(({ device, tour, raws, baseId }) => ({
      lifecycle: walkLifecycle(deviceAt(device, organisations), raws, options.startAt ?? DEFAULT_LIFECYCLE_START, walkOptions, walk, tour),
      baseId,
    }));
}
