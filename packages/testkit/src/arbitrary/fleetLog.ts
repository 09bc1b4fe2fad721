import type { JsonObject } from '@simfleet/core';
import fc from 'fast-check';
import { DEFAULT_LIFECYCLE_START, deviceAt, eventId, lifecycleTour, rawStep, renderRecords, type WalkOptions, walkLifecycle } from './_internals/lifecycles.js';
import { MachineWalk } from './_internals/MachineWalk.js';

/** How a delivered log departs from time order. */
export interface FleetLogDisorder {
  /** Deliver the records in an arbitrary order. */
  readonly shuffle?: boolean;
  /** Deliver some records twice (same id: at-least-once delivery); the copy comes later. */
  readonly duplicates?: boolean;
  /** Deliver some records after later ones (unordered delivery). */
  readonly late?: boolean;
  /**
   * Deliver the log as a poller of emnify's Event API sees it: pages of consecutive
   * records, each page newest first, pages oldest first.
   */
  readonly newestFirstPages?: boolean;
}

/** Options of `fleetLog`. */
export interface FleetLogOptions {
  /** Most devices (default 5); each walks its own lifecycle. */
  readonly devices?: number;
  /** Most records in the log, duplicates not counted (default 80). */
  readonly events?: number;
  /** Departures from time order (default none; `true`: all of them). */
  readonly disorder?: boolean | FleetLogDisorder;
  /** Organisations the devices belong to (default 2). */
  readonly organisations?: number;
  /** Also implausible steps (see `deviceLifecycle`; default false). */
  readonly invalid?: boolean;
  /** Real-record variants (default false). */
  readonly variants?: boolean;
  /** RECORDED steps may use ids the catalog does not know (default false). */
  readonly unknownTypes?: boolean;
  /** Time of the first event, UTC ms (default 2021-10-27T00:00:00Z). */
  readonly startAt?: number;
}

interface DisorderPlan {
  readonly duplicates: readonly { readonly of: number; readonly after: number }[];
  readonly late: readonly { readonly of: number; readonly by: number }[];
  readonly shuffle: readonly number[];
  readonly pageSize: number;
}

function disorderPlan(disorder: boolean | FleetLogDisorder | undefined, events: number): fc.Arbitrary<DisorderPlan> {
  const d: FleetLogDisorder = disorder === true ? { shuffle: true, duplicates: true, late: true, newestFirstPages: true } : disorder || {};
  const none = fc.constant([]);
  return fc.record({
    duplicates: d.duplicates ? fc.array(fc.record({ of: fc.nat(), after: fc.nat({ max: 20 }) }), { maxLength: Math.max(1, events >> 2) }) : none,
    late: d.late ? fc.array(fc.record({ of: fc.nat(), by: fc.integer({ min: 1, max: 30 }) }), { maxLength: Math.max(1, events >> 2) }) : none,
    // Sort keys: all zero (what shrinking goes to) keeps the order.
    shuffle: d.shuffle ? fc.array(fc.nat({ max: 1000 }), { maxLength: events, size: 'max' }) : none,
    pageSize: d.newestFirstPages ? fc.integer({ min: 1, max: 25 }) : fc.constant(0),
  });
}

function applyDisorder(records: JsonObject[], plan: DisorderPlan): JsonObject[] {
  const out = [...records];
  const n = records.length;
  if (n === 0) return out;
  for (const { of, after } of plan.duplicates) {
    const original = records[of % n] as JsonObject;
    const at = Math.min(out.length, out.indexOf(original) + 1 + after);
    out.splice(at, 0, structuredClone(original));
  }
  for (const { of, by } of plan.late) {
    const i = of % out.length;
    const [record] = out.splice(i, 1);
    out.splice(Math.min(out.length, i + by), 0, record as JsonObject);
  }
  if (plan.shuffle.length > 0) {
    const keys = plan.shuffle;
    const order = out.map((record, i) => ({ record, i, key: keys[i % keys.length] as number }));
    order.sort((a, b) => a.key - b.key || a.i - b.i);
    out.splice(0, out.length, ...order.map((o) => o.record));
  }
  if (plan.pageSize > 0) {
    const pages: JsonObject[] = [];
    for (let p = 0; p < out.length; p += plan.pageSize) pages.push(...out.slice(p, p + plan.pageSize).reverse());
    return pages;
  }
  return out;
}

/**
 * A fleet's log: the lifecycles of several devices (see `deviceLifecycle`),
 * interleaved by time, with unique increasing event ids — then, if asked, delivered
 * with the disorder real streams show: shuffled, duplicated ids, late events,
 * newest-first pages.
 *
 * @remarks Shrinks towards fewer devices, fewer events and less disorder, so a failing
 * log comes back as the few records that matter.
 *
 * @example
 * fc.assert(fc.property(fleetLog({ devices: 3, events: 40, disorder: true }), (records) => {
 *   // replaying in any delivery order gives the state of the time-ordered log
 * }));
 */
export function fleetLog(options: FleetLogOptions = {}): fc.Arbitrary<JsonObject[]> {
  const maxDevices = Math.max(1, options.devices ?? 5);
  const maxEvents = Math.max(1, options.events ?? 80);
  const organisations = options.organisations ?? 2;
  const start = options.startAt ?? DEFAULT_LIFECYCLE_START;
  const walkOptions: WalkOptions = {
    invalid: options.invalid ?? false,
    variants: options.variants ?? false,
    unknownTypes: options.unknownTypes ?? false,
  };
  const walk = new MachineWalk();
  const perDevice = Math.max(1, Math.ceil(maxEvents / maxDevices));
  const lifecycle = fc.record({
    tour: lifecycleTour(),
    raws: fc.array(rawStep(walkOptions), { minLength: 1, maxLength: perDevice }),
    // Devices start at different times: their events interleave.
    offset: fc.nat({ max: 3_600_000 }),
  });
  return fc
    .record({
      lifecycles: fc.array(lifecycle, { minLength: 1, maxLength: maxDevices }),
      baseId: fc.integer({ min: 100_000_000_000_000, max: 800_000_000_000_000 }),
      plan: disorderPlan(options.disorder, maxEvents),
    })
    .map(({ lifecycles, baseId, plan }) => {
      const steps = lifecycles.flatMap((l, device) =>
        walkLifecycle(deviceAt(device, organisations), l.raws, start + l.offset, walkOptions, walk, l.tour).steps.map((step, k) => ({ step, device, k })),
      );
      steps.sort((a, b) => a.step.at - b.step.at || a.device - b.device || a.k - b.k);
      const specs = steps.slice(0, maxEvents).map((s, i) => ({ ...s.step.spec, id: eventId(baseId, i) }));
      return applyDisorder(renderRecords(specs), plan);
    });
}
