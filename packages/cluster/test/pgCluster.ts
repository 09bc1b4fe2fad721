/**
 * `simfleet worker --pg` clusters for the end-to-end tests: worker processes (the built
 * binary, as a user runs it), `simfleet status --json`, the progress rows in PostgreSQL, and
 * "caught up": every partition's stored position at its subject's last message.
 */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import type { ClusterStatus } from '../src/status/clusterStatus.js';
import { EVENT_STREAM } from '../src/stream/eventStream.js';
import { type Spawned, waitFor } from './processes.js';
import { type NatsHandles, SIMFLEET_BIN } from './support.js';

/** `execFile` as a promise. */
export const run = promisify(execFile);

/**
 * A `simfleet worker --pg` process; its log lines (stderr) are kept.
 *
 * @example
 * workers.push(startPgWorker(natsUrl, pgUrl, 'w1'));
 */
export function startPgWorker(natsUrl: string, pgUrl: string, name: string, leaseTtlSeconds = 6): Spawned {
  const child = spawn('node', [SIMFLEET_BIN, 'worker', '--nats', natsUrl, '--pg', pgUrl, '--name', name, '--lease-ttl', String(leaseTtlSeconds)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
  });
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return { name, child, events: [], stderr: () => err, exited };
}

/**
 * `simfleet status --nats URL --json`.
 *
 * @example
 * (await clusterStatus(natsUrl)).partitionStatus.every((p) => p.lag === 0)
 */
export async function clusterStatus(url: string): Promise<ClusterStatus> {
  const { stdout } = await run('node', [SIMFLEET_BIN, 'status', '--nats', url, '--json']);
  return JSON.parse(stdout) as ClusterStatus;
}

/**
 * The progress rows of the `simfleet` schema: `partition.<p>` → `{seq, consumed}`.
 *
 * @example
 * (await progressRows(pgUrl)).get('partition.0')?.seq
 */
export async function progressRows(url: string): Promise<Map<string, { seq: number; consumed: number }>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ stream: string; position: { seq: number; consumed: number } }>('SELECT stream, position FROM simfleet.progress');
    return new Map(rows.map((r) => [r.stream, r.position]));
  } finally {
    await client.end();
  }
}

/**
 * Waits until every partition is owned (by a worker other than `dead`), has no lag, and its
 * progress row in PostgreSQL covers its subject's last message — with the stream unchanged
 * while that was checked (workers publish organisation facts into each other's partitions,
 * so one partition can get a message after it was seen caught up).
 *
 * @example
 * const { status, progress } = await caughtUp(nats, natsUrl, pgUrl, tails);
 */
export async function caughtUp(nats: NatsHandles, natsUrl: string, pgUrl: string, tails: () => string, dead?: string, timeoutMs = 240_000) {
  return waitFor(
    'every partition caught up in PostgreSQL',
    async () => {
      const before = (await nats.jsm.streams.info(EVENT_STREAM)).state.last_seq;
      const status = await clusterStatus(natsUrl);
      if (!status.partitionStatus.every((p) => p.lag === 0 && p.owner !== null && p.owner !== dead)) return undefined;
      const progress = await progressRows(pgUrl);
      for (const p of status.partitionStatus) {
        const last = await nats.jsm.streams.getMessage(EVENT_STREAM, { last_by_subj: `simfleet.events.${p.partition}` });
        if (progress.get(`partition.${p.partition}`)?.seq !== last?.seq) return undefined;
      }
      if ((await nats.jsm.streams.info(EVENT_STREAM)).state.last_seq !== before) return undefined;
      return { status, progress };
    },
    timeoutMs,
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}\n${tails()}`);
  });
}
