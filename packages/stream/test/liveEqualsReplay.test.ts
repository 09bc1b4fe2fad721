/**
 * Live and replay agree: a log fed through the stream pipeline (decode → micro-batched
 * fleetState on the engine's live fleet) ends in the same fleet state as the engine's
 * replay of the log — what `simfleet replay` does — and its transitions (corrections
 * included) leave a subscriber believing the state each device has, whatever the arrival
 * order, the retransmissions and the batch size.
 */
import { ENDPOINT_STATUSES, eventTypeByKey, type FleetStore, getCompiledMachine, type KnownEventTypeKey, type Transition } from '@simfleet/core';
import { LiveFleet, ReplaySession } from '@simfleet/engine';
import { generateFleetLog, seededShuffle } from '@simfleet/testkit';
import fc from 'fast-check';
import { from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { type DecodeReject, decodeEvents, type FleetTransition, fleetState } from '../src/index.js';

interface Kind {
  readonly key: KnownEventTypeKey;
  readonly description: string;
  /** The record names no endpoint (organisation-level). */
  readonly orgOnly?: boolean;
  readonly operator?: boolean;
}

const KINDS: readonly Kind[] = [
  { key: 'updateLocation', description: 'New location received from VLR', operator: true },
  { key: 'updateGprsLocation', description: 'New location received from SGSN', operator: true },
  { key: 'createPdpContext', description: 'New PDP Context successfully activated', operator: true },
  { key: 'createPdpContext', description: 'PDP Context Request rejected, because endpoint has no quota.' },
  { key: 'createPdpContext', description: 'PDP Context Request rejected, because SIM is not activated.' },
  { key: 'updatePdpContext', description: 'PDP Context updated', operator: true },
  { key: 'updatePdpContext', description: 'PDP Context deleted.' },
  { key: 'deletePdpContext', description: 'PDP Context deleted', operator: true },
  { key: 'deviceOffline', description: 'Device offline' },
  { key: 'purgeLocation', description: 'VLR location information has been purged' },
  { key: 'purgeGprsLocation', description: 'SGSN location information has been purged' },
  { key: 'generic', description: 'Disconnecting data access for endpoint to apply throttling action.' },
  { key: 'generic', description: 'Unable to dispatch DLR' },
  { key: 'simActivation', description: 'SIM activated' },
  { key: 'simSuspension', description: 'SIM suspended' },
  { key: 'simDeletion', description: 'SIM deleted' },
  { key: 'simRegistration', description: 'SIM registered' },
  { key: 'simFactoryTest', description: 'SIM factory test' },
  { key: 'endpointEnabled', description: 'Endpoint enabled' },
  { key: 'endpointDisabled', description: 'Endpoint disabled' },
  { key: 'endpointBlocked', description: 'Endpoint blocked' },
  { key: 'organisationBlocked', description: 'Organisation blocked', orgOnly: true },
  { key: 'dataQuotaAssigned', description: 'Data quota assigned' },
  { key: 'quotaThresholdReached', description: 'Quota threshold reached' },
  { key: 'quotaUsedUp', description: 'Quota used up' },
  { key: 'dataQuotaExpired', description: 'Data quota expired' },
  { key: 'dataQuotaDeleted', description: 'Data quota deleted' },
  { key: 'smsQuotaAssigned', description: 'SMS quota assigned' },
  { key: 'smsQuotaThresholdReached', description: 'SMS quota threshold reached' },
  { key: 'smsQuotaUsedUp', description: 'SMS quota used up' },
  { key: 'organisationUpdated', description: 'Organisation updated', orgOnly: true },
];

const OPERATORS = [
  { id: 3, name: 'Vodafone', country: { id: 74, name: 'Germany', country_code: '49', mcc: '262', iso_code: 'de' }, mnc: '02' },
  { id: 5, name: 'Telefonica', country: { id: 74, name: 'Germany', country_code: '49', mcc: '262', iso_code: 'de' }, mnc: '07' },
  { id: 9, name: 'Orange', country: { id: 71, name: 'France', country_code: '33', mcc: '208', iso_code: 'fr' }, mnc: '01' },
];

/** One generated record, before it gets its id. */
const recordArb = fc.record({
  kind: fc.constantFrom(...KINDS),
  endpoint: fc.integer({ min: 1, max: 4 }),
  organisation: fc.integer({ min: 1, max: 2 }),
  // Seconds within a short window, so equal timestamps (ties broken by id) are common.
  second: fc.integer({ min: 0, max: 40 }),
  operator: fc.option(fc.constantFrom(...OPERATORS), { nil: null }),
  ratType: fc.constantFrom(2, 6, 8),
  /** Extra deliveries of the same record (retransmissions). */
  copies: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 2 }) }),
  /** Arrival positions of the original and its copies. */
  arrivals: fc.array(fc.nat(10_000), { minLength: 3, maxLength: 3 }),
});
type GeneratedRecord = typeof recordArb extends fc.Arbitrary<infer R> ? R : never;

/** The record as one NDJSON line: emnify-shaped, the id written as raw digits. */
function recordLine(r: GeneratedRecord, id: bigint): string {
  const type = eventTypeByKey(r.kind.key);
  const device =
    r.kind.orgOnly === true
      ? {}
      : {
          endpoint: {
            id: 11_089_000 + r.endpoint,
            name: `Device ${r.endpoint}`,
            ip_address: `100.102.41.${r.endpoint}`,
            imei: `86937002200037${r.endpoint}0`,
            tags: null,
          },
          sim: { id: 3_577_700 + r.endpoint, iccid: `898830300000573385${r.endpoint}`, production_date: '2020-12-23T13:02:11.000Z' },
          imsi: { id: 10_770_300 + r.endpoint, imsi: `29509000414544${r.endpoint}`, import_date: '2020-12-23T13:02:11.000Z' },
        };
  const op = r.kind.operator === true ? r.operator : null;
  const detail =
    op === null
      ? {}
      : {
          detail: {
            id: op.id,
            name: op.name,
            country: op.country,
            mnc: [{ id: 1, mnc: op.mnc }],
            pdp_context: { apn: 'em', rat_type: r.ratType, mcc: op.country.mcc, mnc: op.mnc, ue_ip_address: '100.112.45.209' },
          },
        };
  const body = {
    timestamp: new Date(Date.UTC(2021, 9, 27, 8, 0, r.second)).toISOString(),
    alert: false,
    description: r.kind.description,
    event_type: { id: type.id, description: type.name },
    event_source: { id: 0, description: 'Network' },
    event_severity: { id: 0, description: 'Info' },
    organisation: { id: 1000 + r.organisation, name: `Org ${r.organisation}` },
    ...device,
    ...detail,
  };
  return `{"id":${id},${JSON.stringify(body).slice(1)}`;
}

/** A log: unique ids (some beyond 2^53), retransmitted copies, any arrival order. */
const logArb = fc.record({ records: fc.array(recordArb, { maxLength: 60 }), firstId: fc.bigInt({ min: 1n, max: 2n ** 62n }) }).map(({ records, firstId }) => {
  const deliveries: { line: string; arrival: number }[] = [];
  records.forEach((r, i) => {
    const line = recordLine(r, firstId + BigInt(i) * 7n);
    for (let c = 0; c <= r.copies; c++) deliveries.push({ line, arrival: r.arrivals[c] ?? 0 });
  });
  return deliveries.sort((a, b) => a.arrival - b.arrival).map((d) => d.line);
});

/** `simfleet replay`'s way: the engine's replay session over the lines. */
function replay(lines: readonly string[]): { store: FleetStore; transitions: Transition[] } {
  const transitions: Transition[] = [];
  const session = new ReplaySession({ onTransition: (t) => transitions.push(t) });
  lines.forEach((text, i) => {
    session.ingest({ text, line: i + 1 }, 'log');
  });
  const account = session.finish();
  if (account.rejected !== 0) throw new Error(`replay rejected ${account.rejected} generated records`);
  return { store: session.fleet, transitions };
}

/** The exact pipeline of docs/streaming.md: decode, then fleetState (which deduplicates and orders itself). */
async function live(
  lines: readonly string[],
  maxBatch: number,
): Promise<{ store: FleetStore; transitions: FleetTransition[]; rejects: number; tooLate: number }> {
  const engine = new LiveFleet();
  const rejects: DecodeReject[] = [];
  let tooLate = 0;
  const views = await lastValueFrom(
    from(lines).pipe(
      decodeEvents({ rejects: (r) => rejects.push(r) }),
      fleetState({
        live: engine,
        maxBatch,
        tooLate: () => {
          tooLate += 1;
        },
      }),
      toArray(),
    ),
  );
  return { store: engine.fleet, transitions: views.flatMap((v) => [...v.transitions]), rejects: rejects.length, tooLate };
}

/** What a subscriber of the transitions believes last: each device region's last `to`. */
function believed(transitions: readonly FleetTransition[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const t of transitions) out.set(`${t.endpointId}/${t.region}`, t.to);
  return out;
}

/** The two fleets hold the same endpoints, the same summary (but the running totals) and leave subscribers with the same beliefs. */
function expectSameFleet(
  actual: { store: FleetStore; transitions: readonly FleetTransition[] },
  expected: { store: FleetStore; transitions: readonly Transition[] },
): void {
  const ids = [...expected.store.endpointIds()];
  expect([...actual.store.endpointIds()]).toEqual(ids);
  for (const id of ids) expect(actual.store.readEndpoint(id)).toEqual(expected.store.readEndpoint(id));
  const { totals: a, ...restA } = actual.store.summary();
  const { totals: e, ...restE } = expected.store.summary();
  expect(restA).toEqual(restE);
  expect({ ...a, duplicates: 0, late: 0 }).toEqual({ ...e, duplicates: 0, late: 0 });
  // A region never reported is in its initial state (one side may report a change and its reversal).
  const mine = believed(actual.transitions);
  const theirs = believed(expected.transitions);
  for (const k of new Set([...mine.keys(), ...theirs.keys()])) expect(mine.get(k) ?? initialOf(k), k).toBe(theirs.get(k) ?? initialOf(k));
}

const compiled = getCompiledMachine();
function initialOf(key: string): string {
  const region = key.slice(key.indexOf('/') + 1);
  if (region === 'block') return 'NOT_BLOCKED';
  if (region === 'status') return ENDPOINT_STATUSES[compiled.productStatus[0] as number] as string;
  return compiled.regions.find((t) => t.region === region)?.states[0] as string;
}

describe('live pipeline = replay (property)', () => {
  it('ends in the same fleet state, and corrections leave subscribers right, for any arrival order, duplicates and batch size', async () => {
    await fc.assert(
      fc.asyncProperty(logArb, fc.integer({ min: 1, max: 25 }), async (lines, maxBatch) => {
        const expected = replay(lines);
        const actual = await live(lines, maxBatch);
        expect(actual.rejects).toBe(0);
        expect(actual.tooLate).toBe(0);
        expectSameFleet(actual, expected);
      }),
      { numRuns: 150 },
    );
  });

  it('holds for the testkit simulator’s realistic logs too, shuffled and retransmitted', async () => {
    const simulated = fc.record({
      seed: fc.integer({ min: 1, max: 1_000_000 }),
      events: fc.integer({ min: 1, max: 400 }),
      devices: fc.integer({ min: 1, max: 12 }),
      messy: fc.boolean(),
      shuffleSeed: fc.integer(),
      duplicateEvery: fc.integer({ min: 2, max: 20 }),
      maxBatch: fc.integer({ min: 1, max: 200 }),
    });
    await fc.assert(
      fc.asyncProperty(simulated, async ({ seed, events, devices, messy, shuffleSeed, duplicateEvery, maxBatch }) => {
        let text = '';
        generateFleetLog({ events, devices, seed, messy }, (chunk) => {
          text += chunk;
        });
        const original = text.split('\n').filter((l) => l !== '');
        const lines = seededShuffle([...original, ...original.filter((_, i) => i % duplicateEvery === 0)], shuffleSeed);
        const expected = replay(original);
        const actual = await live(lines, maxBatch);
        expect(actual.rejects).toBe(0);
        expectSameFleet(actual, expected);
      }),
      { numRuns: 40 },
    );
  });
});
