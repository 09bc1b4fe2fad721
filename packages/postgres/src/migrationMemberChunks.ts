/**
 * Migration: the endpoints an organisation change reached, stored as content-defined
 * chunks (`member_chunks`, each distinct chunk once) that the change's row refers to in
 * order, instead of one `bigint[]` per row: a replay's organisations block and unblock
 * the same members again and again, and wrote them all again each time (40 M ids for
 * the bench's log, nearly all repeats). The table of the rows becomes
 * `organisation_changes`; `organisation_transitions` is now the view that gives back
 * every row with its `endpoint_ids` as before, and `transitions` reads the chunks. How the
 * writer cuts (memberChunks.ts), this migration cuts existing rows the same way, in SQL.
 * Its own file, like the other migrations written at the same time: only `version` needs
 * renumbering when another lands first.
 */
import type { Migration } from './migrations.js';

/**
 * `member_chunks`, `organisation_changes` (the former `organisation_transitions` table, its
 * arrays moved into chunks) and the views `organisation_transitions` and `transitions`.
 */
export const MEMBER_CHUNKS_MIGRATION: Migration = {
  version: 5,
  name: 'organisation members in shared chunks',
  sql: `
-- A chunk of an ascending endpoint list, stored once: named by the first 16 bytes of the
-- SHA-256 of its ids (each 8 bytes big-endian, as int8send gives them).
CREATE TABLE {schema}.member_chunks (
  chunk_id bytea PRIMARY KEY,
  endpoint_ids bigint[] NOT NULL
);
-- Uncompressed, like the arrays before (compressing ids cost more than writing them).
ALTER TABLE {schema}.member_chunks ALTER COLUMN endpoint_ids SET STORAGE EXTERNAL;

-- The views read the arrays about to move: they go first, and come back below.
DROP VIEW {schema}.transitions;
ALTER TABLE {schema}.organisation_transitions RENAME TO organisation_changes;
ALTER TABLE {schema}.organisation_changes RENAME CONSTRAINT organisation_transitions_once TO organisation_changes_once;
ALTER INDEX {schema}.organisation_transitions_at RENAME TO organisation_changes_at;
ALTER INDEX {schema}.organisation_transitions_organisation RENAME TO organisation_changes_organisation;
-- A row's endpoints: the ids of its chunks in order; a chunk with a mask holds those of
-- its ids whose bit is set (get_bit(mask, j - 1) for its id j; chunk_masks NULL: none has
-- one). endpoint_count is how many there are.
ALTER TABLE {schema}.organisation_changes ADD COLUMN endpoint_count integer, ADD COLUMN chunk_ids bytea[], ADD COLUMN chunk_masks bytea[];

-- Rows written before: each list cut where the writer cuts it (after an id whose mixed
-- hash has its low 8 bits zero, memberChunks.ts isChunkEnd), without masks.
WITH members AS (
  SELECT o.event_id, o.region, o.from_state, o.to_state, u.endpoint_id, u.n,
         (((h2 # (h2 >> 16)) & 255) = 0) AS chunk_end
  FROM {schema}.organisation_changes o
  CROSS JOIN LATERAL unnest(o.endpoint_ids) WITH ORDINALITY AS u (endpoint_id, n)
  CROSS JOIN LATERAL (SELECT ((u.endpoint_id & 4294967295) * 1540483477) % 4294967296
                             + ((((u.endpoint_id >> 32) * 668265263) % 4294967296) + 4294967296) % 4294967296 AS sum1) AS a
  CROSS JOIN LATERAL (SELECT a.sum1 % 4294967296 AS h1) AS b
  CROSS JOIN LATERAL (SELECT ((b.h1 # (b.h1 >> 16)) * 73244475) % 4294967296 AS h2) AS c
), numbered AS (
  SELECT event_id, region, from_state, to_state, endpoint_id, n,
         coalesce(count(*) FILTER (WHERE chunk_end) OVER (PARTITION BY event_id, region, from_state, to_state ORDER BY n
                                                          ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS chunk
  FROM members
), chunks AS (
  SELECT event_id, region, from_state, to_state, chunk, array_agg(endpoint_id ORDER BY n) AS endpoint_ids,
         substring(sha256(string_agg(int8send(endpoint_id), ''::bytea ORDER BY n)) FROM 1 FOR 16) AS chunk_id
  FROM numbered GROUP BY event_id, region, from_state, to_state, chunk
), stored AS (
  INSERT INTO {schema}.member_chunks (chunk_id, endpoint_ids)
  SELECT DISTINCT ON (chunk_id) chunk_id, endpoint_ids FROM chunks ORDER BY chunk_id
)
UPDATE {schema}.organisation_changes o SET chunk_ids = r.chunk_ids
FROM (SELECT event_id, region, from_state, to_state, array_agg(chunk_id ORDER BY chunk) AS chunk_ids FROM chunks GROUP BY 1, 2, 3, 4) AS r
WHERE (o.event_id, o.region, o.from_state, o.to_state) = (r.event_id, r.region, r.from_state, r.to_state);
UPDATE {schema}.organisation_changes SET endpoint_count = cardinality(endpoint_ids), chunk_ids = coalesce(chunk_ids, '{}');
ALTER TABLE {schema}.organisation_changes DROP COLUMN endpoint_ids;
ALTER TABLE {schema}.organisation_changes ALTER COLUMN endpoint_count SET NOT NULL, ALTER COLUMN chunk_ids SET NOT NULL;
-- Chunk ids (hashes) do not compress, masks hardly: stored as they are, not tried with pglz.
ALTER TABLE {schema}.organisation_changes ALTER COLUMN chunk_ids SET STORAGE EXTERNAL, ALTER COLUMN chunk_masks SET STORAGE EXTERNAL;

-- Every row as before, endpoint_ids ascending as they were stored, and how many.
CREATE VIEW {schema}.organisation_transitions AS
SELECT o.organisation_id, o.region, o.from_state, o.to_state, o.at, o.event_id,
       ARRAY(SELECT u.endpoint_id
             FROM unnest(o.chunk_ids, o.chunk_masks) WITH ORDINALITY AS r (chunk_id, mask, k)
             JOIN {schema}.member_chunks c ON c.chunk_id = r.chunk_id
             CROSS JOIN LATERAL unnest(c.endpoint_ids) WITH ORDINALITY AS u (endpoint_id, j)
             WHERE r.mask IS NULL OR get_bit(r.mask, (u.j - 1)::int) = 1
             ORDER BY r.k, u.j) AS endpoint_ids,
       o.endpoint_count
FROM {schema}.organisation_changes o;

-- What users read: one row per state change of an endpoint, whichever table holds it.
CREATE VIEW {schema}.transitions AS
SELECT endpoint_id, region, from_state, to_state, at, event_id FROM {schema}.endpoint_transitions
UNION ALL
SELECT u.endpoint_id, o.region, o.from_state, o.to_state, o.at, o.event_id
FROM {schema}.organisation_changes o
CROSS JOIN LATERAL unnest(o.chunk_ids, o.chunk_masks) AS r (chunk_id, mask)
JOIN {schema}.member_chunks c ON c.chunk_id = r.chunk_id
CROSS JOIN LATERAL unnest(c.endpoint_ids) WITH ORDINALITY AS u (endpoint_id, j)
WHERE r.mask IS NULL OR get_bit(r.mask, (u.j - 1)::int) = 1;
`,
};
