/**
 * Migration: `endpoint_transitions` by time through B-trees instead of BRIN, so that the
 * fleet's newest changes and the connectivity changes of a time window are read from the
 * newest end of an index (the dashboard's overview with `serve --pg`) instead of a scan of
 * the table. Its own file, like the other migrations written at the same time: only
 * `version` needs renumbering when another lands first.
 *
 * Forward-only, like every migration: on an existing table the indexes are built once, in
 * the transaction that opens the schema (about a second per million rows here).
 */
import type { Migration } from './migrations.js';

/** A B-tree on `at`, a partial one on the connectivity changes by time; the BRIN index goes. */
export const TRANSITION_TIME_INDEX_MIGRATION: Migration = {
  version: 4,
  name: 'transitions by time, B-tree',
  sql: `
-- BRIN finds a time range but not the newest rows: "the latest 25 changes" sorted the whole
-- table (0.5 s on 1.45M rows; through the view, which unnests every organisation row, 16 s).
-- A B-tree on at reads them from its newest end, and answers every time range as well.
CREATE INDEX endpoint_transitions_at_btree ON {schema}.endpoint_transitions (at);
DROP INDEX {schema}.endpoint_transitions_at;
ALTER INDEX {schema}.endpoint_transitions_at_btree RENAME TO endpoint_transitions_at;

-- Connectivity changes by time, with the state entered: the chart of a time window counts
-- them from this index alone (index-only), without reading the other regions' rows.
CREATE INDEX endpoint_transitions_connectivity_at ON {schema}.endpoint_transitions (at, to_state) WHERE region = 'connectivity';
`,
};
