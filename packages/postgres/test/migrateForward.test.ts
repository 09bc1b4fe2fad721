/**
 * A schema written by a simfleet with migration 1 only (every change one row of
 * `transitions`, an organisation's block once per member) migrates forward: every row
 * stays readable, as it was, through the `transitions` view, and the same replay written
 * afterwards adds nothing and leaves the tables a fresh write gives.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FleetDatabase } from '../src/FleetDatabase.js';
import { MIGRATIONS, migrate } from '../src/migrations.js';
import { dumpFleetTables } from '../src/testing/dumpFleetTables.js';
import { freshDatabase } from '../src/testing/freshDatabase.js';
import { applyEvents, simulatedEvents } from './simulatedFleet.js';

let url: string;
let client: pg.Client;

beforeAll(async () => {
  url = await freshDatabase(inject('pgUrl'), 'migrate_forward');
  client = new pg.Client({ connectionString: url });
  await client.connect();
});
afterAll(async () => {
  await client.end();
});

const events = simulatedEvents({ events: 5000, devices: 300, seed: 23, organisations: 3 });
const ordered = 'SELECT endpoint_id, region, from_state, to_state, at, event_id FROM legacy.transitions ORDER BY endpoint_id, region, event_id';

/** The tables as migration 1's writer left them: every change a row, endpoints with their organisation. */
async function writeAsMigrationOne(): Promise<void> {
  const { fleet, log } = applyEvents(events);
  await migrate(client, 'legacy', MIGRATIONS.slice(0, 1));
  const ids = [...fleet.endpointIds()];
  await client.query(
    `INSERT INTO legacy.endpoints (endpoint_id, status, connectivity, blocked, organisation_id, data_quota_threshold_reached, sms_quota_threshold_reached, attaches, sessions, rejections)
     SELECT id, 'OFFLINE', 'OFFLINE', false, org, false, false, 0, 0, 0 FROM unnest($1::bigint[], $2::bigint[]) AS u (id, org)`,
    [ids, ids.map((id) => fleet.readEndpoint(id)!.organisationId)],
  );
  const rows = Array.from({ length: log.length }, (_, i) => log.get(i));
  await client.query(
    `INSERT INTO legacy.transitions SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::numeric[])`,
    [
      rows.map((t) => t.endpointId),
      rows.map((t) => t.region),
      rows.map((t) => t.from),
      rows.map((t) => t.to),
      rows.map((t) => new Date(t.at)),
      rows.map((t) => t.eventId.toString()),
    ],
  );
}

describe('migration 3: organisation changes stored once', () => {
  it('keeps every row of a schema at migration 1, readable as before, and the same replay then adds nothing', async () => {
    await writeAsMigrationOne();
    const before = (await client.query(ordered)).rows;
    const { rows: fanOut } = await client.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM (SELECT event_id FROM legacy.transitions GROUP BY event_id, region, from_state, to_state HAVING count(*) > 1) g',
    );
    expect(fanOut[0]!.n).toBeGreaterThan(0);

    const db = await FleetDatabase.open(url, { schema: 'legacy' });
    expect(db.migration.applied).toEqual(MIGRATIONS.slice(1).map((m) => m.version));
    await db.close();
    expect((await client.query(ordered)).rows).toEqual(before);
    const { rows: stored } = await client.query<{ own: number; shared: number; members: number }>(
      `SELECT (SELECT count(*)::int FROM legacy.endpoint_transitions) AS own, count(*)::int AS shared, coalesce(sum(cardinality(endpoint_ids)), 0)::int AS members
       FROM legacy.organisation_transitions`,
    );
    expect(stored[0]!.shared).toBe(fanOut[0]!.n);
    expect(stored[0]!.own + stored[0]!.members).toBe(before.length);
    expect(stored[0]!.own).toBeLessThan(before.length);

    const again = applyEvents(events);
    const writeTo = async (schema: string) => {
      const open = await FleetDatabase.open(url, { schema });
      try {
        return await open.writeReplay({ fleet: again.fleet, transitions: again.log, position: { inputs: ['fleet.ndjson'] }, asOf: again.asOf });
      } finally {
        await open.close();
      }
    };
    expect((await writeTo('legacy')).transitions).toBe(0);
    await writeTo('fresh_write');
    // The migrated rows keep the chunks the migration cut (a writer never rewrites a stored
    // list): the same rows through the views.
    const storage = ['organisation_changes', 'member_chunks'] as const;
    expect(await dumpFleetTables(url, 'legacy', storage)).toBe(await dumpFleetTables(url, 'fresh_write', storage));
  });
});
