/**
 * One device's lifecycle as fast-check values: a list of raw steps (which event the
 * step would like, how long after the previous one, which record carries it) walked
 * through the statechart into plausible events, then rendered by the simulator's
 * record builder.
 *
 * Why raw steps: fast-check shrinks the list (drops steps, moves values towards their
 * first/smallest choice) and the walk re-derives a plausible lifecycle from whatever
 * is left, so every shrunk value is still a valid lifecycle. A step that wants an
 * event the device cannot plausibly have takes the next plausible event type instead,
 * so dropping an early step changes later events as little as possible. Shrunk steps
 * tend to RECORDED, the event that changes nothing.
 */
import { DEVICE_EVENT_TYPES, type DeviceEventType, type JsonObject } from '@simfleet/core';
import fc from 'fast-check';
import { type DeviceIdentity, deviceIdentity, organisationIdentity } from '../../simulator/identity.js';
import { MESSY_ALL } from '../../simulator/messy.js';
import { OPERATORS } from '../../simulator/operators.js';
import { RecordRenderer, type RecordSpec } from '../../simulator/RecordRenderer.js';
import { parseRecord } from '../../simulator/simulateFleetEvents.js';
import { MachineWalk } from './MachineWalk.js';
import { type RecordChoice, recordChoices } from './recordChoices.js';

/** The salt of every identity the arbitraries draw (identities come from device indexes). */
export const ARBITRARY_SALT = 7;

/** Time of the first event when none is given: 2021-10-27T00:00:00Z, the seeds' day. */
export const DEFAULT_LIFECYCLE_START = Date.UTC(2021, 9, 27);

/** How often a step wants each event type: network events dominate, as in real fleets. */
const WEIGHTS: Partial<Record<DeviceEventType, number>> = {
  RECORDED: 2,
  ATTACH: 8,
  SESSION_CREATED: 8,
  SESSION_ENDED: 7,
  SESSION_REJECTED: 3,
  PURGE: 3,
  SIM_REGISTERED: 4,
  SIM_ACTIVATED: 3,
  SIM_DELETED: 2,
  DATA_QUOTA_ASSIGNED: 3,
  ORGANISATION_BLOCKED: 1,
};

/** What a step asks for, before the walk. */
export interface RawStep {
  readonly wanted: DeviceEventType;
  /** In a lifecycle with a tour, steer towards the tour's next transition instead of `wanted`. */
  readonly steer: boolean;
  /** Only with `invalid`: keep `wanted` even when it is implausible. */
  readonly implausible: boolean;
  /** Milliseconds after the previous step. */
  readonly gap: number;
  /** Which record kind carries the event (index into its choices). */
  readonly pick: number;
  /** Detail values, session ids, roaming. */
  readonly random: number;
  /** Real-record variants (0 = canonical). */
  readonly messy: number;
}

/** One walked step: the event the machine sees and the record that carries it. */
export interface LifecycleStep {
  readonly type: DeviceEventType;
  readonly plausible: boolean;
  readonly choice: RecordChoice;
  readonly at: number;
  readonly spec: Omit<RecordSpec, 'id'>;
}

export interface Lifecycle {
  readonly device: DeviceIdentity;
  readonly steps: readonly LifecycleStep[];
}

/** Options shared by the lifecycle-based arbitraries. */
export interface WalkOptions {
  readonly invalid: boolean;
  readonly variants: boolean;
  readonly unknownTypes: boolean;
}

/** fast-check arbitrary of one raw step. */
export function rawStep(options: WalkOptions): fc.Arbitrary<RawStep> {
  const wanted = fc.oneof(...DEVICE_EVENT_TYPES.map((type) => ({ arbitrary: fc.constant(type), weight: WEIGHTS[type] ?? 2 })));
  return fc.record({
    wanted,
    // Seven steps in eight of a touring lifecycle; shrinks towards not steering.
    steer: fc.nat({ max: 7 }).map((n) => n !== 0),
    // 1 in 8 steps, only when asked; shrinks towards plausible.
    implausible: options.invalid ? fc.nat({ max: 7 }).map((n) => n === 7) : fc.constant(false),
    gap: fc.integer({ min: 1, max: 3_600_000 }),
    pick: fc.nat({ max: 1023 }),
    random: fc.nat({ max: 0xffffffff }),
    messy: options.variants ? fc.oneof({ arbitrary: fc.constant(0), weight: 2 }, { arbitrary: fc.nat({ max: MESSY_ALL }), weight: 1 }) : fc.constant(0),
  });
}

/**
 * A lifecycle's tour: transitions of the machine (indexes into `MachineWalk.edges`) it
 * steers towards, one after the other, along shortest paths in their region. Without a
 * tour (what shrinking goes to) a lifecycle follows its steps' wishes only. Tours make
 * the runs of a property reach every transition — including the ones out of states a
 * device passes only once, like a SIM's ISSUED — without giving up plausibility: every
 * step of a path is a transition of the machine.
 */
export function lifecycleTour(): fc.Arbitrary<number[]> {
  return fc.array(fc.nat({ max: 0xffff }), { maxLength: 16, size: 'max' });
}

/** The identity of device `index` in a fleet of `organisations` organisations. */
export function deviceAt(index: number, organisations: number): DeviceIdentity {
  const org = organisationIdentity(index % Math.max(1, organisations), ARBITRARY_SALT);
  return deviceIdentity(index, org, ARBITRARY_SALT);
}

/**
 * Walks raw steps through the machine: each step becomes its wanted event if that is
 * plausible (or `invalid` allows it), otherwise the nearest plausible one. A walk ends
 * at SIM deletion, the machine's final state, unless `invalid` is set.
 */
export function walkLifecycle(
  device: DeviceIdentity,
  raws: readonly RawStep[],
  start: number,
  options: WalkOptions,
  walk: MachineWalk = new MachineWalk(),
  tour: readonly number[] = [],
): Lifecycle {
  const choices = recordChoices(options.unknownTypes);
  const edges = walk.edges;
  const stops = walk.orderTour(tour);
  let stop = 0;
  const state = walk.initial();
  const steps: LifecycleStep[] = [];
  let at = start;
  let operator = device.homeOperator;
  let sessionA = 0;
  let sessionB = 0;
  let sessionStart = start;
  for (let k = 0; k < raws.length; k++) {
    const raw = raws[k] as RawStep;
    if (walk.deleted(state) && !options.invalid) break;
    const keep = options.invalid && raw.implausible;
    let wanted = raw.wanted;
    while (raw.steer && stop < stops.length) {
      const edge = edges[stops[stop] as number] as (typeof edges)[number];
      const here = walk.stateOf(state, edge.region);
      if (here === edge.from) {
        wanted = edge.type;
        stop++;
        break;
      }
      const step = walk.firstStepTowards(edge.region, here, edge.from);
      if (step === null) {
        stop++; // out of reach from here: on to the next stop
        continue;
      }
      wanted = step;
      break;
    }
    const type = keep ? wanted : walk.nearestPlausible(state, wanted);
    const plausible = walk.plausible(state, type);
    walk.apply(state, type);
    at += raw.gap;
    if (type === 'ATTACH' && raw.random % 8 === 0) operator = (raw.random >>> 3) % OPERATORS.length;
    if (type === 'SESSION_CREATED') {
      sessionA = raw.random;
      sessionB = (Math.imul(raw.random, 0x9e3779b1) ^ raw.pick) >>> 0;
      sessionStart = at;
    }
    const kinds = choices.get(type) ?? [];
    const choice = kinds[raw.pick % kinds.length] as RecordChoice;
    steps.push({
      type,
      plausible,
      choice,
      at,
      spec: {
        typeId: choice.typeId,
        variant: choice.variant,
        at,
        device: choice.organisationLevel ? null : device,
        slot: -1,
        organisation: device.organisation,
        operator,
        sessionA,
        sessionB,
        sessionStart,
        random: raw.random,
        messy: raw.messy,
      },
    });
  }
  return { device, steps };
}

/** Renders specs as records (one renderer per call: it caches timestamps). */
export function renderRecords(specs: readonly RecordSpec[]): JsonObject[] {
  const renderer = new RecordRenderer();
  return specs.map((spec) => parseRecord(renderer.render(spec)));
}

/** 15-digit event ids, increasing with the position in the log. */
export function eventId(base: number, position: number): number {
  return base + position * 7 + 1;
}
