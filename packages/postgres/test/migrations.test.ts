import { endpointJson, FleetStore } from '@simfleet/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ENDPOINT_COLUMNS } from '../src/endpointRows.js';
import { FleetDatabase } from '../src/FleetDatabase.js';
import { MIGRATIONS, migrationChecksum } from '../src/migrations.js';
import { PgFleetError } from '../src/PgFleetError.js';
import { freshDatabase } from '../src/testing/freshDatabase.js';

let url: string;
let client: pg.Client;

beforeAll(async () => {
  url = await freshDatabase(inject('pgUrl'), 'migrations');
  client = new pg.Client({ connectionString: url });
  await client.connect();
});
afterAll(async () => {
  await client.end();
});

const snake = (key: string): string => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

describe('migrations', () => {
  it('creates the schema and records every migration with its checksum', async () => {
    const db = await FleetDatabase.open(url, { schema: 'fresh' });
    expect(db.migration.applied).toEqual(MIGRATIONS.map((m) => m.version));
    await db.close();
    const { rows } = await client.query('SELECT version, name, checksum FROM fresh.migrations ORDER BY version');
    expect(rows).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name, checksum: migrationChecksum(m) })));
  });

  it('applies nothing when the schema is current', async () => {
    await (await FleetDatabase.open(url, { schema: 'current' })).close();
    const again = await FleetDatabase.open(url, { schema: 'current' });
    expect(again.migration.applied).toEqual([]);
    await again.close();
  });

  it('uses the schema simfleet unless told otherwise', async () => {
    const db = await FleetDatabase.open(url);
    expect(db.schema).toBe('simfleet');
    await db.close();
    const { rows } = await client.query("SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = 'simfleet' ORDER BY table_name");
    expect(rows).toEqual(
      [
        ['endpoint_transitions', 'BASE TABLE'],
        ['endpoints', 'BASE TABLE'],
        ['member_chunks', 'BASE TABLE'],
        ['migrations', 'BASE TABLE'],
        ['organisation_changes', 'BASE TABLE'],
        ['organisation_transitions', 'VIEW'],
        ['organisations', 'BASE TABLE'],
        ['progress', 'BASE TABLE'],
        ['transitions', 'VIEW'],
      ].map(([table_name, table_type]) => ({ table_name, table_type })),
    );
  });

  it('has one endpoints column per snapshot field, in the snapshot order, the operator flattened', async () => {
    await (await FleetDatabase.open(url, { schema: 'columns' })).close();
    const fleet = new FleetStore();
    fleet.deviceIndex(1);
    const fields = Object.keys(endpointJson(fleet.readEndpoint(1)!)).flatMap((k) =>
      k === 'operator' ? ['operator_name', 'operator_mcc', 'operator_mnc', 'operator_country'] : [snake(k)],
    );
    const { rows } = await client.query(
      "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'columns' AND table_name = 'endpoints' ORDER BY ordinal_position",
    );
    expect(rows.map((r) => r.column_name)).toEqual(fields);
    expect([...ENDPOINT_COLUMNS]).toEqual(fields);
    const type = Object.fromEntries(rows.map((r) => [r.column_name, r.data_type]));
    expect(type).toMatchObject({
      endpoint_id: 'bigint',
      since: 'timestamp with time zone',
      blocked: 'boolean',
      last_event_id: 'numeric',
      last_event_at: 'timestamp with time zone',
      organisation_id: 'bigint',
      rat_type: 'integer',
    });
  });

  it('indexes what users filter on, and transitions by time with B-trees', async () => {
    await (await FleetDatabase.open(url, { schema: 'indexed' })).close();
    const { rows } = await client.query("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'indexed' ORDER BY indexname");
    const defs = rows.map((r) => r.indexdef.replace(/^.* USING /, ''));
    expect(defs).toEqual(
      expect.arrayContaining([
        'btree (status)',
        'btree (organisation_id, status)',
        'btree (operator_country, operator_name)',
        'btree (last_event_at)',
        "btree (at, to_state) WHERE (region = 'connectivity'::text)",
        'btree (endpoint_id, region, event_id)',
        'btree (event_id, region, from_state, to_state)',
        'btree (at)',
        'btree (organisation_id, at)',
      ]),
    );
    expect(defs.filter((d) => d === 'btree (at)')).toHaveLength(2);
    expect(defs.some((d) => d.startsWith('brin'))).toBe(false);
  });

  it('refuses a schema whose recorded migration differs from this simfleet', async () => {
    await (await FleetDatabase.open(url, { schema: 'tampered' })).close();
    await client.query("UPDATE tampered.migrations SET checksum = 'edited' WHERE version = 1");
    const error = await FleetDatabase.open(url, { schema: 'tampered' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PgFleetError);
    expect((error as PgFleetError).code).toBe('schema_mismatch');
    expect((error as PgFleetError).message).toMatch(/schema tampered: migration 1 .* another text/);
  });

  it('refuses a schema migrated by a newer simfleet', async () => {
    await (await FleetDatabase.open(url, { schema: 'newer' })).close();
    await client.query("INSERT INTO newer.migrations (version, name, checksum) VALUES (999, 'from the future', 'x')");
    const error = (await FleetDatabase.open(url, { schema: 'newer' }).catch((e: unknown) => e)) as PgFleetError;
    expect(error.code).toBe('schema_mismatch');
    expect(error.message).toMatch(/migration 999 .* does not know/);
    const { rows } = await client.query('SELECT count(*)::int AS n FROM newer.migrations');
    expect(rows[0].n).toBe(MIGRATIONS.length + 1);
  });

  it('two openings at once migrate once', async () => {
    const [a, b] = await Promise.all([FleetDatabase.open(url, { schema: 'racing' }), FleetDatabase.open(url, { schema: 'racing' })]);
    expect([...a.migration.applied, ...b.migration.applied]).toEqual(MIGRATIONS.map((m) => m.version));
    await Promise.all([a.close(), b.close()]);
  });
});
