/**
 * FleetQueries against the real PostgreSQL of the test setup: a simulated fleet written by
 * `writeReplay` reads back as the store holds it — counts equal `summary()`, every row
 * equals `readEndpoint`, one endpoint's transitions equal the ones the replay reported,
 * filters and sorts agree with the same rules applied to the store's rows.
 */
import { ENDPOINT_STATUSES, type EndpointState, type Transition } from '@simfleet/core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FleetDatabase } from '../src/FleetDatabase.js';
import { type EndpointFilter, FleetQueries } from '../src/FleetQueries.js';
import { PgFleetError } from '../src/PgFleetError.js';
import { freshDatabase } from '../src/testing/freshDatabase.js';
import { applyEvents, simulatedEvents } from './simulatedFleet.js';

const NONE: EndpointFilter = { statuses: [], connectivity: [], operator: '', country: '', organisation: '', text: '' };

describe('FleetQueries', () => {
  let url: string;
  let q: FleetQueries;
  const { fleet, log, asOf } = applyEvents(simulatedEvents({ events: 5000, devices: 300, seed: 7, organisations: 3 }));
  const states: EndpointState[] = Array.from(fleet.endpointIds(), (id) => fleet.readEndpoint(id) as EndpointState);

  beforeAll(async () => {
    url = await freshDatabase(inject('pgUrl'), 'fleet_queries');
    const db = await FleetDatabase.open(url);
    try {
      await db.writeReplay({ fleet, transitions: log, position: { inputs: ['simulated'] }, asOf });
    } finally {
      await db.close();
    }
    q = await FleetQueries.open(url);
  });
  afterAll(async () => {
    await q?.close();
  });

  it('counts what the store summarises', async () => {
    const summary = fleet.summary();
    const counts = await q.counts();
    expect(counts).toEqual({
      byStatus: summary.byStatus,
      byConnectivity: summary.byConnectivity,
      byOperator: summary.byOperator,
      byCountry: summary.byCountry,
      byOrganisation: summary.byOrganisation,
      totals: { endpoints: summary.totals.endpoints, organisations: summary.totals.organisations },
    });
    expect(await q.asOf()).toBe(asOf);
  });

  it('reads every row back as the store holds it, in id order, in keyset batches', async () => {
    const read: EndpointState[] = [];
    let batches = 0;
    for await (const batch of q.eachEndpoint(NONE, 47)) {
      batches++;
      read.push(...batch);
    }
    expect(batches).toBe(Math.ceil(states.length / 47) + (states.length % 47 === 0 ? 1 : 0));
    expect(read).toEqual(states);
    expect(q.hasNames).toBe(true);
    expect(states.some((s) => s.name !== null)).toBe(true);
    const one = states[Math.floor(states.length / 2)] as EndpointState;
    expect(await q.endpoint(one.endpointId)).toEqual(one);
    expect(await q.endpoint(987_654_321)).toBeUndefined();
  });

  it("returns one endpoint's transitions oldest first, the newest ones when cut", async () => {
    const byEndpoint = new Map<number, Transition[]>();
    for (let i = 0; i < log.length; i++) {
      const t = log.get(i);
      byEndpoint.set(t.endpointId, [...(byEndpoint.get(t.endpointId) ?? []), t]);
    }
    const [id, expected] = [...byEndpoint].sort((a, b) => b[1].length - a[1].length)[0] as [number, Transition[]];
    const order = (ts: readonly Transition[]) => [...ts].sort((a, b) => a.at - b.at || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
    const all = await q.endpointTransitions(id, 10_000);
    expect(all.total).toBe(expected.length);
    // Within one event the regions may come in another order than reported; across events the order is time, then id.
    expect(
      order(all.transitions)
        .map((t) => `${t.at} ${t.eventId} ${t.region}`)
        .sort(),
    ).toEqual(
      order(expected)
        .map((t) => `${t.at} ${t.eventId} ${t.region}`)
        .sort(),
    );
    expect(all.transitions).toEqual(order(all.transitions));
    const cut = await q.endpointTransitions(id, 3);
    expect(cut.total).toBe(expected.length);
    expect(cut.transitions).toEqual(all.transitions.slice(-3));
  });

  it('filters and sorts as the rules say, ties by ascending id, pages clamped to the last', async () => {
    const offline = await q.endpointPage({ ...NONE, statuses: ['OFFLINE'], sort: 'lastEvent', descending: true, page: 1, per: 25 });
    const expected = states
      .filter((s) => s.status === 'OFFLINE')
      .sort((a, b) => (b.lastEventAt ?? -Infinity) - (a.lastEventAt ?? -Infinity) || a.endpointId - b.endpointId);
    expect(offline.matched).toBe(expected.length);
    expect(offline.items.map((s) => s.endpointId)).toEqual(expected.slice(0, 25).map((s) => s.endpointId));
    const byStatus = await q.endpointPage({ ...NONE, sort: 'status', descending: false, page: 1, per: 200 });
    const rank = (s: EndpointState) => ENDPOINT_STATUSES.indexOf(s.status);
    expect(byStatus.items.map((s) => s.endpointId)).toEqual(
      [...states]
        .sort((a, b) => rank(a) - rank(b) || a.endpointId - b.endpointId)
        .slice(0, 200)
        .map((s) => s.endpointId),
    );
    const tail = await q.endpointPage({ ...NONE, sort: 'id', descending: false, page: 10_000, per: 50 });
    expect(tail.page).toBe(tail.pages);
    expect(tail.items.map((s) => s.endpointId)).toEqual(states.slice((tail.pages - 1) * 50).map((s) => s.endpointId));
    const iccid = states.find((s) => s.iccid !== null)?.iccid as string;
    const text = await q.endpointPage({ ...NONE, text: iccid.slice(-7).toUpperCase(), sort: 'id', descending: false, page: 1, per: 200 });
    expect(text.items.map((s) => s.endpointId)).toEqual(
      states
        .filter((s) => [String(s.endpointId), s.iccid, s.imsi, s.imei].some((v) => v?.toLowerCase().includes(iccid.slice(-7).toLowerCase())))
        .map((s) => s.endpointId),
    );
    // The name too, case-insensitive.
    const named = states.find((s) => s.name !== null && s.name.length > 4) as EndpointState;
    const part = (named.name as string).slice(-5).toUpperCase();
    const byName = await q.endpointPage({ ...NONE, text: part, sort: 'id', descending: false, page: 1, per: 200 });
    expect(byName.items.map((s) => s.endpointId)).toContain(named.endpointId);
    expect(byName.matched).toBe(
      states.filter((s) => [String(s.endpointId), s.iccid, s.imsi, s.imei, s.name].some((v) => v?.toLowerCase().includes(part.toLowerCase()))).length,
    );
    const unknownOrg = await q.endpointPage({ ...NONE, organisation: 'unknown', sort: 'id', descending: false, page: 1, per: 200 });
    expect(unknownOrg.matched).toBe(states.filter((s) => s.organisationId === null).length);
  });

  /** The log's changes as the `transitions` view orders the fleet's newest: time, event id, endpoint id, region, all descending. */
  const newestFirst = (): Transition[] => {
    const regions = ['connectivity', 'sim', 'endpoint', 'block', 'dataQuota', 'smsQuota', 'status'];
    const rank = (t: Transition) => regions.indexOf(t.region);
    const all = Array.from({ length: log.length }, (_, i) => log.get(i));
    return all.sort((a, b) => b.at - a.at || (a.eventId < b.eventId ? 1 : a.eventId > b.eventId ? -1 : 0) || b.endpointId - a.endpointId || rank(b) - rank(a));
  };

  it("returns the fleet's newest transitions, an organisation's change once per member, cut anywhere", async () => {
    const expected = newestFirst();
    // Cuts at both ends, and inside an organisation's change (its members share time and event).
    const inside = expected.findIndex((t, i) => i > 0 && t.eventId === expected[i - 1]?.eventId && t.region === expected[i - 1]?.region);
    expect(inside).toBeGreaterThan(0);
    for (const limit of [1, 25, inside, inside + 1, 1000, expected.length, expected.length + 10]) {
      expect(await q.recentTransitions(limit)).toEqual(expected.slice(0, limit));
    }
  });

  it('counts connectivity changes per bucket in the window of the newest ones, as the log holds them', async () => {
    const connectivity = newestFirst().filter((t) => t.region === 'connectivity');
    expect(connectivity.length).toBeGreaterThan(100);
    const all = await q.connectivityWindow(connectivity.length + 5);
    expect(all).toEqual({ from: (connectivity.at(-1) as Transition).at, to: (connectivity[0] as Transition).at });
    const window = await q.connectivityWindow(100);
    expect(window).toEqual({ from: (connectivity[99] as Transition).at, to: (connectivity[0] as Transition).at });
    for (const bucketSeconds of [1, 60, 3600]) {
      const expected = new Map<string, number>();
      for (const t of connectivity) {
        if (t.at < (window as { from: number }).from) continue;
        const key = `${Math.floor(t.at / 1000 / bucketSeconds) * bucketSeconds} ${t.to}`;
        expected.set(key, (expected.get(key) ?? 0) + 1);
      }
      const buckets = await q.connectivityBuckets(window as { from: number; to: number }, bucketSeconds);
      expect(new Map(buckets.map((b) => [`${b.start} ${b.to}`, b.changes]))).toEqual(expected);
      expect(buckets.map((b) => b.start)).toEqual([...buckets.map((b) => b.start)].sort((a, b) => a - b));
    }
  });

  it('refuses a schema without the fleet tables and a server it cannot reach, in one line', async () => {
    await expect(FleetQueries.open(url, { schema: 'nothing_here' })).rejects.toThrow(/schema nothing_here of .* has no fleet tables: write to it first/);
    // Port 1 on loopback: nothing listens there.
    const refused = FleetQueries.open('postgres://postgres@127.0.0.1:1/fleet', { connectTimeoutMs: 2000 });
    await expect(refused).rejects.toBeInstanceOf(PgFleetError);
    await expect(refused).rejects.toThrow(/127\.0\.0\.1:1/);
  });
});
