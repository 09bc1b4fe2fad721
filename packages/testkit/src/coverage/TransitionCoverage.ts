/**
 * Which transitions of the device statechart a generated run exercised.
 *
 * The list of transitions comes from the machine, not from a hand-written list: every
 * (region, state, event) whose compiled next state differs from the state, in the
 * tables `compileMachine` reads out of `deviceMachine` and `organisationMachine` with
 * XState's pure transition API. A run is replayed through the same tables with the
 * engine's ordering rules (time then event id per device; duplicates and late events
 * skipped), and every region change it causes is counted.
 */
import { type CompiledMachine, DEVICE_EVENT_TYPES, type DeviceEvent, type DeviceEventType, getCompiledMachine, type RegionTable } from '@simfleet/core';

/** One transition of the machine: in `region`, `event` takes `from` to `to`. */
export interface MachineTransition {
  /** A device region (`connectivity`, `sim`, …) or `organisation`. */
  readonly region: string;
  readonly from: string;
  readonly event: DeviceEventType;
  readonly to: string;
  /** `region: FROM --EVENT--> TO` */
  readonly key: string;
}

const keyOf = (region: string, from: string, event: string, to: string): string => `${region}: ${from} --${event}--> ${to}`;

function transitionsOf(table: RegionTable, eventCount: number): MachineTransition[] {
  const out: MachineTransition[] = [];
  for (let s = 0; s < table.states.length; s++) {
    for (let e = 0; e < eventCount; e++) {
      const t = table.next[s * eventCount + e] as number;
      if (t === s) continue;
      const from = table.states[s] as string;
      const to = table.states[t] as string;
      const event = DEVICE_EVENT_TYPES[e] as DeviceEventType;
      out.push({ region: table.region, from, event, to, key: keyOf(table.region, from, event, to) });
    }
  }
  return out;
}

interface DeviceWalk {
  readonly regions: Uint8Array;
  organisationId: number | null;
  lastAt: number;
  lastId: bigint;
}

/**
 * Accumulates the transitions runs exercise; add runs from as many properties or
 * samples as you like, then read `uncovered`.
 *
 * @example
 * const coverage = new TransitionCoverage(getCompiledMachine());
 * fc.assert(fc.property(deviceLifecycle(), (records) => {
 *   coverage.add(toDeviceEvents(records));
 * }));
 * expect(coverage.uncovered).toEqual([]);
 */
export class TransitionCoverage {
  /** Every transition of the machine. */
  readonly transitions: readonly MachineTransition[];
  private readonly machine: CompiledMachine;
  private readonly counts = new Map<string, number>();
  private runCount = 0;

  constructor(machine: CompiledMachine = getCompiledMachine()) {
    this.machine = machine;
    const n = machine.eventCount;
    this.transitions = [...machine.regions.flatMap((t) => transitionsOf(t, n)), ...transitionsOf(machine.organisation, n)];
    for (const t of this.transitions) this.counts.set(t.key, 0);
  }

  /**
   * Replays one run (the events of one device or of a fleet, in any order) from the
   * initial state and counts the transitions it takes. Events apply in (time, event
   * id) order per device; repeats and late events change nothing, as in the engine.
   */
  add(run: Iterable<DeviceEvent>): this {
    const m = this.machine;
    const n = m.eventCount;
    const events = [...run].sort((a, b) => a.at - b.at || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
    const devices = new Map<number, DeviceWalk>();
    const organisations = new Map<number, number>();
    const organisationStep = (organisationId: number | null, e: number): void => {
      if (organisationId === null) return;
      const s = organisations.get(organisationId) ?? 0;
      const t = m.organisation.next[s * n + e] as number;
      if (t !== s) {
        organisations.set(organisationId, t);
        this.count(m.organisation, s, e, t);
      }
    };
    for (const event of events) {
      const e = DEVICE_EVENT_TYPES.indexOf(event.type);
      if (e < 0) continue;
      if (event.endpointId === null) {
        organisationStep(event.observation.organisationId, e);
        continue;
      }
      let device = devices.get(event.endpointId);
      if (device === undefined) {
        device = { regions: new Uint8Array(m.regions.length), organisationId: null, lastAt: Number.NaN, lastId: 0n };
        devices.set(event.endpointId, device);
      } else if (event.at < device.lastAt || (event.at === device.lastAt && event.eventId <= device.lastId)) {
        continue;
      }
      device.lastAt = event.at;
      device.lastId = event.eventId;
      m.regions.forEach((table, i) => {
        const s = device.regions[i] as number;
        const t = table.next[s * n + e] as number;
        if (t !== s) {
          device.regions[i] = t;
          this.count(table, s, e, t);
        }
      });
      const said = event.observation.organisationId;
      if (said !== null && m.takes.organisationId[e] === 1) device.organisationId = said;
      organisationStep(device.organisationId, e);
    }
    this.runCount++;
    return this;
  }

  /** Runs added so far. */
  get runs(): number {
    return this.runCount;
  }

  /** How often a transition was taken (by key or transition). */
  timesTaken(transition: MachineTransition | string): number {
    return this.counts.get(typeof transition === 'string' ? transition : transition.key) ?? 0;
  }

  /** Transitions taken at least once. */
  get covered(): MachineTransition[] {
    return this.transitions.filter((t) => this.timesTaken(t) > 0);
  }

  /** Transitions never taken. */
  get uncovered(): MachineTransition[] {
    return this.transitions.filter((t) => this.timesTaken(t) === 0);
  }

  /** Covered share, 0–1. */
  get ratio(): number {
    return this.transitions.length === 0 ? 1 : this.covered.length / this.transitions.length;
  }

  /** `71/77 transitions (92%) in 100 runs; never taken: …` */
  report(): string {
    const missing = this.uncovered.map((t) => `\n  - ${t.key}`).join('');
    return `${this.covered.length}/${this.transitions.length} transitions (${Math.round(this.ratio * 100)}%) in ${this.runCount} runs${missing === '' ? '' : `; never taken:${missing}`}`;
  }

  private count(table: RegionTable, s: number, e: number, t: number): void {
    const key = keyOf(table.region, table.states[s] as string, DEVICE_EVENT_TYPES[e] as string, table.states[t] as string);
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
}

/**
 * The transitions of `machine` that `runs` exercised and the ones they did not.
 *
 * @example
 * const runs = fc.sample(deviceLifecycle(), 100).map(toDeviceEvents);
 * const coverage = transitionCoverage(getCompiledMachine(), runs);
 * coverage.uncovered; // [] when every edge was reached
 */
export function transitionCoverage(machine: CompiledMachine, runs: Iterable<Iterable<DeviceEvent>>): TransitionCoverage {
  const coverage = new TransitionCoverage(machine);
  for (const run of runs) coverage.add(run);
  return coverage;
}
