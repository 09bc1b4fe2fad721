/**
 * Migration: `organisation_transitions` gives a change's endpoint ids ascending whatever
 * the order of its chunks. Several writers of one change (cluster workers, each with its
 * own endpoints of an organisation) append their chunks to its row one after the other
 * (FleetDatabase's merge), so the chunks in order no longer spell one ascending list;
 * the view sorts the ids instead of following the chunks. Rows, counts and the
 * `transitions` view are unchanged.
 */
import type { Migration } from './migrations.js';

/** `organisation_transitions` again, its ids ordered by id rather than by chunk. */
export const CHUNKS_IN_ID_ORDER_MIGRATION: Migration = {
  version: 6,
  name: 'organisation members ascending whatever their chunks',
  sql: `
CREATE OR REPLACE VIEW {schema}.organisation_transitions AS
SELECT o.organisation_id, o.region, o.from_state, o.to_state, o.at, o.event_id,
       ARRAY(SELECT u.endpoint_id
             FROM unnest(o.chunk_ids, o.chunk_masks) AS r (chunk_id, mask)
             JOIN {schema}.member_chunks c ON c.chunk_id = r.chunk_id
             CROSS JOIN LATERAL unnest(c.endpoint_ids) WITH ORDINALITY AS u (endpoint_id, j)
             WHERE r.mask IS NULL OR get_bit(r.mask, (u.j - 1)::int) = 1
             ORDER BY u.endpoint_id) AS endpoint_ids,
       o.endpoint_count
FROM {schema}.organisation_changes o;
`,
};
