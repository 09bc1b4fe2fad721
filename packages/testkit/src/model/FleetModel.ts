/**
 * The model simfleet's own model-based tests check the engine against: the engine's
 * documented semantics written plainly, one object per device, no typed arrays, no
 * string pool, no batching tricks.
 *
 * What the machine does to one device comes from the compiled tables (themselves read
 * out of the XState machine), so the model and the engine share that specification;
 * what is written here independently is everything around it, which is where a
 * batched reducer can go wrong: ordering by (time, event id), duplicates and late
 * events per device and for organisation-level events, which observation fields an
 * event may set, counters, `since`, routing events to a device's organisation, and
 * the organisation block every member device sees.
 */
import {
  type CompiledMachine,
  DEVICE_EVENT_TYPES,
  type DeviceEvent,
  type DeviceRegion,
  type EndpointState,
  endpointStateFromRegions,
  getCompiledMachine,
  INITIAL_REGIONS,
  type Operator,
  type OrganisationState,
  type RegionStates,
  type RegionTable,
  type RejectionReason,
} from '@simfleet/core';

/** A device's region states, changed in place as events apply. */
type ModelRegions = { -readonly [R in DeviceRegion]: RegionStates[R] };

interface ModelDevice {
  readonly endpointId: number;
  readonly regions: ModelRegions;
  since: number | null;
  organisationId: number | null;
  simId: number | null;
  iccid: string | null;
  imsi: string | null;
  imei: string | null;
  ipAddress: string | null;
  name: string | null;
  operator: Operator | null;
  ratType: number | null;
  apn: string | null;
  lastEventAt: number | null;
  lastEventId: bigint | null;
  attaches: number;
  sessions: number;
  rejections: number;
  lastRejectionReason: RejectionReason | null;
}

/** Counts of one batch, as `applyBatch` returns them. */
export interface ModelBatchResult {
  applied: number;
  duplicates: number;
  late: number;
}

const compareKey = (a: DeviceEvent, b: DeviceEvent): number => a.at - b.at || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);

/** -1, 0, 1: an event's (time, id) against a device's last one. */
function against(e: DeviceEvent, lastEventAt: number | null, lastEventId: bigint | null): number {
  if (lastEventAt === null || lastEventId === null) return 1;
  if (e.at !== lastEventAt) return e.at < lastEventAt ? -1 : 1;
  return e.eventId < lastEventId ? -1 : e.eventId > lastEventId ? 1 : 0;
}

/**
 * A fleet, the simple way.
 *
 * @example
 * const model = new FleetModel();
 * model.applyBatch(toDeviceEvents(records));
 * model.read(11089066)?.status; // what the engine must say too
 */
export class FleetModel {
  readonly compiled: CompiledMachine;
  private readonly devices = new Map<number, ModelDevice>();
  private readonly organisations = new Map<number, OrganisationState>();
  /** (time, id) of the newest event each organisation took. */
  private readonly organisationLast = new Map<number, { at: number; eventId: bigint }>();
  private fleetLastAt: number | null = null;
  private fleetLastId: bigint | null = null;
  /** Running totals, as the fleet summary reports them. */
  readonly totals = { applied: 0, duplicates: 0, late: 0, fleetEvents: 0 };

  constructor(compiled: CompiledMachine = getCompiledMachine()) {
    this.compiled = compiled;
  }

  /** Applies one batch: in (time, event id) order; repeats and late events counted, not applied. */
  applyBatch(events: readonly DeviceEvent[]): ModelBatchResult {
    const result: ModelBatchResult = { applied: 0, duplicates: 0, late: 0 };
    for (const e of [...events].sort(compareKey)) {
      const outcome = e.endpointId === null ? this.applyFleetEvent(e) : this.applyDeviceEvent(e, e.endpointId);
      result[outcome]++;
    }
    this.totals.applied += result.applied;
    this.totals.duplicates += result.duplicates;
    this.totals.late += result.late;
    return result;
  }

  /** The endpoint ids seen, ascending. */
  endpointIds(): number[] {
    return [...this.devices.keys()].sort((a, b) => a - b);
  }

  /** One endpoint's state, as `FleetStore.readEndpoint` shows it. */
  read(endpointId: number): EndpointState | undefined {
    const d = this.devices.get(endpointId);
    if (d === undefined) return undefined;
    const blocked = d.organisationId !== null && this.organisations.get(d.organisationId) === 'BLOCKED';
    return endpointStateFromRegions(d.regions, d, blocked);
  }

  /** Whether an organisation is blocked. */
  organisationBlocked(organisationId: number): boolean {
    return this.organisations.get(organisationId) === 'BLOCKED';
  }

  private applyFleetEvent(e: DeviceEvent): keyof ModelBatchResult {
    const cmp = against(e, this.fleetLastAt, this.fleetLastId);
    if (cmp <= 0) return cmp === 0 ? 'duplicates' : 'late';
    this.organisationStep(e.observation.organisationId, e);
    this.fleetLastAt = e.at;
    this.fleetLastId = e.eventId;
    this.totals.fleetEvents++;
    return 'applied';
  }

  private applyDeviceEvent(e: DeviceEvent, endpointId: number): keyof ModelBatchResult {
    let d = this.devices.get(endpointId);
    if (d === undefined) {
      d = this.newDevice(endpointId);
      this.devices.set(endpointId, d);
    } else {
      const cmp = against(e, d.lastEventAt, d.lastEventId);
      if (cmp <= 0) return cmp === 0 ? 'duplicates' : 'late';
    }
    const c = this.compiled;
    const code = DEVICE_EVENT_TYPES.indexOf(e.type);
    const connectivity = d.regions.connectivity;
    for (const table of c.regions) stepRegion(d.regions, table, code, c.eventCount);
    if (d.regions.connectivity !== connectivity) d.since = e.at;
    const o = e.observation;
    const takes = (field: keyof typeof c.takes): boolean => c.takes[field][code] === 1;
    if (o.organisationId !== null && takes('organisationId')) d.organisationId = o.organisationId;
    if (o.simId !== null && takes('simId')) d.simId = o.simId;
    if (o.iccid !== null && takes('iccid')) d.iccid = o.iccid;
    if (o.imsi !== null && takes('imsi')) d.imsi = o.imsi;
    if (o.imei !== null && takes('imei')) d.imei = o.imei;
    if (o.ipAddress !== null && takes('ipAddress')) d.ipAddress = o.ipAddress;
    if (o.name !== null && takes('name')) d.name = o.name;
    if (o.operator !== null && takes('operator')) d.operator = o.operator;
    if (o.ratType !== null && takes('ratType')) d.ratType = o.ratType;
    if (o.apn !== null && takes('apn')) d.apn = o.apn;
    if (o.rejectionReason !== null && takes('rejectionReason')) d.lastRejectionReason = o.rejectionReason;
    d.attaches += c.counts.attaches[code] as number;
    d.sessions += c.counts.sessions[code] as number;
    d.rejections += c.counts.rejections[code] as number;
    d.lastEventAt = e.at;
    d.lastEventId = e.eventId;
    // The event reaches the device's organisation (as the device knows it after this event).
    this.organisationStep(d.organisationId, e);
    return 'applied';
  }

  /**
   * The event reaches an organisation, which steps its machine only for an event newer than
   * the newest that moved it (the organisation machine is reset-type: that is the in-order
   * fold, in any arrival order).
   */
  private organisationStep(organisationId: number | null, e: DeviceEvent): void {
    if (organisationId === null) return;
    const c = this.compiled;
    const table = c.organisation;
    const code = DEVICE_EVENT_TYPES.indexOf(e.type);
    const current = this.organisations.get(organisationId) ?? stateAt(table, 0);
    this.organisations.set(organisationId, current);
    const moves = table.states.some((_, s) => table.next[s * c.eventCount + code] !== s);
    if (!moves) return;
    const last = this.organisationLast.get(organisationId);
    if (last !== undefined && against(e, last.at, last.eventId) <= 0) return;
    this.organisationLast.set(organisationId, { at: e.at, eventId: e.eventId });
    const from = table.states.indexOf(current);
    this.organisations.set(organisationId, stateAt(table, table.next[from * c.eventCount + code] as number));
  }

  private newDevice(endpointId: number): ModelDevice {
    const regions: ModelRegions = { ...INITIAL_REGIONS };
    return {
      endpointId,
      regions,
      since: null,
      organisationId: null,
      simId: null,
      iccid: null,
      imsi: null,
      imei: null,
      ipAddress: null,
      name: null,
      operator: null,
      ratType: null,
      apn: null,
      lastEventAt: null,
      lastEventId: null,
      attaches: 0,
      sessions: 0,
      rejections: 0,
      lastRejectionReason: null,
    };
  }
}

export type { ModelDevice };

/** State `code` of a compiled region (a code outside it is a broken table). */
function stateAt<S extends string>(table: RegionTable<string, S>, code: number): S {
  const name = table.states[code];
  if (name === undefined) throw new RangeError(`region ${table.region}: no state ${code}`);
  return name;
}

/** Moves one region of a device by one event type, through the compiled table. */
function stepRegion<R extends DeviceRegion>(regions: ModelRegions, table: RegionTable<R, RegionStates[R]>, code: number, eventCount: number): void {
  const from = table.states.indexOf(regions[table.region]);
  regions[table.region] = stateAt(table, table.next[from * eventCount + code] as number);
}
