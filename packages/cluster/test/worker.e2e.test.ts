import { execFile, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { REJECT_STREAM } from '../src/consume/rejectStream.js';
import type { ClusterStatus } from '../src/status/clusterStatus.js';
import { EVENT_STREAM } from '../src/stream/eventStream.js';
import { type NatsServer, startNatsServer } from './natsServer.js';
import { killAll, type Spawned, waitFor } from './processes.js';
import { type NatsHandles, natsHandles, SIMFLEET_BIN } from './support.js';

const run = promisify(execFile);

/** A `simfleet worker` process; its log lines (stderr) are kept. */
function startWorker(url: string, name: string): Spawned {
  const child = spawn('node', [SIMFLEET_BIN, 'worker', '--nats', url, '--name', name, '--lease-ttl', '6'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
  });
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return { name, child, events: [], stderr: () => err, exited };
}

async function status(url: string): Promise<ClusterStatus> {
  const { stdout } = await run('node', [SIMFLEET_BIN, 'status', '--nats', url, '--json']);
  return JSON.parse(stdout) as ClusterStatus;
}

describe('simfleet worker processes', () => {
  let server: NatsServer | undefined;
  let nats: NatsHandles | undefined;
  const workers: Spawned[] = [];
  afterEach(async () => {
    await killAll(workers.splice(0));
    await nats?.close();
    await server?.stop();
  });

  it('3 workers, 100k events, one SIGKILLed mid-way, one joining, a file re-published: every message processed once', { timeout: 600_000 }, async () => {
    server = await startNatsServer();
    const url = server.url;
    const dir = mkdtempSync(join(tmpdir(), 'simfleet-worker-'));
    const log = join(dir, 'fleet.ndjson');
    await run('node', [SIMFLEET_BIN, 'generate', '--events', '100000', '--devices', '5000', '--seed', '3', '--out', log]);

    // Started before the stream exists: they wait for it.
    for (const name of ['w1', 'w2', 'w3']) workers.push(startWorker(url, name));
    await waitFor(
      'workers waiting for the stream',
      async () => (workers.every((w) => w.stderr().includes('waiting for the event stream')) ? true : undefined),
      30_000,
    );

    const publish = run('node', [SIMFLEET_BIN, 'publish', log, '--nats', url, '--partitions', '8']);
    await waitFor(
      'a quarter of the events processed',
      async () => {
        const s = await status(url);
        const done = s.partitionStatus.reduce((sum, p) => sum + (p.checkpoint?.messages ?? 0), 0);
        return done > 25_000 ? true : undefined;
      },
      180_000,
    );
    const w2 = workers.find((w) => w.name === 'w2')!;
    w2.child.kill('SIGKILL');
    await w2.exited;
    workers.push(startWorker(url, 'w4'));
    const { stdout: published } = await publish;
    expect(published).toContain('records 100000 = published 100000 + rejected 0');
    const { stdout: again } = await run('node', [SIMFLEET_BIN, 'publish', log, '--nats', url]);
    expect(again).toMatch(/records 100000 = published 100000 \+ rejected 0; (\d+) messages acknowledged on 8 partitions, \1 of them already stored/);

    nats = await natsHandles(url);
    const handles = nats;
    const final = await waitFor(
      'every partition caught up, owned by a live worker',
      async () => {
        // Workers publish organisation facts into each other's partitions: caught up means at the
        // last message with the stream unchanged meanwhile.
        const before = (await handles.jsm.streams.info(EVENT_STREAM)).state.last_seq;
        const s = await status(url);
        const live = ['w1', 'w3', 'w4'];
        if (!s.partitionStatus.every((p) => p.lag === 0 && p.owner !== null && live.includes(p.owner) && p.checkpoint !== null)) return undefined;
        // The SIGKILLed worker's membership lease expires; the joined one's is current.
        if (s.workers.join(',') !== live.join(',')) return undefined;
        for (const p of s.partitionStatus) {
          const last = await handles.jsm.streams.getMessage(EVENT_STREAM, { last_by_subj: `simfleet.events.${p.partition}` });
          if (p.checkpoint?.seq !== last?.seq) return undefined;
        }
        return (await handles.jsm.streams.info(EVENT_STREAM)).state.last_seq === before ? s : undefined;
      },
      400_000,
    );
    for (const p of final.partitionStatus) {
      const last = await nats.jsm.streams.getMessage(EVENT_STREAM, { last_by_subj: `simfleet.events.${p.partition}` });
      expect(p.checkpoint?.seq).toBe(last?.seq);
      // Every message of the partition counted once along the chain of owners, the SIGKILL included.
      expect(p.checkpoint?.messages).toBe(p.messages);
    }
    expect(final.partitionStatus.reduce((sum, p) => sum + p.messages, 0)).toBe(final.messages);
    expect(final.workers).toEqual(['w1', 'w3', 'w4']);
    const rejects = (await nats.jsm.streams.info(REJECT_STREAM)).state.messages;
    const lastReject = rejects === 0 ? null : await nats.jsm.streams.getMessage(REJECT_STREAM, { last_by_subj: 'simfleet.rejects' });
    expect(rejects, `rejected: ${lastReject?.header.get('Simfleet-Code')} ${lastReject?.header.get('Simfleet-Reason')}`).toBe(0);
    // The survivors and the joiner share the partitions (after any churn of a busy machine).
    const tails = (): string =>
      workers.map((w) => `${w.name} (exit ${w.child.exitCode ?? w.child.signalCode}): ${w.stderr().split('\n').slice(-6).join(' | ')}`).join('\n');
    const shared = await waitFor(
      'w1, w3 and w4 sharing the partitions',
      async () => {
        const s = await status(url);
        const counts = new Map<string, number>();
        for (const p of s.partitionStatus) if (p.owner !== null) counts.set(p.owner, (counts.get(p.owner) ?? 0) + 1);
        return [...counts.values()].reduce((a, b) => a + b, 0) === 8 && ['w1', 'w3', 'w4'].every((w) => (counts.get(w) ?? 0) >= 2) ? counts : undefined;
      },
      60_000,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${tails()}`);
    });
    expect([...shared.keys()].sort()).toEqual(['w1', 'w3', 'w4']);

    for (const w of workers.filter((w) => w.name !== 'w2')) w.child.kill('SIGTERM');
    for (const w of workers.filter((w) => w.name !== 'w2')) expect(await w.exited, w.stderr()).toBe(0);
    const after = await status(url);
    expect(after.workers).toEqual([]);
    expect(after.partitionStatus.every((p) => p.owner === null)).toBe(true);
  });
});
