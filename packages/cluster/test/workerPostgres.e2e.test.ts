/**
 * `simfleet worker --pg` with the real nats-server and PostgreSQL: 3 workers, one SIGKILLed
 * mid-way, one joining, a file re-published — the tables equal `simfleet replay --pg` of the
 * same records.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dumpFleetTables, endpointRowsAsJson, freshDatabase } from '@simfleet/postgres/testing';
import pg from 'pg';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { REJECT_STREAM } from '../src/consume/rejectStream.js';
import { type NatsServer, startNatsServer } from './natsServer.js';
import { caughtUp as caughtUpAll, clusterStatus as status, progressRows, run, startPgWorker as startWorker } from './pgCluster.js';
import { killAll, type Spawned, waitFor } from './processes.js';
import { type NatsHandles, natsHandles, SIMFLEET_BIN } from './support.js';

/** Caught up, with every partition owned by a live worker (w2 is the one SIGKILLed). */
const caughtUp = (nats: NatsHandles, natsUrl: string, pgUrl: string, tails: () => string) => caughtUpAll(nats, natsUrl, pgUrl, tails, 'w2');

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: inject('pgUrl') });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

describe('simfleet worker --pg', () => {
  let server: NatsServer | undefined;
  let nats: NatsHandles | undefined;
  const workers: Spawned[] = [];
  afterEach(async () => {
    await killAll(workers.splice(0));
    await nats?.close();
    await server?.stop();
  });

  it('3 workers, one SIGKILLed mid-way, one joining, a file re-published: the tables equal replay --pg', { timeout: 600_000 }, async () => {
    server = await startNatsServer();
    const natsUrl = server.url;
    const pgUrl = await freshDatabase(inject('pgUrl'), 'cluster_worker_pg');
    const dir = mkdtempSync(join(tmpdir(), 'simfleet-worker-pg-'));
    const log = join(dir, 'fleet.ndjson');
    await run('node', [SIMFLEET_BIN, 'generate', '--events', '40000', '--devices', '3000', '--seed', '4', '--out', log]);

    for (const name of ['w1', 'w2', 'w3']) workers.push(startWorker(natsUrl, pgUrl, name));
    await waitFor(
      'workers waiting for the stream',
      async () => (workers.every((w) => w.stderr().includes('waiting for the event stream')) ? true : undefined),
      30_000,
    );
    const publish = run('node', [SIMFLEET_BIN, 'publish', log, '--nats', natsUrl, '--partitions', '8']);
    await waitFor(
      'a quarter of the events in PostgreSQL',
      async () => {
        const done = [...(await progressRows(pgUrl)).values()].reduce((sum, p) => sum + p.consumed, 0);
        return done > 10_000 ? true : undefined;
      },
      180_000,
    );
    const w2 = workers.find((w) => w.name === 'w2')!;
    w2.child.kill('SIGKILL');
    await w2.exited;
    workers.push(startWorker(natsUrl, pgUrl, 'w4'));
    await publish;
    const { stdout: again } = await run('node', [SIMFLEET_BIN, 'publish', log, '--nats', natsUrl]);
    expect(again).toContain('records 40000 = published 40000 + rejected 0');

    nats = await natsHandles(natsUrl);
    const tails = (): string => workers.map((w) => `${w.name}: ${w.stderr().split('\n').slice(-6).join(' | ')}`).join('\n');
    const final = await caughtUp(nats, natsUrl, pgUrl, tails);
    // Every message of each partition counted once along the chain of owners, the SIGKILL included.
    for (const p of final.status.partitionStatus) expect(final.progress.get(`partition.${p.partition}`)?.consumed).toBe(p.messages);

    await run('node', [SIMFLEET_BIN, 'replay', log, '--quiet', '--pg', pgUrl, '--pg-schema', 'replayed']);
    const table = await endpointRowsAsJson(pgUrl, 'simfleet');
    expect(table.length).toBeGreaterThan(2500);
    expect(table).toEqual(await endpointRowsAsJson(pgUrl, 'replayed'));
    expect(await dumpFleetTables(pgUrl, 'simfleet', ['endpoints', 'transitions', 'progress'])).toBe(
      await dumpFleetTables(pgUrl, 'replayed', ['endpoints', 'transitions', 'progress']),
    );
  });

  it('PostgreSQL down mid-stream: the worker waits, nothing is rejected, and it catches up when the database returns', { timeout: 600_000 }, async () => {
    server = await startNatsServer();
    const natsUrl = server.url;
    const pgUrl = await freshDatabase(inject('pgUrl'), 'cluster_worker_outage');
    const dir = mkdtempSync(join(tmpdir(), 'simfleet-worker-outage-'));
    const log = join(dir, 'fleet.ndjson');
    await run('node', [SIMFLEET_BIN, 'generate', '--events', '8000', '--devices', '600', '--seed', '6', '--out', log]);
    const lines = readFileSync(log, 'utf8').trimEnd().split('\n');
    const [partA, partB] = [join(dir, 'a.ndjson'), join(dir, 'b.ndjson')];
    writeFileSync(partA, `${lines.slice(0, 4000).join('\n')}\n`);
    writeFileSync(partB, `${lines.slice(4000).join('\n')}\n`);
    const w1 = startWorker(natsUrl, pgUrl, 'w1');
    workers.push(w1);
    const tails = (): string => `w1: ${w1.stderr().split('\n').slice(-8).join(' | ')}`;
    await run('node', [SIMFLEET_BIN, 'publish', partA, '--nats', natsUrl, '--partitions', '4']);
    nats = await natsHandles(natsUrl);
    await caughtUp(nats, natsUrl, pgUrl, tails);
    // The database goes away: no new connections, and the worker's is cut.
    await admin('ALTER DATABASE cluster_worker_outage WITH ALLOW_CONNECTIONS false');
    await admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'cluster_worker_outage'");
    await run('node', [SIMFLEET_BIN, 'publish', partB, '--nats', natsUrl]);
    await waitFor(
      'the worker failing to write',
      async () => (/batch failed, resuming from seq \d+: PostgreSQL: /.test(w1.stderr()) ? true : undefined),
      60_000,
    );
    // Several retries' worth of waiting: an outage is no record's fault.
    await new Promise((resolve) => setTimeout(resolve, 8_000));
    expect((await status(natsUrl)).partitionStatus.some((p) => p.lag > 0)).toBe(true);
    await admin('ALTER DATABASE cluster_worker_outage WITH ALLOW_CONNECTIONS true');
    const final = await caughtUp(nats, natsUrl, pgUrl, tails);
    for (const p of final.status.partitionStatus) expect(final.progress.get(`partition.${p.partition}`)?.consumed).toBe(p.messages);
    expect((await nats.jsm.streams.info(REJECT_STREAM)).state.messages).toBe(0);
    expect(w1.child.exitCode).toBeNull();
    await run('node', [SIMFLEET_BIN, 'replay', partA, partB, '--quiet', '--pg', pgUrl, '--pg-schema', 'replayed']);
    expect(await endpointRowsAsJson(pgUrl, 'simfleet')).toEqual(await endpointRowsAsJson(pgUrl, 'replayed'));
  });

  it('an unusable database: one line, exit 1, before joining', async () => {
    const missing = new URL(inject('pgUrl'));
    missing.pathname = '/no_such_database';
    const result = await run('node', [SIMFLEET_BIN, 'worker', '--nats', 'nats://127.0.0.1:1', '--pg', missing.toString()]).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect((result as { code: number }).code).toBe(1);
    expect((result as { stderr: string }).stderr).toMatch(/^simfleet worker: --pg: [^\n]*no_such_database[^\n]*\n$/);
  });
});
