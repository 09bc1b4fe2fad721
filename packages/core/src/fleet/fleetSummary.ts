/**
 * Fleet-wide counts: what `simfleet replay` prints and `GET /fleet/summary` serves.
 *
 * Computed from the store's codes in one pass over the devices (status through the
 * compiled status table, operator and country through one pool lookup per distinct
 * operator), so calling it after every micro-batch stays cheap.
 */
import { CONNECTIVITY_STATES, type Connectivity, ENDPOINT_STATUSES, type EndpointStatus } from '../machine/endpointState.js';
import { RECORD_U32, U_OPERATOR } from './deviceRecord.js';
import type { CompiledMachine } from '../reducer/compileMachine.js';
import type { StringPool } from '../reducer/StringPool.js';

/** What `summarizeFleet` reads of a fleet (a `FleetStore` is one). */
export interface FleetSummarySource {
  readonly compiled: CompiledMachine;
  readonly pool: StringPool;
  readonly count: number;
  readonly u32: Uint32Array;
  readonly organisationCount: number;
  /** Organisation ids by organisation index. */
  readonly organisationIds: Float64Array;
  readonly fleetEvents: number;
  readonly applied: number;
  readonly duplicates: number;
  readonly late: number;
  stateOf(d: number): number;
  effectivelyBlocked(d: number): boolean;
  /** The device's organisation index, -1 = none. */
  organisationIndexOfDevice(d: number): number;
}

/** Key under which devices with no value for a grouping are counted. */
export const UNKNOWN_KEY = 'unknown';

/** Fleet-wide counts; every record has its keys sorted. */
export interface FleetSummary {
  /** Devices by effective status (every status present, zero or not). */
  readonly byStatus: Readonly<Record<EndpointStatus, number>>;
  /** Devices by connectivity (every state present). */
  readonly byConnectivity: Readonly<Record<Connectivity, number>>;
  /** Devices by operator name (`unknown` when none was said). */
  readonly byOperator: Readonly<Record<string, number>>;
  /** Devices by operator country ISO code (`unknown` when none was said). */
  readonly byCountry: Readonly<Record<string, number>>;
  /** Devices by organisation id (`unknown` when none was said). */
  readonly byOrganisation: Readonly<Record<string, number>>;
  readonly totals: {
    readonly endpoints: number;
    readonly organisations: number;
    /** Applied events that named no endpoint (organisation, user, service-profile records). */
    readonly fleetEvents: number;
    /** Running totals of `applyBatch` over the store's life. */
    readonly applied: number;
    readonly duplicates: number;
    readonly late: number;
  };
}

function sortedRecord<K extends string>(counts: Map<K, number>): Record<K, number> {
  const keys = [...counts.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const out = {} as Record<K, number>;
  for (const k of keys) out[k] = counts.get(k) ?? 0;
  return out;
}

function add<K>(counts: Map<K, number>, key: K, n: number): void {
  counts.set(key, (counts.get(key) ?? 0) + n);
}

/**
 * The summary of a fleet store (what `FleetStore.summary()` returns).
 *
 * @example
 * summarizeFleet(fleet).totals.endpoints // 3
 */
export function summarizeFleet(fleet: FleetSummarySource): FleetSummary {
  const c = fleet.compiled;
  const nConn = c.connectivity.states.length;
  const connOf = c.product.codes[0] as Uint8Array; // connectivity is DEVICE_REGIONS[0]
  const statusCounts = new Uint32Array(ENDPOINT_STATUSES.length);
  const connCounts = new Uint32Array(nConn);
  const byOperatorRef = new Map<number, number>();
  const byOrganisation = new Map<string, number>();
  const n = fleet.count;
  const u32 = fleet.u32;
  for (let d = 0; d < n; d++) {
    const p = fleet.stateOf(d);
    const conn = connOf[p] as number;
    const s = c.productStatus[p * 2 + (fleet.effectivelyBlocked(d) ? 1 : 0)] as number;
    statusCounts[s] = (statusCounts[s] as number) + 1;
    connCounts[conn] = (connCounts[conn] as number) + 1;
    add(byOperatorRef, u32[d * RECORD_U32 + U_OPERATOR] as number, 1);
    const o = fleet.organisationIndexOfDevice(d);
    add(byOrganisation, o < 0 ? UNKNOWN_KEY : String(fleet.organisationIds[o]), 1);
  }

  const byOperator = new Map<string, number>();
  const byCountry = new Map<string, number>();
  for (const [ref, k] of byOperatorRef) {
    const op = fleet.pool.operator(ref);
    add(byOperator, op?.name ?? UNKNOWN_KEY, k);
    add(byCountry, op?.country ?? UNKNOWN_KEY, k);
  }

  const byStatus = new Map<EndpointStatus, number>(ENDPOINT_STATUSES.map((s, i) => [s, statusCounts[i] as number]));
  const byConnectivity = new Map<Connectivity, number>();
  for (const name of CONNECTIVITY_STATES) byConnectivity.set(name, 0);
  for (let i = 0; i < nConn; i++) byConnectivity.set(c.connectivity.states[i] as Connectivity, connCounts[i] as number);

  return {
    byStatus: sortedRecord(byStatus),
    byConnectivity: sortedRecord(byConnectivity),
    byOperator: sortedRecord(byOperator),
    byCountry: sortedRecord(byCountry),
    byOrganisation: sortedRecord(byOrganisation),
    totals: {
      endpoints: n,
      organisations: fleet.organisationCount,
      fleetEvents: fleet.fleetEvents,
      applied: fleet.applied,
      duplicates: fleet.duplicates,
      late: fleet.late,
    },
  };
}
