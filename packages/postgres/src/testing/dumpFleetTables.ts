import pg from 'pg';

/**
 * The tables simfleet writes (not `migrations`, which records when) and the key each is
 * ordered by: `transitions` is the view users read, `organisation_transitions` the view of
 * its shared changes with their endpoints, `organisation_changes` and `member_chunks` how
 * those are stored.
 */
const TABLE_KEYS = {
  endpoints: 'endpoint_id',
  transitions: 'endpoint_id, region, event_id',
  organisation_transitions: 'event_id, region, from_state, to_state',
  organisation_changes: 'event_id, region, from_state, to_state',
  member_chunks: 'chunk_id',
  organisations: 'organisation_id',
  progress: 'stream',
} as const;

/** The tables of the view's shared changes. */
const SHARED_TABLES: readonly string[] = ['organisation_transitions', 'organisation_changes', 'member_chunks'];

/**
 * Every row of simfleet's tables in a schema, in key order, as text: two schemas (or one
 * schema before and after) hold the same rows exactly when their dumps are equal.
 * `without` leaves tables out (e.g. `progress`, which differs between writers; leaving out
 * `transitions` leaves out the tables of its shared changes too).
 *
 * @example
 * expect(await dumpFleetTables(url, 'run_twice')).toBe(before);
 */
export async function dumpFleetTables(url: string, schema: string, without: readonly (keyof typeof TABLE_KEYS)[] = []): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const parts: string[] = [];
    for (const [table, key] of Object.entries(TABLE_KEYS)) {
      if (without.includes(table as keyof typeof TABLE_KEYS)) continue;
      // How the view's shared changes are stored: left out with the view.
      if (SHARED_TABLES.includes(table) && without.includes('transitions')) continue;
      // A table a schema at an older migration does not have yet (compared with one at the same).
      const exists = await client.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [`"${schema}".${table}`]);
      if (exists.rows[0]?.t == null) continue;
      const { rows } = await client.query(`SELECT * FROM "${schema}".${table} ORDER BY ${key}`);
      parts.push(`${table} (${rows.length} rows)\n${rows.map((r) => JSON.stringify(r)).join('\n')}`);
    }
    return parts.join('\n');
  } finally {
    await client.end();
  }
}
