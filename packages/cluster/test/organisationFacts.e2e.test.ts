/**
 * Organisation facts across partitions, with the real nats-server and PostgreSQL: a log in
 * which an organisation is blocked and then one member's accepted session lifts the block for
 * every member — members that live in other partitions than the one with the session. Two
 * `simfleet worker --pg` over 4 partitions: the tables equal `simfleet replay --pg`.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dumpFleetTables, endpointRowsAsJson, freshDatabase } from '@simfleet/postgres/testing';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { partitionOf } from '../src/stream/partitionOf.js';
import { type NatsServer, startNatsServer } from './natsServer.js';
import { caughtUp, run, startPgWorker } from './pgCluster.js';
import { killAll, type Spawned } from './processes.js';
import { type NatsHandles, natsHandles, SIMFLEET_BIN } from './support.js';

const PARTITIONS = 4;

interface LogRecord {
  timestamp: string;
  id: number;
  event_type: { id: number; description: string };
  organisation?: { id: number; name: string | null } | null;
  endpoint?: { id: number } | null;
  [field: string]: unknown;
}

/**
 * A generated log, then — after its newest record — organisation X blocked, and one Create
 * PDP Context of one member of X (the only session after the block). Returns the log's
 * records and which organisation and member that is.
 */
function logThatLiftsABlockInOnePartition(base: string): { records: LogRecord[]; organisation: number; member: number } {
  const records = readFileSync(base, 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as LogRecord);
  const session = records.find(
    (r) => r.event_type.id === 3 && String(r['description']).startsWith('New PDP Context successfully activated') && r.organisation && r.endpoint,
  );
  if (session?.organisation == null || session.endpoint == null) throw new Error('the generated log has no Create PDP Context');
  const organisation = session.organisation;
  const newest = Math.max(...records.map((r) => Date.parse(r.timestamp)));
  const nextId = Math.max(...records.map((r) => r.id)) + 1;
  const block: LogRecord = {
    timestamp: new Date(newest + 1_000).toISOString(),
    alert: true,
    description: `Organisation '${organisation.name}' blocked, because the monthly cost limit has been exceeded.`,
    id: nextId,
    event_type: { id: 12, description: 'Organisation blocked' },
    event_source: { id: 1, description: 'Policy Control' },
    event_severity: { id: 2, description: 'Critical' },
    organisation,
  };
  const lift: LogRecord = { ...session, timestamp: new Date(newest + 2_000).toISOString(), id: nextId + 1 };
  return { records: [...records, block, lift], organisation: organisation.id, member: session.endpoint.id };
}

describe('organisation facts between partitions', () => {
  let server: NatsServer | undefined;
  let nats: NatsHandles | undefined;
  const workers: Spawned[] = [];
  afterEach(async () => {
    await killAll(workers.splice(0));
    await nats?.close();
    await server?.stop();
  });

  it("a member's session lifts its organisation's block in every partition: the tables equal replay --pg", { timeout: 240_000 }, async () => {
    server = await startNatsServer();
    const natsUrl = server.url;
    const pgUrl = await freshDatabase(inject('pgUrl'), 'cluster_organisation_facts');
    const dir = mkdtempSync(join(tmpdir(), 'simfleet-organisation-facts-'));
    const base = join(dir, 'base.ndjson');
    await run('node', [SIMFLEET_BIN, 'generate', '--events', '6000', '--devices', '400', '--organisations', '2', '--seed', '11', '--out', base]);
    const { records, organisation, member } = logThatLiftsABlockInOnePartition(base);
    const log = join(dir, 'fleet.ndjson');
    writeFileSync(log, `${records.map((r) => JSON.stringify(r)).join('\n')}\n`);

    for (const name of ['w1', 'w2']) workers.push(startPgWorker(natsUrl, pgUrl, name));
    const { stdout } = await run('node', [SIMFLEET_BIN, 'publish', log, '--nats', natsUrl, '--partitions', String(PARTITIONS)]);
    expect(stdout).toContain(`records ${records.length} = published ${records.length} + rejected 0`);
    nats = await natsHandles(natsUrl);
    const tails = (): string => workers.map((w) => `${w.name}: ${w.stderr().split('\n').slice(-6).join(' | ')}`).join('\n');
    await caughtUp(nats, natsUrl, pgUrl, tails, undefined, 150_000);

    await run('node', [SIMFLEET_BIN, 'replay', log, '--quiet', '--pg', pgUrl, '--pg-schema', 'replayed']);
    const replayed = await endpointRowsAsJson(pgUrl, 'replayed');
    // The log trips what a partition alone cannot know: members of the organisation outside the
    // session's partition hold the block there, yet replay has them unblocked by that session.
    const home = partitionOf(member, PARTITIONS);
    const rows = replayed.map((line) => JSON.parse(line) as { endpointId: number; organisationId: number | null; blocked: boolean });
    const elsewhere = rows.filter((row) => row.organisationId === organisation && partitionOf(row.endpointId, PARTITIONS) !== home);
    expect(elsewhere.filter((row) => !row.blocked).length).toBeGreaterThan(10);

    expect(await endpointRowsAsJson(pgUrl, 'simfleet')).toEqual(replayed);
    expect(await dumpFleetTables(pgUrl, 'simfleet', ['endpoints', 'transitions', 'progress'])).toBe(
      await dumpFleetTables(pgUrl, 'replayed', ['endpoints', 'transitions', 'progress']),
    );
  });
});
