/**
 * The schema, as numbered migrations. A migration, once released, is never edited: a
 * change is a new migration appended here. Each applied migration is recorded in
 * `<schema>.migrations` with the SHA-256 of its text, and `migrate` refuses a schema whose
 * record differs from this list (a migration edited after it ran, or one from a newer
 * simfleet) instead of guessing: nothing is dropped or rewritten silently.
 *
 * `{schema}` stands for the quoted schema name; the checksum is taken before it is
 * filled in, so the same migration has the same checksum in every schema.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { CHUNKS_IN_ID_ORDER_MIGRATION } from './migrationChunksInIdOrder.js';
import { ENDPOINT_NAME_MIGRATION } from './migrationEndpointName.js';
import { MEMBER_CHUNKS_MIGRATION } from './migrationMemberChunks.js';
import { ORGANISATION_TRANSITIONS_MIGRATION } from './migrationOrganisationTransitions.js';
import { TRANSITION_TIME_INDEX_MIGRATION } from './migrationTransitionTimeIndex.js';
import { PgFleetError, queryError } from './PgFleetError.js';
import { quoteSchema } from './schemaName.js';

/** One step of the schema. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'fleet tables',
    sql: `
-- One row per endpoint: the snapshot's endpoint entry (docs/snapshot.md), one typed column
-- per field in the snapshot's order, the operator object flattened into operator_*.
CREATE TABLE {schema}.endpoints (
  endpoint_id bigint PRIMARY KEY,
  status text NOT NULL,
  connectivity text NOT NULL,
  since timestamptz,
  sim_status text,
  endpoint_status text,
  blocked boolean NOT NULL,
  data_quota text,
  sms_quota text,
  organisation_id bigint,
  sim_id bigint,
  iccid text,
  imsi text,
  imei text,
  ip_address text,
  operator_name text,
  operator_mcc text,
  operator_mnc text,
  operator_country text,
  last_event_id numeric(20,0),
  last_event_at timestamptz,
  data_quota_threshold_reached boolean NOT NULL,
  sms_quota_threshold_reached boolean NOT NULL,
  rat_type integer,
  apn text,
  attaches bigint NOT NULL,
  sessions bigint NOT NULL,
  rejections bigint NOT NULL,
  last_rejection_reason text
);
CREATE INDEX endpoints_status ON {schema}.endpoints (status);
CREATE INDEX endpoints_organisation_status ON {schema}.endpoints (organisation_id, status);
CREATE INDEX endpoints_operator ON {schema}.endpoints (operator_country, operator_name);
CREATE INDEX endpoints_last_event_at ON {schema}.endpoints (last_event_at);

-- Every state change, append-only. The unique key makes a re-run add nothing; it also
-- serves "one endpoint's transitions" (endpoint_id first). Rows arrive in event time
-- order, so a BRIN index on at answers time ranges at a fraction of a B-tree's size.
CREATE TABLE {schema}.transitions (
  endpoint_id bigint NOT NULL,
  region text NOT NULL,
  from_state text NOT NULL,
  to_state text NOT NULL,
  at timestamptz NOT NULL,
  event_id numeric(20,0) NOT NULL,
  CONSTRAINT transitions_once UNIQUE (endpoint_id, region, event_id)
);
CREATE INDEX transitions_at ON {schema}.transitions USING brin (at);

-- The organisation machine's state (an organisation's block blocks its endpoints).
CREATE TABLE {schema}.organisations (
  organisation_id bigint PRIMARY KEY,
  state text NOT NULL,
  blocked boolean NOT NULL
);

-- What the rows cover, written in the same transaction as they are: per writer
-- ('replay', 'live'), its position (inputs and counts, or a journal position) and the
-- newest applied event.
CREATE TABLE {schema}.progress (
  stream text PRIMARY KEY,
  position jsonb NOT NULL,
  as_of timestamptz
);
`,
  },
  ENDPOINT_NAME_MIGRATION,
  ORGANISATION_TRANSITIONS_MIGRATION,
  TRANSITION_TIME_INDEX_MIGRATION,
  MEMBER_CHUNKS_MIGRATION,
  CHUNKS_IN_ID_ORDER_MIGRATION,
];

/** SHA-256 (hex) of a migration's text. */
export const migrationChecksum = (m: Migration): string => createHash('sha256').update(m.sql).digest('hex');

/** What `migrate` did. */
export interface MigrateResult {
  /** Versions applied now (empty when the schema was current). */
  readonly applied: readonly number[];
  /** The schema's version afterwards. */
  readonly version: number;
}

/**
 * Brings `schema` to the newest migration in one transaction, under an advisory lock so
 * two simfleets starting together do not both migrate. Creates the schema when missing.
 *
 * @example
 * await migrate(client, 'simfleet'); // { applied: [1], version: 1 } the first time
 */
export async function migrate(client: pg.Client, schema: string, migrations: readonly Migration[] = MIGRATIONS): Promise<MigrateResult> {
  const s = quoteSchema(schema);
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`simfleet migrations ${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${s}.migrations (version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const { rows } = await client.query<{ version: number; name: string; checksum: string }>(
      `SELECT version, name, checksum FROM ${s}.migrations ORDER BY version`,
    );
    const known = new Map(migrations.map((m) => [m.version, m]));
    for (const row of rows) {
      const mine = known.get(row.version);
      if (mine === undefined) {
        throw new PgFleetError(
          'schema_mismatch',
          `schema ${schema} is at migration ${row.version} ('${row.name}'), which this simfleet does not know (it knows up to ${migrations.length}): use the simfleet that migrated it, or another --pg-schema`,
        );
      }
      if (migrationChecksum(mine) !== row.checksum) {
        throw new PgFleetError(
          'schema_mismatch',
          `schema ${schema}: migration ${row.version} ('${row.name}') was recorded with another text than this simfleet's: refusing to touch the schema`,
        );
      }
    }
    const done = new Set(rows.map((r) => r.version));
    const applied: number[] = [];
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      await client.query(m.sql.replaceAll('{schema}', s));
      await client.query(`INSERT INTO ${s}.migrations (version, name, checksum) VALUES ($1, $2, $3)`, [m.version, m.name, migrationChecksum(m)]);
      applied.push(m.version);
    }
    await client.query('COMMIT');
    return { applied, version: Math.max(0, ...migrations.map((m) => m.version)) };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw queryError(`migrating schema ${schema}`, error);
  }
}
