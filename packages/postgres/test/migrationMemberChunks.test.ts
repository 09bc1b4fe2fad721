/**
 * Migration 5: a schema at migration 4 (each organisation change with its whole
 * `endpoint_ids` array) moves its lists into `member_chunks`, cut in SQL exactly where the
 * writer cuts (memberChunks.ts), and reads the same rows through `organisation_transitions`
 * and `transitions`; the same replay written afterwards adds nothing and leaves the tables
 * a fresh write gives.
 */
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FleetDatabase } from '../src/FleetDatabase.js';
import { MemberChunker } from '../src/memberChunks.js';
import { MEMBER_CHUNKS_MIGRATION } from '../src/migrationMemberChunks.js';
import { MIGRATIONS, migrate } from '../src/migrations.js';
import { dumpFleetTables } from '../src/testing/dumpFleetTables.js';
import { freshDatabase } from '../src/testing/freshDatabase.js';
import { applyEvents, simulatedEvents } from './simulatedFleet.js';

let url: string;
let client: pg.Client;

beforeAll(async () => {
  url = await freshDatabase(inject('pgUrl'), 'member_chunks');
  client = new pg.Client({ connectionString: url });
  await client.connect();
});
afterAll(async () => {
  await client.end();
});

const events = simulatedEvents({ events: 5000, devices: 300, seed: 29, organisations: 3 });
const viewRows = (schema: string) =>
  client.query(
    `SELECT endpoint_id, region, from_state, to_state, at, event_id FROM ${schema}.transitions ORDER BY endpoint_id, region, event_id, from_state, to_state`,
  );
const organisationRows = (schema: string) =>
  client.query(
    `SELECT organisation_id, region, from_state, to_state, at, event_id, endpoint_ids FROM ${schema}.organisation_transitions ORDER BY event_id, region, from_state, to_state`,
  );

/** A replay as this simfleet writes it, into a new schema. */
async function writeReplayTo(schema: string): Promise<number> {
  const { fleet, log, asOf } = applyEvents(events);
  const db = await FleetDatabase.open(url, { schema });
  try {
    return (await db.writeReplay({ fleet, transitions: log, position: { inputs: ['fleet.ndjson'] }, asOf })).transitions;
  } finally {
    await db.close();
  }
}

describe('migration 5: organisation members in shared chunks', () => {
  it('follows migration 4 in the list the databases are migrated with', () => {
    expect(MIGRATIONS[4]).toBe(MEMBER_CHUNKS_MIGRATION);
    expect(MIGRATIONS.map((m) => m.version).slice(0, 5)).toEqual([1, 2, 3, 4, 5]);
  });

  it('brings a schema at migration 4 to 5: the same rows through both views, and a replay written again adds nothing', async () => {
    await writeReplayTo('written_now');
    await migrate(client, 'at_four', MIGRATIONS.slice(0, 4));
    for (const table of ['endpoints', 'endpoint_transitions', 'organisations', 'progress']) {
      await client.query(`INSERT INTO at_four.${table} SELECT * FROM written_now.${table}`);
    }
    await client.query(
      `INSERT INTO at_four.organisation_transitions SELECT organisation_id, region, from_state, to_state, at, event_id, endpoint_ids FROM written_now.organisation_transitions`,
    );
    const { rows: before } = await viewRows('at_four');
    const { rows: organisationsBefore } = await organisationRows('at_four');
    expect(organisationsBefore.length).toBeGreaterThan(0);
    expect(before).toEqual((await viewRows('written_now')).rows);

    const db = await FleetDatabase.open(url, { schema: 'at_four' });
    expect(db.migration.applied).toEqual(MIGRATIONS.slice(4).map((m) => m.version));
    await db.close();
    expect((await viewRows('at_four')).rows).toEqual(before);
    expect((await organisationRows('at_four')).rows).toEqual(organisationsBefore);
    const { rows: counts } = await client.query('SELECT endpoint_count, cardinality(endpoint_ids) AS n FROM at_four.organisation_transitions');
    for (const r of counts) expect(r.endpoint_count).toBe(r.n);

    expect(await writeReplayTo('at_four')).toBe(0);
    // Rows the migration cut are kept as cut (a writer adds what they lack, never rewrites
    // them): the same rows through the views, stored in chunks of their own.
    const storage = ['progress', 'organisation_changes', 'member_chunks'] as const;
    expect(await dumpFleetTables(url, 'at_four', storage)).toBe(await dumpFleetTables(url, 'written_now', storage));
  });

  it('cuts every list where the writer cuts it, chunk ids and ids alike, any safe integers included', async () => {
    const lists = fc.sample(
      fc
        .uniqueArray(fc.oneof(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.maxSafeInteger(), fc.integer({ min: -(2 ** 40), max: 2 ** 40 })), {
          maxLength: 2000,
        })
        .map((ids) => ids.sort((a, b) => a - b)),
      { numRuns: 40, seed: 5 },
    );
    lists.push([]);
    await migrate(client, 'cut_four', MIGRATIONS.slice(0, 4));
    await client.query(
      `INSERT INTO cut_four.organisation_transitions (organisation_id, region, from_state, to_state, at, event_id, endpoint_ids)
       SELECT NULL, 'block', 'NOT_BLOCKED', 'BLOCKED', '2026-01-01T00:00:00Z', k, ARRAY(SELECT jsonb_array_elements_text(l)::bigint)
       FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS u (l, k)`,
      [JSON.stringify(lists)],
    );
    await migrate(client, 'cut_four');
    const { rows } = await client.query<{ k: string; chunk_ids: Buffer[]; chunk_masks: null; endpoint_count: number }>(
      'SELECT event_id::text AS k, chunk_ids, chunk_masks, endpoint_count FROM cut_four.organisation_changes ORDER BY event_id',
    );
    const { rows: stored } = await client.query<{ chunk_id: Buffer; ids: string[] }>(
      'SELECT chunk_id, endpoint_ids::text[] AS ids FROM cut_four.member_chunks',
    );
    const chunks = new Map(stored.map((r) => [r.chunk_id.toString('hex'), r.ids.map(Number)]));
    const chunker = new MemberChunker();
    expect(rows).toHaveLength(lists.length);
    rows.forEach((r, k) => {
      const list = chunker.encode(Float64Array.from(lists[k] as number[]));
      expect(r.endpoint_count).toBe((lists[k] as number[]).length);
      expect(r.chunk_masks).toBeNull();
      expect(r.chunk_ids.map((id) => id.toString('hex'))).toEqual(list.chunks.map((c) => c.id.toString('hex')));
      for (const c of list.chunks) expect(chunks.get(c.id.toString('hex'))).toEqual([...c.endpointIds]);
    });
    expect(chunks.size).toBe(chunker.chunks.size);
  });
});
