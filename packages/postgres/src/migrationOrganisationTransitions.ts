/**
 * Migration: a change that one event makes to several endpoints at once (an
 * organisation's block reaching its members) stored once, in `organisation_transitions`,
 * with the endpoints it reached; `transitions` becomes the view that presents every
 * change per endpoint, over that table and `endpoint_transitions` (the former
 * `transitions` table). Rows written before move by the writer's rule; the view returns
 * exactly the rows the table held (docs/postgres.md). Its own file, like the other
 * migrations written at the same time: only `version` needs renumbering when another
 * lands first.
 */
import type { Migration } from './migrations.js';

/** `organisation_transitions`, `endpoint_transitions` and the `transitions` view. */
export const ORGANISATION_TRANSITIONS_MIGRATION: Migration = {
  version: 3,
  name: 'organisation changes stored once',
  sql: `
-- A change that one event makes to several endpoints at once (an organisation's block
-- reaching its members, and the status that follows) is stored once, with the endpoints
-- it reached, instead of once per endpoint: a block of a 10,000-member organisation is
-- two or three rows here instead of 20,000 in the table below. Keyed by the event and the
-- change: an event reaches one organisation.
CREATE TABLE {schema}.organisation_transitions (
  organisation_id bigint,
  region text NOT NULL,
  from_state text NOT NULL,
  to_state text NOT NULL,
  at timestamptz NOT NULL,
  event_id numeric(20,0) NOT NULL,
  endpoint_ids bigint[] NOT NULL,
  CONSTRAINT organisation_transitions_once UNIQUE (event_id, region, from_state, to_state)
);
-- Uncompressed: a replay writes tens of millions of ids here, and compressing them
-- (pglz, the default) took three times as long as writing them (8 bytes an id).
ALTER TABLE {schema}.organisation_transitions ALTER COLUMN endpoint_ids SET STORAGE EXTERNAL;
CREATE INDEX organisation_transitions_at ON {schema}.organisation_transitions (at);
CREATE INDEX organisation_transitions_organisation ON {schema}.organisation_transitions (organisation_id, at);

-- The per-endpoint table keeps the changes of one endpoint alone, under its own name.
ALTER TABLE {schema}.transitions RENAME TO endpoint_transitions;
ALTER TABLE {schema}.endpoint_transitions RENAME CONSTRAINT transitions_once TO endpoint_transitions_once;
ALTER INDEX {schema}.transitions_at RENAME TO endpoint_transitions_at;

-- Rows written before: a change one event made to several endpoints moves to the new
-- table (the rule the writer follows), every row stays readable through the view below.
INSERT INTO {schema}.organisation_transitions (organisation_id, region, from_state, to_state, at, event_id, endpoint_ids)
SELECT min(e.organisation_id), t.region, t.from_state, t.to_state, min(t.at), t.event_id, array_agg(DISTINCT t.endpoint_id ORDER BY t.endpoint_id)
FROM {schema}.endpoint_transitions t LEFT JOIN {schema}.endpoints e USING (endpoint_id)
GROUP BY t.event_id, t.region, t.from_state, t.to_state
HAVING count(DISTINCT t.endpoint_id) >= 2;
DELETE FROM {schema}.endpoint_transitions t USING {schema}.organisation_transitions o
WHERE t.endpoint_id = ANY (o.endpoint_ids) AND t.region = o.region AND t.event_id = o.event_id
  AND t.from_state = o.from_state AND t.to_state = o.to_state;

-- What users read: one row per state change of an endpoint, whichever table holds it.
CREATE VIEW {schema}.transitions AS
SELECT endpoint_id, region, from_state, to_state, at, event_id FROM {schema}.endpoint_transitions
UNION ALL
SELECT m.endpoint_id, o.region, o.from_state, o.to_state, o.at, o.event_id
FROM {schema}.organisation_transitions o CROSS JOIN LATERAL unnest(o.endpoint_ids) AS m (endpoint_id);
`,
};
