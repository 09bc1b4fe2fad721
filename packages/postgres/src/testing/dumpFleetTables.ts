import pg from 'pg';

/**
 * The tables simfleet writes (not `migrations`, which records when) and the key each is
 * ordered by: `transitions` is the view users read, `organisation_transitions` how its
 * shared changes are stored.
 */
const TABLE_KEYS = {
  endpoints: 'endpoint_id',
  transitions: 'endpoint_id, region, event_id',
  organisation_transitions: 'event_id, region, from_state, to_state',
  organisations: 'organisation_id',
  progress: 'stream',
} as const;

/**
 * Every row of simfleet's tables in a schema, in key order, as text: two schemas (or one
 * schema before and after) hold the same rows exactly when their dumps are equal.
 * `without` leaves tables out (e.g. `progress`, which differs between writers; leaving out
 * `transitions` leaves out `organisation_transitions` too).
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
      if (table === 'organisation_transitions' && without.includes('transitions')) continue;
      const { rows } = await client.query(`SELECT * FROM "${schema}".${table} ORDER BY ${key}`);
      parts.push(`${table} (${rows.length} rows)\n${rows.map((r) => JSON.stringify(r)).join('\n')}`);
    }
    return parts.join('\n');
  } finally {
    await client.end();
  }
}
