/**
 * The SQL of docs/postgres.md, run as printed against a replayed fleet, each result
 * compared with the same question answered from the fleet and its transitions in
 * JavaScript. The queries are read from the page, so the page cannot drift from what is
 * tested.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FleetDatabase } from '../src/FleetDatabase.js';
import { freshDatabase } from '../src/testing/freshDatabase.js';
import { applyEvents, simulatedEvents } from './simulatedFleet.js';

const page = readFileSync(new URL('../../../docs/postgres.md', import.meta.url), 'utf8');

/** The ```sql block after `<!-- query: NAME -->`. */
function query(name: string): string {
  const match = new RegExp(`<!-- query: ${name} -->\\s*\`\`\`sql\\n([\\s\\S]*?)\`\`\``).exec(page);
  if (match === null) throw new Error(`docs/postgres.md has no query '${name}'`);
  return match[1]!;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
let client: pg.Client;
let now: number;
const startedAt = Date.now();
// Ten days of events ending five minutes ago: some devices went offline within the hour, most long before;
// organisations blocked their endpoints within the week too (this seed), so the view reads both tables.
const events = simulatedEvents({
  events: 12_000,
  devices: 600,
  seed: 42,
  organisations: 4,
  spread: { from: startedAt - 10 * DAY, to: startedAt - 5 * 60_000 },
});
const { fleet, log, asOf } = applyEvents(events);
const states = [...fleet.endpointIds()].map((id) => fleet.readEndpoint(id)!);
const transitions = Array.from({ length: log.length }, (_, i) => log.get(i));

beforeAll(async () => {
  const url = await freshDatabase(inject('pgUrl'), 'docs_queries');
  const db = await FleetDatabase.open(url);
  await db.writeReplay({ fleet, transitions: log, position: {}, asOf });
  await db.close();
  client = new pg.Client({ connectionString: url });
  await client.connect();
  // One transaction for all queries: now() is the same instant in each, and known here.
  await client.query('BEGIN');
  now = (await client.query<{ now: Date }>('SELECT now()')).rows[0]!.now.getTime();
});
afterAll(async () => {
  await client.query('COMMIT');
  await client.end();
});

describe('the queries of docs/postgres.md', () => {
  it('devices offline per organisation', async () => {
    const { rows } = await client.query(query('offline-per-organisation'));
    const byOrganisation = new Map<number | null, { offline: number; endpoints: number }>();
    for (const s of states) {
      const entry = byOrganisation.get(s.organisationId) ?? { offline: 0, endpoints: 0 };
      entry.endpoints++;
      if (s.connectivity === 'OFFLINE') entry.offline++;
      byOrganisation.set(s.organisationId, entry);
    }
    const expected = [...byOrganisation]
      .sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a - b))
      .map(([id, c]) => ({
        organisation_id: id === null ? null : String(id),
        organisation_blocked: id === null ? null : fleet.organisationBlocked(id),
        offline: String(c.offline),
        endpoints: String(c.endpoints),
      }));
    expect(byOrganisation.size).toBeGreaterThan(2);
    expect(rows).toEqual(expected);
  });

  it('devices offline for more than an hour', async () => {
    const { rows } = await client.query(query('offline-for-an-hour'));
    const expected = states
      .filter((s) => s.connectivity === 'OFFLINE' && s.since !== null && s.since < now - HOUR)
      .sort((a, b) => a.since! - b.since! || a.endpointId - b.endpointId)
      .map((s) => ({
        endpoint_id: String(s.endpointId),
        organisation_id: s.organisationId === null ? null : String(s.organisationId),
        since: new Date(s.since!),
      }));
    // Devices on both sides of the hour, and close to it: the threshold is what decides.
    const offlineSince = (from: number, to: number) =>
      states.filter((s) => s.connectivity === 'OFFLINE' && s.since !== null && s.since >= from && s.since < to);
    expect(expected.length).toBeGreaterThan(10);
    expect(offlineSince(now - HOUR, now).length).toBeGreaterThan(0);
    expect(offlineSince(now - 3 * HOUR, now - HOUR).length).toBeGreaterThan(0);
    expect(rows.map(({ offline_for: _, ...r }) => r)).toEqual(expected);
    expect(rows.every((r) => r.offline_for.hours >= 1 || r.offline_for.days >= 1)).toBe(true);
  });

  it("one device's transitions last week", async () => {
    // The device with the most changes, some of them older than a week.
    const perDevice = new Map<number, number>();
    for (const t of transitions) perDevice.set(t.endpointId, (perDevice.get(t.endpointId) ?? 0) + 1);
    // A device an organisation's block reached within the week (a change stored once for many).
    const reached = new Map<bigint, Set<number>>();
    for (const t of transitions)
      if (t.region === 'block' && t.at >= now - 7 * DAY) reached.set(t.eventId, (reached.get(t.eventId) ?? new Set()).add(t.endpointId));
    const blocked = new Set([...reached.values()].filter((ids) => ids.size > 1).flatMap((ids) => [...ids]));
    const [device] = [...perDevice].filter(([id]) => blocked.has(id)).sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]!;
    const { rows } = await client.query(query('device-transitions-last-week'), [device]);
    const mine = transitions.filter((t) => t.endpointId === device);
    const expected = mine
      .filter((t) => t.at >= now - 7 * DAY)
      .sort((a, b) => a.at - b.at || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0) || (a.region < b.region ? -1 : a.region > b.region ? 1 : 0))
      .map((t) => ({ at: new Date(t.at), region: t.region, from_state: t.from, to_state: t.to, event_id: t.eventId.toString() }));
    expect(mine.length).toBeGreaterThan(expected.length);
    expect(expected.length).toBeGreaterThan(3);
    // Among them, changes an organisation's block made (stored once, in organisation_transitions).
    expect(expected.some((t) => t.region === 'block' && (reached.get(BigInt(t.event_id))?.size ?? 0) > 1)).toBe(true);
    expect(rows).toEqual(expected);
    const { rows: twoTables } = await client.query(query('device-transitions-last-week-two-tables'), [device]);
    expect(twoTables).toEqual(expected);
  });

  it('connectivity changes per hour (the last day)', async () => {
    const { rows } = await client.query(query('connectivity-changes-per-hour'));
    const perHour = new Map<number, number>();
    for (const t of transitions) {
      if (t.region !== 'connectivity' || t.at < now - DAY) continue;
      const hour = Math.floor(t.at / HOUR) * HOUR;
      perHour.set(hour, (perHour.get(hour) ?? 0) + 1);
    }
    const expected = [...perHour].sort((a, b) => a[0] - b[0]).map(([hour, n]) => ({ hour: new Date(hour), changes: String(n) }));
    expect(expected.length).toBeGreaterThan(20);
    expect(rows).toEqual(expected);
  });
});
