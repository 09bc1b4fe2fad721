/**
 * The endpoint name column: a schema migrated before it existed gets it on open (forward
 * only, its rows kept), and the replay and live writers fill it.
 */
import { applyBatch, EMPTY_OBSERVATION, endpointJsonText, FleetStore } from '@simfleet/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FleetDatabase } from '../src/FleetDatabase.js';
import { ENDPOINT_NAME_MIGRATION } from '../src/migrationEndpointName.js';
import { MIGRATIONS, migrate } from '../src/migrations.js';
import { endpointRowsAsJson } from '../src/testing/endpointRowsAsJson.js';
import { freshDatabase } from '../src/testing/freshDatabase.js';
import { TransitionLog } from '../src/TransitionLog.js';
import { applyEvents, simulatedEvents } from './simulatedFleet.js';

let url: string;
let client: pg.Client;

beforeAll(async () => {
  url = await freshDatabase(inject('pgUrl'), 'endpoint_name');
  client = new pg.Client({ connectionString: url });
  await client.connect();
});
afterAll(async () => {
  await client.end();
});

const before = MIGRATIONS.filter((m) => m.version < ENDPOINT_NAME_MIGRATION.version);

describe('endpoints.name', () => {
  it('is the migration after the first, in the list the databases are migrated with', () => {
    expect(MIGRATIONS).toContain(ENDPOINT_NAME_MIGRATION);
    expect(before.length).toBeGreaterThan(0);
    expect(MIGRATIONS.map((m) => m.version)).toEqual([...MIGRATIONS.map((m) => m.version)].sort((a, b) => a - b));
  });

  it('reaches a database migrated before it: the column is added, existing rows are kept with NULL', async () => {
    await migrate(client, 'older', before);
    await client.query(
      `INSERT INTO older.endpoints (endpoint_id, status, connectivity, blocked, data_quota_threshold_reached, sms_quota_threshold_reached, attaches, sessions, rejections, imei)
       VALUES (7, 'OFFLINE', 'OFFLINE', false, false, false, 0, 0, 0, '8693700220003770')`,
    );
    const db = await FleetDatabase.open(url, { schema: 'older' });
    expect(db.migration.applied).toEqual(MIGRATIONS.filter((m) => m.version >= ENDPOINT_NAME_MIGRATION.version).map((m) => m.version));
    await db.close();
    const { rows } = await client.query('SELECT endpoint_id, imei, name FROM older.endpoints');
    expect(rows).toEqual([{ endpoint_id: '7', imei: '8693700220003770', name: null }]);
    const type = await client.query(
      "SELECT data_type FROM information_schema.columns WHERE table_schema = 'older' AND table_name = 'endpoints' AND column_name = 'name'",
    );
    expect(type.rows).toEqual([{ data_type: 'text' }]);
    // Opening again applies nothing: the migration is recorded.
    const again = await FleetDatabase.open(url, { schema: 'older' });
    expect(again.migration.applied).toEqual([]);
    await again.close();
  });

  it('is filled by the replay writer: the table equals the snapshot, names included', async () => {
    const { fleet, log, asOf } = applyEvents(simulatedEvents({ events: 3000, devices: 200, seed: 5 }));
    const db = await FleetDatabase.open(url, { schema: 'older' });
    try {
      await db.writeReplay({ fleet, transitions: log, position: { inputs: ['fleet.ndjson'] }, asOf });
    } finally {
      await db.close();
    }
    const expected = [...fleet.endpointIds()].sort((a, b) => a - b).map((id) => endpointJsonText(fleet.readEndpoint(id)!));
    expect(await endpointRowsAsJson(url, 'older')).toEqual(expected);
    const named = await client.query("SELECT count(*)::int AS n FROM older.endpoints WHERE name IS NOT NULL AND name <> ''");
    expect(named.rows[0].n).toBe(fleet.endpointCount);
  });

  it('is updated by the live writer when an event renames an endpoint', async () => {
    const fleet = new FleetStore();
    const columns = fleet.createColumns();
    const at = Date.UTC(2026, 0, 1);
    const event = (n: number, name: string | null) => ({
      type: 'ATTACH' as const,
      at: at + n,
      eventId: 900_000_000_000_000n + BigInt(n),
      endpointId: 11089066,
      observation: { ...EMPTY_OBSERVATION, organisationId: 12033, name },
    });
    const db = await FleetDatabase.open(url, { schema: 'live_names' });
    try {
      for (const [n, name] of [
        [1, 'Tracker\t"A"'],
        [2, null],
        [3, 'Tracker B'],
      ] as const) {
        columns.clear();
        columns.push(event(n, name));
        const transitions = new TransitionLog();
        applyBatch(fleet, columns, { onTransition: transitions.push });
        await db.applyLive({ fleet, endpointIds: [11089066], transitions, position: { journal: n }, asOf: at + n });
        const { rows } = await client.query('SELECT name FROM live_names.endpoints WHERE endpoint_id = 11089066');
        expect(rows).toEqual([{ name: n === 3 ? 'Tracker B' : 'Tracker\t"A"' }]);
      }
    } finally {
      await db.close();
    }
  });
});
