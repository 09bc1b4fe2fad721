#!/usr/bin/env node
/**
 * How `transitions` is laid out for time-range queries, measured: the same rows (N state
 * changes in event-time order over 60 days, as a replay or a live service appends them)
 * in three layouts — a BRIN index on `at`, a B-tree on `at`, and monthly range partitions
 * (which force `at` into the unique key) — each on a throwaway PostgreSQL 15 (durable
 * settings). Prints load time, index size, and the time of a one-day and a one-week
 * range query (best of 5).
 *
 *   node bench/transitionsLayout.mjs [--rows 2000000]
 *
 * Uses the built packages (dist/): run `pnpm build` first.
 */
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const REPO = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const { startThrowawayPostgres } = await import(pathToFileURL(join(REPO, 'packages/postgres/dist/testing/index.js')).href);
const { default: pg } = await import(pathToFileURL(join(REPO, 'packages/postgres/node_modules/pg/esm/index.mjs')).href);
const { values } = parseArgs({ options: { rows: { type: 'string', default: '2000000' } } });
const rows = Number(values.rows);

const COLUMNS =
  'endpoint_id bigint NOT NULL, region text NOT NULL, from_state text NOT NULL, to_state text NOT NULL, at timestamptz NOT NULL, event_id numeric(20,0) NOT NULL';
const months = ['2026-01-01', '2026-02-01', '2026-03-01', '2026-04-01'];
const LAYOUTS = {
  brin: ['CREATE TABLE t (' + COLUMNS + ', UNIQUE (endpoint_id, region, event_id))', 'CREATE INDEX ON t USING brin (at)'],
  btree: ['CREATE TABLE t (' + COLUMNS + ', UNIQUE (endpoint_id, region, event_id))', 'CREATE INDEX ON t (at)'],
  partitioned: [
    'CREATE TABLE t (' + COLUMNS + ', UNIQUE (endpoint_id, region, event_id, at)) PARTITION BY RANGE (at)',
    ...months.slice(0, -1).map((m, i) => `CREATE TABLE t_${i} PARTITION OF t FOR VALUES FROM ('${m}') TO ('${months[i + 1]}')`),
  ],
};
// Rows as a replay appends them: event time increasing, 100k endpoints, 3 regions.
const LOAD = `INSERT INTO t SELECT (i * 7919) % 100000, (ARRAY['connectivity','status','sim'])[1 + i % 3], 'OFFLINE', 'ONLINE',
  timestamptz '2026-01-01' + (i * (60 * 86400.0 / ${rows})) * interval '1 second', i FROM generate_series(1::bigint, ${rows}) AS i`;
const DAY = "SELECT count(*) FROM t WHERE at >= timestamptz '2026-02-10' AND at < timestamptz '2026-02-11'";
const WEEK = "SELECT region, count(*) FROM t WHERE at >= timestamptz '2026-02-10' AND at < timestamptz '2026-02-17' GROUP BY 1";

const server = await startThrowawayPostgres({ durable: true });
const client = new pg.Client({ connectionString: server.url });
await client.connect();
const timed = async (sql) => {
  const t = performance.now();
  await client.query(sql);
  return (performance.now() - t) / 1000;
};
const best = async (sql) => {
  let fastest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 5; i++) fastest = Math.min(fastest, await timed(sql));
  return fastest;
};
const results = {};
try {
  for (const [name, ddl] of Object.entries(LAYOUTS)) {
    await client.query('DROP TABLE IF EXISTS t CASCADE');
    for (const sql of ddl) await client.query(sql);
    const load = await timed(LOAD);
    await client.query('VACUUM ANALYZE t');
    const size = await client.query(
      "SELECT coalesce(sum(pg_indexes_size(c.oid)), 0)::bigint AS indexes, coalesce(sum(pg_table_size(c.oid)), 0)::bigint AS heap FROM pg_class c WHERE c.relname ~ '^t(_[0-9]+)?$' AND c.relkind = 'r'",
    );
    const timeIndex = await client.query(
      "SELECT coalesce(sum(pg_relation_size(i.indexrelid)), 0)::bigint AS bytes FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam WHERE c.relname ~ '^t(_[0-9]+)?_at_idx$'",
    );
    results[name] = {
      loadSeconds: +load.toFixed(2),
      rowsPerSecond: Math.round(rows / load),
      heapMB: +(Number(size.rows[0].heap) / 1e6).toFixed(1),
      allIndexesMB: +(Number(size.rows[0].indexes) / 1e6).toFixed(1),
      timeIndexMB: +(Number(timeIndex.rows[0].bytes) / 1e6).toFixed(2),
      oneDayQueryMs: +((await best(DAY)) * 1000).toFixed(1),
      oneWeekQueryMs: +((await best(WEEK)) * 1000).toFixed(1),
    };
    console.error(name, JSON.stringify(results[name]));
  }
} finally {
  await client.end();
  await server.stop();
}
process.stdout.write(`${JSON.stringify({ date: new Date().toISOString(), rows, results }, null, 2)}\n`);
