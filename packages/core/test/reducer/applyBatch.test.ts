/**
 * The reducer by example: reading back, organisation blocks, transition reports, the
 * summary, columns and their errors, the batch sort, the string pool.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { FleetStore } from '../../src/fleet/FleetStore.js';
import { type DeviceEvent, type DeviceEventType, EMPTY_OBSERVATION, type Observation } from '../../src/machine/deviceEvent.js';
import { applyBatch, type Transition } from '../../src/reducer/applyBatch.js';
import { EventColumns } from '../../src/reducer/EventColumns.js';
import { ReducerError } from '../../src/reducer/ReducerError.js';
import { sortBatch } from '../../src/reducer/sortBatch.js';
import { operatorKey, StringPool } from '../../src/reducer/StringPool.js';
import { applyEvents } from './harness.js';

const T0 = Date.parse('2021-10-27T08:00:00.000Z');
let n = 0;
const ev = (type: DeviceEventType, endpointId: number | null, observation: Partial<Observation> = {}): DeviceEvent => {
  n++;
  return { type, at: T0 + n * 1000, eventId: 137_000_000_000_000n + BigInt(n), endpointId, observation: { ...EMPTY_OBSERVATION, ...observation } };
};
const VODAFONE = { name: 'Vodafone', mcc: '262', mnc: '02', country: 'de' };

describe('reading the fleet back', () => {
  test('a device lifecycle, field by field', () => {
    const fleet = new FleetStore();
    const attach = ev('ATTACH', 11089066, {
      organisationId: 12033,
      simId: 3577707,
      iccid: '8988303000005733850',
      imsi: '295090004145444',
      operator: VODAFONE,
      name: 'Test Sim 2',
    });
    const session = ev('SESSION_CREATED', 11089066, { ratType: 6, apn: 'em', imei: '8693700220003770', ipAddress: '100.102.41.209' });
    const quota = ev('DATA_QUOTA_THRESHOLD', 11089066);
    applyEvents(fleet, [quota, session, attach]);
    expect(fleet.readEndpoint(11089066)).toEqual({
      endpointId: 11089066,
      status: 'ONLINE',
      connectivity: 'ONLINE',
      since: session.at,
      simStatus: null,
      endpointStatus: null,
      blocked: false,
      dataQuota: 'ACTIVE',
      dataQuotaThresholdReached: true,
      smsQuota: null,
      smsQuotaThresholdReached: false,
      organisationId: 12033,
      simId: 3577707,
      iccid: '8988303000005733850',
      imsi: '295090004145444',
      imei: '8693700220003770',
      ipAddress: '100.102.41.209',
      name: 'Test Sim 2',
      operator: VODAFONE,
      ratType: 6,
      apn: 'em',
      lastEventId: quota.eventId,
      lastEventAt: quota.at,
      attaches: 1,
      sessions: 1,
      rejections: 0,
      lastRejectionReason: null,
    });
    expect(fleet.readEndpoint(1)).toBeUndefined();
    expect(fleet.hasEndpoint(11089066)).toBe(true);
  });

  test('event ids beyond 2^53 and up to 2^64 − 1 come back exact', () => {
    const fleet = new FleetStore();
    const ids = [(1n << 53n) + 1n, (1n << 64n) - 1n];
    for (const id of ids) {
      applyEvents(fleet, [{ ...ev('RECORDED', 5), eventId: id }]);
      expect(fleet.readEndpoint(5)?.lastEventId).toBe(id);
    }
  });

  test('endpoint ids ascending, summary counts with sorted keys', () => {
    const fleet = new FleetStore({ capacity: 1 });
    applyEvents(fleet, [
      ev('SESSION_CREATED', 30, { organisationId: 2, operator: VODAFONE }),
      ev('ATTACH', 10, { organisationId: 1, operator: { name: 'Orange', mcc: '208', mnc: '01', country: 'fr' } }),
      ev('SIM_SUSPENDED', 20),
      ev('ORGANISATION_BLOCKED', null, { organisationId: 1 }),
      ev('RECORDED', null),
    ]);
    expect([...fleet.endpointIds()]).toEqual([10, 20, 30]);
    const summary = fleet.summary();
    expect(summary).toEqual({
      byStatus: { ATTACHED: 0, BLOCKED: 1, DELETED: 0, DISABLED: 0, OFFLINE: 0, ONLINE: 1, SUSPENDED: 1 },
      byConnectivity: { ATTACHED: 1, OFFLINE: 1, ONLINE: 1 },
      byOperator: { Orange: 1, Vodafone: 1, unknown: 1 },
      byCountry: { de: 1, fr: 1, unknown: 1 },
      byOrganisation: { 1: 1, 2: 1, unknown: 1 },
      totals: { endpoints: 3, organisations: 2, fleetEvents: 2, applied: 5, duplicates: 0, late: 0 },
    });
    expect(Object.keys(summary.byStatus)).toEqual([...Object.keys(summary.byStatus)].sort());
    expect(Object.keys(summary.byOperator)).toEqual(['Orange', 'Vodafone', 'unknown']);
  });
});

describe('organisation block (fleet-level)', () => {
  test('blocks members, and devices first seen later; one accepted session unblocks all', () => {
    const fleet = new FleetStore();
    const reports: Transition[] = [];
    const onTransition = (t: Transition) => reports.push(t);
    applyEvents(fleet, [ev('SESSION_CREATED', 1, { organisationId: 9 }), ev('ATTACH', 2, { organisationId: 9 }), ev('ATTACH', 3, { organisationId: 8 })], {
      onTransition,
    });
    reports.length = 0;

    const block = ev('ORGANISATION_BLOCKED', null, { organisationId: 9 });
    applyEvents(fleet, [block, ev('ATTACH', 4, { organisationId: 9 })], { onTransition });
    expect(fleet.organisationBlocked(9)).toBe(true);
    expect(fleet.organisationBlocked(8)).toBe(false);
    expect(fleet.organisationBlocked(77)).toBe(false);
    expect([1, 2, 3, 4].map((id) => fleet.readEndpoint(id)?.status)).toEqual(['BLOCKED', 'BLOCKED', 'ATTACHED', 'BLOCKED']);
    expect(reports.filter((t) => t.eventId === block.eventId)).toEqual([
      { endpointId: 1, region: 'block', from: 'NOT_BLOCKED', to: 'BLOCKED', at: block.at, eventId: block.eventId },
      { endpointId: 1, region: 'status', from: 'ONLINE', to: 'BLOCKED', at: block.at, eventId: block.eventId },
      { endpointId: 2, region: 'block', from: 'NOT_BLOCKED', to: 'BLOCKED', at: block.at, eventId: block.eventId },
      { endpointId: 2, region: 'status', from: 'ATTACHED', to: 'BLOCKED', at: block.at, eventId: block.eventId },
    ]);
    reports.length = 0;

    const unblock = ev('SESSION_CREATED', 4);
    applyEvents(fleet, [unblock], { onTransition });
    expect(fleet.organisationBlocked(9)).toBe(false);
    expect([1, 2, 4].map((id) => fleet.readEndpoint(id)?.status)).toEqual(['ONLINE', 'ATTACHED', 'ONLINE']);
    expect(reports.map((t) => `${t.endpointId} ${t.region} ${t.from}→${t.to}`)).toEqual([
      '4 connectivity ATTACHED→ONLINE',
      '4 block BLOCKED→NOT_BLOCKED',
      '4 status BLOCKED→ONLINE',
      '1 block BLOCKED→NOT_BLOCKED',
      '1 status BLOCKED→ONLINE',
      '2 block BLOCKED→NOT_BLOCKED',
      '2 status BLOCKED→ATTACHED',
    ]);
  });

  test("an endpoint's Organisation blocked without organisation id blocks the endpoint's organisation", () => {
    const fleet = new FleetStore();
    applyEvents(fleet, [ev('ATTACH', 1, { organisationId: 5 }), ev('ORGANISATION_BLOCKED', 1)]);
    expect(fleet.organisationBlocked(5)).toBe(true);
    expect(fleet.readEndpoint(1)).toMatchObject({ blocked: true, status: 'BLOCKED' });
  });

  test('a disabled, blocked device reports only what changes', () => {
    const fleet = new FleetStore();
    const reports: string[] = [];
    applyEvents(fleet, [ev('ENDPOINT_DISABLED', 1), ev('ENDPOINT_BLOCKED', 1), ev('RECORDED', 1)], {
      onTransition: (t) => reports.push(`${t.region} ${t.from}→${t.to}`),
    });
    expect(reports).toEqual(['endpoint UNKNOWN→DISABLED', 'status OFFLINE→DISABLED', 'block NOT_BLOCKED→BLOCKED']);
  });
});

describe('columns', () => {
  test('push validates and writes nothing on error', () => {
    const columns = new EventColumns(new StringPool(), 1);
    const ok = ev('ATTACH', 1);
    const cases: [DeviceEvent, string, string][] = [
      [{ ...ok, eventId: -1n }, 'event_id_out_of_range', 'eventId'],
      [{ ...ok, eventId: 1n << 64n }, 'event_id_out_of_range', 'eventId'],
      [{ ...ok, at: Number.NaN }, 'invalid_time', 'at'],
      [{ ...ok, endpointId: 1.5 }, 'invalid_id', 'endpointId'],
      [{ ...ok, observation: { ...EMPTY_OBSERVATION, simId: 2 ** 60 } }, 'invalid_id', 'observation.simId'],
      [{ ...ok, observation: { ...EMPTY_OBSERVATION, ratType: 70000 } }, 'invalid_rat_type', 'observation.ratType'],
      [{ ...ok, type: 'NOPE' as DeviceEventType }, 'invalid_code', 'type'],
    ];
    for (const [event, code, field] of cases) {
      const r = columns.push(event);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error).toBeInstanceOf(ReducerError);
        expect({ code: r.error.code, field: r.error.field }).toEqual({ code, field });
      }
    }
    expect(columns.length).toBe(0);
    expect(columns.push(ok)).toEqual({ ok: true, value: 0 });
    expect(columns.push(ok)).toEqual({ ok: true, value: 1 });
    expect(columns.capacity).toBeGreaterThanOrEqual(2);
    columns.clear();
    expect(columns.length).toBe(0);
  });

  test('columns of another pool are refused', () => {
    const fleet = new FleetStore();
    const foreign = new EventColumns(new StringPool());
    expect(() => applyBatch(fleet, foreign)).toThrow(ReducerError);
  });

  test('sortBatch orders by (at, idHi, idLo), stable, for any batch', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.constantFrom(0n, 1n, (1n << 32n) + 1n, (1n << 40n) + 3n, 7n)), { maxLength: 300 }),
        (rows) => {
          const columns = new EventColumns(new StringPool(), 1);
          for (const [t, id] of rows) columns.push({ type: 'RECORDED', at: t, eventId: id, endpointId: null, observation: EMPTY_OBSERVATION });
          expect([...sortBatch(columns)]).toEqual(referenceOrder(rows));
        },
      ),
      { numRuns: 200 },
    );
  });

  test('sortBatch on large batches: key sort, tie runs, and the merge-sort fallbacks', () => {
    // Times: ms integers with few ties (key sort), many short ties, a few long tie runs
    // (whole-second bursts), one tie run, fractional times and a span too wide for exact
    // keys (merge sort), a reversed (newest-first) batch.
    const shapes = ['sparse', 'ties', 'bursts', 'allEqual', 'fractional', 'wide', 'reversed'] as const;
    fc.assert(
      fc.property(fc.constantFrom(...shapes), fc.integer({ min: 1024, max: 4000 }), fc.integer(), (shape, size, seed) => {
        let x = seed | 1;
        const rnd = () => {
          x ^= x << 13;
          x ^= x >>> 17;
          x ^= x << 5;
          return x >>> 0;
        };
        const rows: [number, bigint][] = [];
        for (let i = 0; i < size; i++) {
          const base = 1_635_000_000_000;
          const t =
            shape === 'sparse'
              ? base + (rnd() % 10_000_000)
              : shape === 'ties'
                ? base + (rnd() % (size / 3))
                : shape === 'bursts'
                  ? base + (rnd() % 5) * 1000
                  : shape === 'allEqual'
                    ? base
                    : shape === 'fractional'
                      ? base + (rnd() % 1000) + 0.5
                      : shape === 'wide'
                        ? (rnd() % 2) * 2 ** 52 + (rnd() % 1000)
                        : base + size - i;
          rows.push([t, BigInt(rnd() % 50) * (1n << 31n) + BigInt(rnd() % 7)]);
        }
        const columns = new EventColumns(new StringPool(), 16);
        for (const [t, id] of rows) columns.push({ type: 'RECORDED', at: t, eventId: id, endpointId: null, observation: EMPTY_OBSERVATION });
        expect([...sortBatch(columns)]).toEqual(referenceOrder(rows));
      }),
      { numRuns: 60 },
    );
  });
});

/** Row indices ordered by (time, id), ties in row order. */
function referenceOrder(rows: readonly (readonly [number, bigint])[]): number[] {
  return rows
    .map((r, i) => ({ r, i }))
    .sort((a, b) => a.r[0] - b.r[0] || (a.r[1] < b.r[1] ? -1 : a.r[1] > b.r[1] ? 1 : 0) || a.i - b.i)
    .map((x) => x.i);
}

describe('StringPool', () => {
  test('interns strings and operators; 0 is null', () => {
    const pool = new StringPool();
    expect(pool.intern(null)).toBe(0);
    expect(pool.get(0)).toBeNull();
    const a = pool.intern('em');
    expect(pool.intern('em')).toBe(a);
    expect(pool.get(a)).toBe('em');
    const op = pool.internOperator({ name: 'Vodafone', mcc: null, mnc: '02', country: 'de' });
    expect(pool.operator(op)).toEqual({ name: 'Vodafone', mcc: null, mnc: '02', country: 'de' });
    expect(pool.operator(op)).toBe(pool.operator(op));
    expect(pool.get(op)).toBe(operatorKey({ name: 'Vodafone', mcc: null, mnc: '02', country: 'de' }));
    expect(pool.size).toBe(2);
    expect(() => pool.get(99)).toThrow(RangeError);
  });
});
