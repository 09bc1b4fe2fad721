/**
 * Migration 4: a schema at migration 3 (BRIN on `endpoint_transitions.at`) gets the B-tree
 * indexes on open, keeps every row, and reads the fleet's newest changes and its
 * connectivity buckets as a schema created at migration 4 does.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FleetDatabase } from '../src/FleetDatabase.js';
import { FleetQueries } from '../src/FleetQueries.js';
import { TRANSITION_TIME_INDEX_MIGRATION } from '../src/migrationTransitionTimeIndex.js';
import { MIGRATIONS, migrate } from '../src/migrations.js';
import { dumpFleetTables } from '../src/testing/dumpFleetTables.js';
import { freshDatabase } from '../src/testing/freshDatabase.js';
import { applyEvents, simulatedEvents } from './simulatedFleet.js';

let url: string;
let client: pg.Client;

beforeAll(async () => {
  url = await freshDatabase(inject('pgUrl'), 'time_index');
  client = new pg.Client({ connectionString: url });
  await client.connect();
});
afterAll(async () => {
  await client.end();
});

const indexes = async (schema: string): Promise<string[]> => {
  const { rows } = await client.query<{ d: string }>(
    "SELECT indexname || ' ' || regexp_replace(indexdef, '^.* USING ', '') AS d FROM pg_indexes WHERE schemaname = $1 AND tablename = 'endpoint_transitions' ORDER BY 1",
    [schema],
  );
  return rows.map((r) => r.d);
};

describe('migration 4: transitions by time, B-tree', () => {
  it('follows migration 3 in the list the databases are migrated with', () => {
    expect(MIGRATIONS[3]).toBe(TRANSITION_TIME_INDEX_MIGRATION);
    expect(MIGRATIONS.map((m) => m.version).slice(0, 4)).toEqual([1, 2, 3, 4]);
  });

  it('brings a schema at migration 3 to 4: its rows kept, BRIN replaced by the B-trees, the reads equal a new schema', async () => {
    const { fleet, log, asOf } = applyEvents(simulatedEvents({ events: 4000, devices: 250, seed: 41, organisations: 3 }));
    // The rows, written by this simfleet; the reference: a schema created at migration 4 holding them.
    const fresh = await FleetDatabase.open(url, { schema: 'written_now' });
    await fresh.writeReplay({ fleet, transitions: log, position: { inputs: ['simulated'] }, asOf });
    await fresh.close();
    const copyRows = async (schema: string) => {
      for (const table of ['endpoints', 'endpoint_transitions', 'organisations', 'progress']) {
        await client.query(`INSERT INTO ${schema}.${table} SELECT * FROM written_now.${table}`);
      }
      await client.query(
        `INSERT INTO ${schema}.organisation_transitions SELECT organisation_id, region, from_state, to_state, at, event_id, endpoint_ids FROM written_now.organisation_transitions`,
      );
    };
    await migrate(client, 'at_four', MIGRATIONS.slice(0, 4));
    await copyRows('at_four');
    // The same rows in a schema that a simfleet of migration 3 created.
    await migrate(client, 'at_three', MIGRATIONS.slice(0, 3));
    expect(await indexes('at_three')).toEqual(['endpoint_transitions_at brin (at)', 'endpoint_transitions_once btree (endpoint_id, region, event_id)']);
    await copyRows('at_three');
    const before = await dumpFleetTables(url, 'at_three');
    expect(before).toBe(await dumpFleetTables(url, 'at_four'));

    expect((await migrate(client, 'at_three', MIGRATIONS.slice(0, 4))).applied).toEqual([4]);
    expect(await dumpFleetTables(url, 'at_three')).toBe(before);
    const expected = [
      'endpoint_transitions_at btree (at)',
      "endpoint_transitions_connectivity_at btree (at, to_state) WHERE (region = 'connectivity'::text)",
      'endpoint_transitions_once btree (endpoint_id, region, event_id)',
    ];
    expect(await indexes('at_three')).toEqual(expected);
    expect(await indexes('at_four')).toEqual(expected);
    const { rows } = await client.query('SELECT version, name FROM at_three.migrations WHERE version = 4');
    expect(rows).toEqual([{ version: 4, name: TRANSITION_TIME_INDEX_MIGRATION.name }]);

    // The reads, once both schemas are brought to the newest migration.
    for (const schema of ['at_three', 'at_four']) await (await FleetDatabase.open(url, { schema })).close();
    const [migrated, created] = await Promise.all([FleetQueries.open(url, { schema: 'at_three' }), FleetQueries.open(url, { schema: 'at_four' })]);
    try {
      const recent = await migrated.recentTransitions(100);
      expect(recent).toHaveLength(100);
      expect(recent).toEqual(await created.recentTransitions(100));
      const window = await migrated.connectivityWindow(500);
      expect(window).not.toBeNull();
      expect(window).toEqual(await created.connectivityWindow(500));
      const buckets = await migrated.connectivityBuckets(window!, 60);
      expect(buckets.reduce((n, b) => n + b.changes, 0)).toBeGreaterThanOrEqual(500);
      expect(buckets).toEqual(await created.connectivityBuckets(window!, 60));
    } finally {
      await Promise.all([migrated.close(), created.close()]);
    }
    // Opening again applies nothing.
    const again = await FleetDatabase.open(url, { schema: 'at_three' });
    expect(again.migration.applied).toEqual([]);
    await again.close();
  });
});
