/**
 * Migration: the endpoint's name (`endpoint.name` of the latest event that said one, the
 * snapshot entry's `name`). Its own file so that migrations written at the same time stay
 * separate: only `version` needs renumbering when another lands first.
 *
 * Forward-only, like every migration: an existing `endpoints` table gets the column, NULL
 * in its rows until a writer next writes them (a replay writes every row; the live writer
 * the rows of the endpoints it changes).
 */
import type { Migration } from './migrations.js';

/** `endpoints.name text`, appended (the column list of `ENDPOINT_COLUMNS` ends with it). */
export const ENDPOINT_NAME_MIGRATION: Migration = {
  version: 2,
  name: 'endpoint name',
  sql: `
-- The endpoint's name, as the latest event (in time, then id order) that carried one spelled it.
ALTER TABLE {schema}.endpoints ADD COLUMN name text;
`,
};
