import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dumpFleetTables, endpointRowsAsJson, freshDatabase } from '@simfleet/postgres/testing';
import { generateFleetLog } from '@simfleet/testkit';
import pg from 'pg';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { simfleet, tempDir } from '../support.js';

let url: string;
let dir: string;
let partA: string;
let partB: string;

/** The snapshot's endpoint entries, one JSON text per endpoint (the snapshot prints one per line). */
const snapshotEndpoints = (snapshot: string): string[] =>
  snapshot
    .split('\n')
    .filter((line) => line.startsWith('    {'))
    .map((line) => line.trim().replace(/,$/, ''));

async function count(sql: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return Number((await client.query(sql)).rows[0].n);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  url = await freshDatabase(inject('pgUrl'), 'cli_replay');
  dir = tempDir();
  let text = '';
  generateFleetLog({ events: 8000, devices: 500, seed: 5, organisations: 3 }, (c) => {
    text += c;
  });
  const lines = text.trimEnd().split('\n');
  partA = join(dir, 'a.ndjson');
  partB = join(dir, 'b.ndjson');
  writeFileSync(partA, `${lines.slice(0, 5000).join('\n')}\n`);
  writeFileSync(partB, `${lines.slice(5000).join('\n')}\n`);
});

describe('simfleet replay --pg', () => {
  it('writes tables that equal the snapshot, row for row', async () => {
    const run = simfleet(['replay', partA, partB, '--quiet', '--json', '--pg', url, '--pg-schema', 'equal']);
    expect(run.status).toBe(0);
    const endpoints = snapshotEndpoints(run.stdout);
    expect(endpoints.length).toBeGreaterThan(400);
    expect(await endpointRowsAsJson(url, 'equal')).toEqual(endpoints);
    expect(await count('SELECT count(*) AS n FROM equal.transitions')).toBeGreaterThan(endpoints.length);
    expect(run.stderr).toMatch(
      new RegExp(
        `^postgres equal: ${endpoints.length} endpoints \\(${endpoints.length} written, 0 removed\\), \\d+ transitions \\(\\d+ new\\) in [\\d.]+ s$`,
        'm',
      ),
    );
  });

  it('is idempotent: the same replay twice leaves identical tables', async () => {
    expect(simfleet(['replay', dir, '--quiet', '--pg', url, '--pg-schema', 'twice']).status).toBe(0);
    const before = await dumpFleetTables(url, 'twice');
    const again = simfleet(['replay', dir, '--quiet', '--pg', url, '--pg-schema', 'twice']);
    expect(again.status).toBe(0);
    expect(again.stderr).toMatch(/\(0 written, 0 removed\), \d+ transitions \(0 new\)/);
    expect(await dumpFleetTables(url, 'twice')).toBe(before);
  });

  it('continues from a checkpoint: --from CHECKPOINT --pg gives the tables of the whole replay', async () => {
    const ckpt = join(dir, 'a.ckpt');
    expect(simfleet(['replay', partA, '--quiet', '--checkpoint', ckpt, '--pg', url, '--pg-schema', 'resumed']).status).toBe(0);
    const resumed = simfleet(['replay', '--from', ckpt, partA, partB, '--quiet', '--json', '--pg', url, '--pg-schema', 'resumed']);
    expect(resumed.status).toBe(0);
    expect(simfleet(['replay', partA, partB, '--quiet', '--pg', url, '--pg-schema', 'whole']).status).toBe(0);
    expect(await dumpFleetTables(url, 'resumed', ['progress'])).toBe(await dumpFleetTables(url, 'whole', ['progress']));
    expect(await endpointRowsAsJson(url, 'resumed')).toEqual(snapshotEndpoints(resumed.stdout));
  });

  it('reads the connection string from SIMFLEET_PG_URL', async () => {
    const run = simfleet(['replay', partA, '--quiet', '--pg-schema', 'from_env'], { env: { SIMFLEET_PG_URL: url } });
    expect(run.status).toBe(0);
    expect(await count('SELECT count(*) AS n FROM from_env.endpoints')).toBeGreaterThan(0);
  });

  it('records what it read in the progress table', async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query('SELECT stream, position FROM equal.progress');
    await client.end();
    expect(rows).toHaveLength(1);
    expect(rows[0].stream).toBe('replay');
    expect(rows[0].position.inputs).toEqual([
      { file: partA, bytes: readFileSync(partA).length },
      { file: partB, bytes: readFileSync(partB).length },
    ]);
    expect(rows[0].position.records).toBe(8000);
  });
});

describe('simfleet replay --pg with a database it cannot use', () => {
  const server = new URL(inject('pgUrl'));

  it('bad credentials: one line, exit 1, before any replay work', async () => {
    const admin = new pg.Client({ connectionString: inject('pgUrl') });
    await admin.connect();
    await admin.query('DROP ROLE IF EXISTS cli_writer');
    await admin.query("CREATE ROLE cli_writer LOGIN PASSWORD 'secret'");
    await admin.end();
    const out = join(dir, 'never.json');
    const ckpt = join(dir, 'never.ckpt');
    const run = simfleet(['replay', partA, '--out', out, '--checkpoint', ckpt, '--pg', `postgres://cli_writer:wrong@127.0.0.1:${server.port}/cli_replay`]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `simfleet: --pg: cannot connect to PostgreSQL at postgres://cli_writer:***@127.0.0.1:${server.port}/cli_replay: password authentication failed for user "cli_writer"\n`,
    );
    expect(existsSync(out)).toBe(false);
    expect(existsSync(ckpt)).toBe(false);
  });

  it('a missing database: one line, exit 1', () => {
    const run = simfleet(['replay', partA, '--quiet', '--pg', `postgres://postgres@127.0.0.1:${server.port}/no_such_fleet`]);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      `simfleet: --pg: cannot connect to PostgreSQL at postgres://postgres@127.0.0.1:${server.port}/no_such_fleet: database "no_such_fleet" does not exist\n`,
    );
  });

  it('--pg-schema without a connection string, or a schema name that is not plain: usage errors', () => {
    const alone = simfleet(['replay', partA, '--quiet', '--pg-schema', 'x'], { env: { SIMFLEET_PG_URL: '' } });
    expect(alone.status).toBe(1);
    expect(alone.stderr).toBe('simfleet: --pg-schema needs --pg URL (or SIMFLEET_PG_URL)\n');
    const odd = simfleet(['replay', partA, '--quiet', '--pg', url, '--pg-schema', 'Bad-Name']);
    expect(odd.status).toBe(1);
    expect(odd.stderr).toMatch(/^simfleet: --pg: schema name 'Bad-Name' is not a plain lower-case identifier .*\n$/);
  });
});
