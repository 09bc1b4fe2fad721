/**
 * Walking the device statechart through its compiled tables (which `compileMachine`
 * reads out of `deviceMachine` with XState's pure transition API), so a generated
 * lifecycle moves exactly as the machine does.
 */
import { type CompiledMachine, DEVICE_EVENT_TYPES, type DeviceEventType, eventCode, getCompiledMachine, type RegionTable } from '@simfleet/core';

/** One transition of a table: in table `region`, `type` takes state `from` to `to`. */
export interface WalkEdge {
  readonly region: number;
  readonly from: number;
  readonly type: DeviceEventType;
  readonly to: number;
}

/** Region state codes of one device plus its organisation's state code. */
export interface WalkState {
  /** One code per device region, in `compiled.regions` order. */
  readonly regions: Uint8Array;
  organisation: number;
}

const code = (type: DeviceEventType): number => eventCode(type);

/** Event types the seeds say repeat without changing state, and when. */
const RECORDED = code('RECORDED');
const ATTACH = code('ATTACH');
const SESSION_CREATED = code('SESSION_CREATED');
const SESSION_UPDATED = code('SESSION_UPDATED');
const SESSION_REJECTED = code('SESSION_REJECTED');
const ORGANISATION_BLOCKED = code('ORGANISATION_BLOCKED');
const DATA_QUOTA_ASSIGNED = code('DATA_QUOTA_ASSIGNED');
const SMS_QUOTA_ASSIGNED = code('SMS_QUOTA_ASSIGNED');

/** The machine, as the walk needs it: state codes by name and the tables. */
export class MachineWalk {
  readonly compiled: CompiledMachine;
  private readonly connectivity: number;
  private readonly sim: number;
  private readonly dataQuota: number;
  private readonly smsQuota: number;
  private edgeList: WalkEdge[] | undefined;

  constructor(compiled: CompiledMachine = getCompiledMachine()) {
    this.compiled = compiled;
    const regionIndex = (name: string): number => {
      const i = compiled.regions.findIndex((r) => r.region === name);
      if (i < 0) throw new Error(`the compiled machine has no ${name} region`);
      return i;
    };
    this.connectivity = regionIndex('connectivity');
    this.sim = regionIndex('sim');
    this.dataQuota = regionIndex('dataQuota');
    this.smsQuota = regionIndex('smsQuota');
  }

  /**
   * Every transition of the machine (device regions, then the organisation), read from
   * the tables: `region` is the table's index (the organisation is last).
   */
  get edges(): readonly WalkEdge[] {
    if (this.edgeList === undefined) {
      const n = this.compiled.eventCount;
      const list: WalkEdge[] = [];
      this.tables.forEach((table, region) => {
        for (let s = 0; s < table.states.length; s++) {
          for (let e = 0; e < n; e++) {
            const to = table.next[s * n + e] as number;
            if (to !== s) list.push({ region, from: s, type: DEVICE_EVENT_TYPES[e] as DeviceEventType, to });
          }
        }
      });
      // A tour visits its stops in this order: out of states a device passes only early
      // (few ways in, like a SIM's ISSUED) first, while they are still within reach; a
      // stop into a state with no way out (the SIM's DELETED), which ends the walk, after
      // the other stops out of equally rare states.
      const rank = (edge: WalkEdge): number => {
        const table = this.tables[edge.region] as RegionTable;
        const from = edge.from === 0 ? 0 : this.waysIn(table, edge.from);
        return from * 2 + (this.deadEnd(table, edge.to) ? 1 : 0);
      };
      this.edgeList = list
        .map((edge, i) => ({ edge, i, r: rank(edge) }))
        .sort((a, b) => a.r - b.r || a.i - b.i)
        .map((x) => x.edge);
    }
    return this.edgeList;
  }

  /** Sorts tour stops (edge indexes) so stops out of rarely reachable states come first. */
  orderTour(tour: readonly number[]): number[] {
    const n = this.edges.length;
    return tour.map((stop) => stop % n).sort((a, b) => a - b);
  }

  /** The state code of a table (a device region, or the organisation when `region` is last). */
  stateOf(state: WalkState, region: number): number {
    return region < this.compiled.regions.length ? (state.regions[region] as number) : state.organisation;
  }

  /**
   * The first event type on a shortest way from state `from` to state `to` in one
   * table, or null when `to` cannot be reached from `from` (a SIM never becomes ISSUED
   * again once it is anything else).
   */
  firstStepTowards(region: number, from: number, to: number): DeviceEventType | null {
    if (from === to) return null;
    const table = this.tables[region] as RegionTable;
    const n = this.compiled.eventCount;
    // Breadth-first from `from`, remembering the first event of each path.
    const first = new Map<number, number>([[from, -1]]);
    const queue = [from];
    for (let q = 0; q < queue.length; q++) {
      const s = queue[q] as number;
      for (let e = 0; e < n; e++) {
        const t = table.next[s * n + e] as number;
        if (first.has(t)) continue;
        const head = s === from ? e : (first.get(s) as number);
        if (t === to) return DEVICE_EVENT_TYPES[head] as DeviceEventType;
        first.set(t, head);
        queue.push(t);
      }
    }
    return null;
  }

  /** Whether state `t` of a table has no transition out. */
  private deadEnd(table: RegionTable, t: number): boolean {
    const n = this.compiled.eventCount;
    for (let e = 0; e < n; e++) if (table.next[t * n + e] !== t) return false;
    return true;
  }

  /** Number of distinct states with a transition into `t`. */
  private waysIn(table: RegionTable, t: number): number {
    const n = this.compiled.eventCount;
    let ways = 0;
    for (let s = 0; s < table.states.length; s++) {
      if (s === t) continue;
      for (let e = 0; e < n; e++) {
        if (table.next[s * n + e] === t) {
          ways++;
          break;
        }
      }
    }
    return Math.max(1, ways);
  }

  private get tables(): readonly RegionTable[] {
    return [...this.compiled.regions, this.compiled.organisation];
  }

  /** The state of a device nothing is known about (every region initial, organisation active). */
  initial(): WalkState {
    return { regions: new Uint8Array(this.compiled.regions.length), organisation: 0 };
  }

  /** The state's name in a region. */
  stateName(state: WalkState, regionIndex: number): string {
    const table = this.compiled.regions[regionIndex];
    return table?.states[state.regions[regionIndex] as number] ?? '?';
  }

  /** Whether the SIM is deleted (the machine's final state: a walk ends there). */
  deleted(state: WalkState): boolean {
    return this.stateName(state, this.sim) === 'DELETED';
  }

  /** Applies an event type to the state, as the machine would. */
  apply(state: WalkState, type: DeviceEventType): void {
    const e = code(type);
    const n = this.compiled.eventCount;
    this.compiled.regions.forEach((table, i) => {
      state.regions[i] = table.next[(state.regions[i] as number) * n + e] as number;
    });
    state.organisation = this.compiled.organisation.next[state.organisation * n + e] as number;
  }

  /** Whether the machine moves any region (or the organisation) on this event type. */
  moves(state: WalkState, type: DeviceEventType): boolean {
    const e = code(type);
    const n = this.compiled.eventCount;
    for (let i = 0; i < this.compiled.regions.length; i++) {
      const table = this.compiled.regions[i];
      const s = state.regions[i] as number;
      if (table !== undefined && table.next[s * n + e] !== s) return true;
    }
    return this.compiled.organisation.next[state.organisation * n + e] !== state.organisation;
  }

  /**
   * Whether `type` is a plausible next event for a device in `state`:
   * - never after the SIM is deleted (the machine's final state), except RECORDED;
   * - when the machine moves a region of the device (or its organisation) on it;
   * - or when the seeds say it repeats without a change of state: RECORDED at any time;
   *   ATTACH while attached or online ("many Update location events can occur before
   *   or between data sessions"); SESSION_CREATED / SESSION_UPDATED while online ("two
   *   Create PDP Context in a row … are normal"); SESSION_REJECTED while attached or
   *   online (a device asks again); a data or SMS quota assigned while one is active
   *   ("assigning a new quota is possible at any time").
   * Anything else — a session ended while offline, a purge of an offline device, an
   * expired quota that was never assigned to expire again — is implausible.
   */
  plausible(state: WalkState, type: DeviceEventType): boolean {
    const e = code(type);
    if (e === RECORDED) return true;
    if (this.deleted(state)) return false;
    if (this.moves(state, type)) return true;
    const connectivity = this.stateName(state, this.connectivity);
    switch (e) {
      case ATTACH:
      case SESSION_REJECTED:
        return connectivity !== 'OFFLINE';
      case SESSION_CREATED:
      case SESSION_UPDATED:
        return connectivity === 'ONLINE';
      case DATA_QUOTA_ASSIGNED:
        return this.stateName(state, this.dataQuota).startsWith('ACTIVE');
      case SMS_QUOTA_ASSIGNED:
        return this.stateName(state, this.smsQuota).startsWith('ACTIVE');
      case ORGANISATION_BLOCKED:
        return false;
      default:
        return false;
    }
  }

  /**
   * `wanted` if plausible, otherwise the next plausible type after it in
   * `DEVICE_EVENT_TYPES` order (RECORDED always is, so there is one).
   */
  nearestPlausible(state: WalkState, wanted: DeviceEventType): DeviceEventType {
    const start = code(wanted);
    const n = DEVICE_EVENT_TYPES.length;
    for (let k = 0; k < n; k++) {
      const type = DEVICE_EVENT_TYPES[(start + k) % n] as DeviceEventType;
      if (this.plausible(state, type)) return type;
    }
    return 'RECORDED';
  }
}
