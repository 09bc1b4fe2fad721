/**
 * Compiles the device and organisation statecharts into dense typed-array tables for the
 * batched reducer.
 *
 * Nothing here knows a rule. For each region, a breadth-first search from the region's
 * initial state asks XState's pure API — `machine.resolveState({ value, context })` then
 * `transition(machine, snapshot, event)` — where every `DeviceEventType` leads, and writes
 * the answer into `next[state * EVENT_COUNT + event]`. The context rules (which event types
 * count, which observation fields an event type may set) are read the same way: one probe
 * event per type with every observation field filled, and the context diffed.
 *
 * Regions are compiled one at a time, the other regions held at their initial states. That
 * is exact because the machine has no guards that look across regions (the only guard,
 * `isDeviceEvent`, is the recorder's); `test/reducer/compileMachine.test.ts` checks it by
 * comparing the tables with the machine from random full snapshots.
 *
 * Compiling costs ~1000 pure transitions (tens of milliseconds); `getCompiledMachine()`
 * does it once per process.
 */
import { type AnyStateMachine, initialTransition, transition } from 'xstate';
import { REJECTION_REASON_CODES } from '../catalog/rejectionReasons.js';
import { DEVICE_EVENT_TYPES, type DeviceEvent, type DeviceEventType, type Observation } from '../machine/deviceEvent.js';
import { type DeviceContext, DEVICE_REGIONS, type DeviceRegion, deviceMachine } from '../machine/deviceMachine.js';
import {
  BLOCK_STATES,
  type BlockState,
  CONNECTIVITY_STATES,
  type Connectivity,
  DATA_QUOTA_STATES,
  type DataQuotaState,
  ENDPOINT_STATES,
  ENDPOINT_STATUSES,
  type EndpointRegionState,
  effectiveStatus,
  ORGANISATION_STATES,
  type OrganisationState,
  type RegionStates,
  SIM_STATES,
  type SimState,
  SMS_QUOTA_STATES,
  type SmsQuotaState,
} from '../machine/endpointState.js';
import { organisationMachine } from '../machine/organisationMachine.js';
import { compileProductTable, type ProductTable } from './productTable.js';
import type { RegionTable } from './RegionTable.js';

export type { RegionTable } from './RegionTable.js';

/** Number of device event types: the row width of every table. */
export const EVENT_COUNT: number = DEVICE_EVENT_TYPES.length;

const EVENT_CODES: ReadonlyMap<DeviceEventType, number> = new Map(DEVICE_EVENT_TYPES.map((t, i) => [t, i]));

/**
 * The column code of an event type (its index in `DEVICE_EVENT_TYPES`).
 *
 * @example
 * DEVICE_EVENT_TYPES[eventCode('PURGE')] // 'PURGE'
 */
export function eventCode(type: DeviceEventType): number {
  const code = EVENT_CODES.get(type);
  if (code === undefined) throw new RangeError(`not a device event type: ${type}`);
  return code;
}

/** Observation fields, as named in `Observation`. */
export type ObservationField = keyof Observation;

/** The observation fields, in a fixed order. */
export const OBSERVATION_FIELDS: readonly ObservationField[] = [
  'organisationId',
  'simId',
  'iccid',
  'imsi',
  'imei',
  'ipAddress',
  'operator',
  'ratType',
  'apn',
  'rejectionReason',
  'name',
];

/** The context field an observation field feeds. */
const CONTEXT_FIELD: Readonly<Record<ObservationField, keyof DeviceContext>> = {
  organisationId: 'organisationId',
  simId: 'simId',
  iccid: 'iccid',
  imsi: 'imsi',
  imei: 'imei',
  ipAddress: 'ipAddress',
  operator: 'operator',
  ratType: 'ratType',
  apn: 'apn',
  rejectionReason: 'lastRejectionReason',
  name: 'name',
};

/** The counters of the device context. */
export type CounterField = 'attaches' | 'sessions' | 'rejections';

/** A compiled device region: its name and state names typed together (`RegionStates`). */
export type DeviceRegionTable = { readonly [R in DeviceRegion]: RegionTable<R, RegionStates[R]> }[DeviceRegion];

/** The machine, compiled. */
export interface CompiledMachine {
  readonly eventTypes: readonly DeviceEventType[];
  readonly eventCount: number;
  readonly connectivity: RegionTable<'connectivity', Connectivity>;
  readonly sim: RegionTable<'sim', SimState>;
  readonly endpoint: RegionTable<'endpoint', EndpointRegionState>;
  readonly block: RegionTable<'block', BlockState>;
  readonly dataQuota: RegionTable<'dataQuota', DataQuotaState>;
  readonly smsQuota: RegionTable<'smsQuota', SmsQuotaState>;
  /** The device regions in `DEVICE_REGIONS` order. */
  readonly regions: readonly DeviceRegionTable[];
  /** The device regions multiplied out: the reducer's one-lookup state vector (productTable.ts). */
  readonly product: ProductTable;
  /**
   * Effective status by `product * 2 + blocked` (the `status` table re-indexed by product
   * code; `blocked` is the effective block: the device's own or its organisation's).
   */
  readonly productStatus: Uint8Array;
  /** The organisation machine (its root is the one region). */
  readonly organisation: RegionTable<'organisation', OrganisationState>;
  /**
   * `organisationTarget[eventCode]`: the organisation state that event type moves every
   * organisation to, or -1 when it moves none. The organisation machine is *reset-type*:
   * each event type either leaves every state as it is or leads to one fixed state, so an
   * organisation's state is the target of its newest such event, whatever the order in which
   * its events arrive (`compileMachine` checks this, and refuses a machine without it).
   */
  readonly organisationTarget: Int8Array;
  /** `takes[field][eventCode]` is 1 when that event type sets the field from a non-null observation. */
  readonly takes: Readonly<Record<ObservationField, Uint8Array>>;
  /** `counts[counter][eventCode]`: how much that event type adds to the counter. */
  readonly counts: Readonly<Record<CounterField, Uint8Array>>;
  /** Code of BLOCKED in the `block` region. */
  readonly blockedState: number;
  /** Code of BLOCKED in the organisation table. */
  readonly organisationBlockedState: number;
  /**
   * Effective status (an index in `ENDPOINT_STATUSES`) by
   * `((sim * endpointStates + endpoint) * 2 + blocked) * connectivityStates + connectivity`.
   */
  readonly status: Uint8Array;
}

const PROBE_OBSERVATION: Observation = {
  organisationId: 101,
  simId: 202,
  iccid: 'probe-iccid',
  imsi: 'probe-imsi',
  imei: 'probe-imei',
  ipAddress: 'probe-ip',
  operator: { name: 'probe-operator', mcc: '001', mnc: '01', country: 'zz' },
  ratType: 6,
  apn: 'probe-apn',
  rejectionReason: REJECTION_REASON_CODES[0] ?? 'OTHER',
  name: 'probe-name',
};

const probeEvent = (type: DeviceEventType, observation: Observation): DeviceEvent => ({
  type,
  at: 1,
  eventId: 1n,
  endpointId: 1,
  observation,
});

type ValueReader = (value: unknown) => unknown;

const regionOf =
  (region: string): ValueReader =>
  (value) =>
    typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[region] : undefined;

/** Breadth-first search of one region's reachable states over every event type. */
function compileRegion(
  machine: AnyStateMachine,
  region: string,
  read: ValueReader,
  withState: (state: string) => unknown,
  context: unknown,
  initialValue: unknown,
): RegionTable {
  const initial = read(initialValue);
  if (typeof initial !== 'string') throw new TypeError(`region ${region} has no atomic initial state`);
  const states: string[] = [initial];
  const codes = new Map<string, number>([[initial, 0]]);
  const next: number[] = [];
  for (let s = 0; s < states.length; s++) {
    const snapshot = machine.resolveState({ value: withState(states[s] as string) as never, context });
    for (let e = 0; e < EVENT_COUNT; e++) {
      const [after] = transition(machine, snapshot, probeEvent(DEVICE_EVENT_TYPES[e] as DeviceEventType, PROBE_OBSERVATION));
      const target = read(after.value);
      if (typeof target !== 'string') throw new TypeError(`region ${region}: non-atomic state after ${DEVICE_EVENT_TYPES[e]}`);
      let code = codes.get(target);
      if (code === undefined) {
        code = states.length;
        if (code > 255) throw new RangeError(`region ${region} has more than 256 states`);
        codes.set(target, code);
        states.push(target);
      }
      next[s * EVENT_COUNT + e] = code;
    }
  }
  return { region, states, next: Uint8Array.from(next) };
}

/** Checks a compiled region against its list of state names, and narrows its type to them. */
function assertVocabulary<R extends string, S extends string>(table: RegionTable, region: R, names: readonly S[]): asserts table is RegionTable<R, S> {
  if (table.region !== region) throw new RangeError(`region ${table.region} compiled where ${region} was expected`);
  const known: readonly string[] = names;
  for (const s of table.states) {
    if (!known.includes(s)) throw new RangeError(`region ${table.region}: state ${s} is not in the vocabulary`);
  }
}

/**
 * Compiles the statecharts into tables (uncached: prefer `getCompiledMachine()`).
 *
 * @example
 * const c = compileMachine();
 * c.connectivity.states[c.connectivity.next[0 * c.eventCount + eventCode('ATTACH')]!] // 'ATTACHED'
 */
export function compileMachine(): CompiledMachine {
  const [initial] = initialTransition(deviceMachine, { endpointId: 1 });
  const initialValue = initial.value as Readonly<Record<string, unknown>>;
  const machine = deviceMachine as unknown as AnyStateMachine;

  const device = (region: DeviceRegion): RegionTable =>
    compileRegion(machine, region, regionOf(region), (state) => ({ ...initialValue, [region]: state }), initial.context, initialValue);
  const connectivity = device('connectivity');
  const sim = device('sim');
  const endpoint = device('endpoint');
  const block = device('block');
  const dataQuota = device('dataQuota');
  const smsQuota = device('smsQuota');
  assertVocabulary(connectivity, 'connectivity', CONNECTIVITY_STATES);
  assertVocabulary(sim, 'sim', SIM_STATES);
  assertVocabulary(endpoint, 'endpoint', ENDPOINT_STATES);
  assertVocabulary(block, 'block', BLOCK_STATES);
  assertVocabulary(dataQuota, 'dataQuota', DATA_QUOTA_STATES);
  assertVocabulary(smsQuota, 'smsQuota', SMS_QUOTA_STATES);

  const [orgInitial] = initialTransition(organisationMachine, { organisationId: 1 });
  const organisation = compileRegion(
    organisationMachine as unknown as AnyStateMachine,
    'organisation',
    (value) => value,
    (state) => state,
    orgInitial.context,
    orgInitial.value,
  );
  assertVocabulary(organisation, 'organisation', ORGANISATION_STATES);

  // Context rules: one probe per event type from the initial snapshot, context diffed.
  const takes = Object.fromEntries(OBSERVATION_FIELDS.map((f) => [f, new Uint8Array(EVENT_COUNT)])) as Record<ObservationField, Uint8Array>;
  const counts: Record<CounterField, Uint8Array> = {
    attaches: new Uint8Array(EVENT_COUNT),
    sessions: new Uint8Array(EVENT_COUNT),
    rejections: new Uint8Array(EVENT_COUNT),
  };
  for (let e = 0; e < EVENT_COUNT; e++) {
    const [after] = transition(deviceMachine, initial, probeEvent(DEVICE_EVENT_TYPES[e] as DeviceEventType, PROBE_OBSERVATION));
    const ctx = after.context as unknown as Readonly<Record<string, unknown>>;
    for (const field of OBSERVATION_FIELDS) {
      const taken = ctx[CONTEXT_FIELD[field]] === PROBE_OBSERVATION[field];
      takes[field][e] = taken ? 1 : 0;
    }
    for (const counter of ['attaches', 'sessions', 'rejections'] as const) {
      const delta = after.context[counter] - initial.context[counter];
      if (delta < 0 || delta > 255) throw new RangeError(`counter ${counter} moves by ${delta}`);
      counts[counter][e] = delta;
    }
  }

  const organisationTarget = resetTargets(organisation, EVENT_COUNT);

  const blockedState = block.states.indexOf('BLOCKED');
  const organisationBlockedState = organisation.states.indexOf('BLOCKED');
  if (blockedState < 0 || organisationBlockedState < 0) throw new RangeError('no BLOCKED state to compile against');

  const status = new Uint8Array(sim.states.length * endpoint.states.length * 2 * connectivity.states.length);
  let i = 0;
  for (const simName of sim.states)
    for (const endpointName of endpoint.states)
      for (const blocked of [false, true])
        for (const connectivityName of connectivity.states) {
          const s = effectiveStatus({
            sim: simName,
            endpoint: endpointName,
            blocked,
            connectivity: connectivityName,
          });
          status[i++] = ENDPOINT_STATUSES.indexOf(s);
        }

  const tables = { connectivity, sim, endpoint, block, dataQuota, smsQuota };
  const regions: readonly DeviceRegionTable[] = DEVICE_REGIONS.map((r) => tables[r]);
  const product = compileProductTable(regions, EVENT_COUNT);
  const at = (r: DeviceRegion, p: number): number => product.codes[DEVICE_REGIONS.indexOf(r)]?.[p] as number;
  const productStatus = new Uint8Array(product.size * 2);
  for (let p = 0; p < product.size; p++)
    for (let blocked = 0; blocked < 2; blocked++)
      productStatus[p * 2 + blocked] = status[
        ((at('sim', p) * endpoint.states.length + at('endpoint', p)) * 2 + blocked) * connectivity.states.length + at('connectivity', p)
      ] as number;
  return {
    eventTypes: DEVICE_EVENT_TYPES,
    eventCount: EVENT_COUNT,
    ...tables,
    regions,
    product,
    productStatus,
    organisation,
    organisationTarget,
    takes,
    counts,
    blockedState,
    organisationBlockedState,
    status,
  };
}

/**
 * Per event type, the one state a reset-type table leads every state to, or -1 where the
 * type changes no state. Why it matters: organisations couple devices (a block reaches every
 * member), so a late organisation event would otherwise force a re-fold of every member; for
 * a reset-type machine "the target of the newest relevant event" equals the in-order fold,
 * which makes the organisation state exact in any arrival order at O(1) per event.
 */
function resetTargets(table: RegionTable, eventCount: number): Int8Array {
  const states = table.states.length;
  const targets = new Int8Array(eventCount).fill(-1);
  for (let e = 0; e < eventCount; e++) {
    let moves = false;
    for (let s = 0; s < states; s++) if (table.next[s * eventCount + e] !== s) moves = true;
    if (!moves) continue;
    const target = table.next[e] as number;
    for (let s = 0; s < states; s++) {
      if (table.next[s * eventCount + e] !== target) {
        throw new RangeError(
          `the organisation machine is not reset-type: ${DEVICE_EVENT_TYPES[e]} leads ${table.states[0]} and ${table.states[s]} to different states, so its state would depend on arrival order`,
        );
      }
    }
    targets[e] = target;
  }
  return targets;
}

let compiled: CompiledMachine | undefined;

/**
 * The compiled machine, compiled on first use and shared for the life of the process
 * (the machine is immutable, so this cache never goes stale).
 *
 * @example
 * const fleet = new FleetStore({ compiled: getCompiledMachine() });
 */
export function getCompiledMachine(): CompiledMachine {
  compiled ??= compileMachine();
  return compiled;
}
