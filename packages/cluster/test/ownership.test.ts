import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { CHECKPOINT_BUCKET, LEASE_BUCKET } from '../src/ownership/clusterBuckets.js';
import type { ClusterStatus } from '../src/status/clusterStatus.js';
import { killAll, type Spawned, spawnJsonLines, waitFor } from './processes.js';
import { deleteEventStream, type NatsHandles, natsHandles, SIMFLEET_BIN } from './support.js';

const run = promisify(execFile);
const LEASE_WORKER = fileURLToPath(new URL('./fixtures/leaseWorker.mjs', import.meta.url));
const PARTITIONS = 16;
const TTL_MS = 2_000;

async function status(url: string): Promise<ClusterStatus> {
  const { stdout } = await run('node', [SIMFLEET_BIN, 'status', '--nats', url, '--json']);
  return JSON.parse(stdout) as ClusterStatus;
}

/** Owners per partition when every partition is owned by one of `names`, else undefined. */
function ownersAmong(s: ClusterStatus, names: readonly string[]): Map<string, number[]> | undefined {
  if (s.partitionStatus.length !== PARTITIONS) return undefined;
  const shares = new Map<string, number[]>(names.map((n) => [n, []]));
  for (const p of s.partitionStatus) {
    if (p.owner === null || !shares.has(p.owner)) return undefined;
    shares.get(p.owner)?.push(p.partition);
  }
  return shares;
}

/** Balanced: every live worker within one partition of every other. */
function balanced(shares: Map<string, number[]> | undefined): Map<string, number[]> | undefined {
  if (shares === undefined) return undefined;
  const sizes = [...shares.values()].map((s) => s.length);
  return Math.max(...sizes) - Math.min(...sizes) <= 1 ? shares : undefined;
}

/**
 * Replays every worker's acquired/released lines in time order and fails if a partition was
 * ever held by two workers at once (a SIGKILLed worker holds its partitions until `killedAt`).
 */
function assertExclusive(workers: readonly Spawned[], killedAt: Map<string, number>): void {
  type Line = { at: number; name: string; partition: number; kind: 'acquired' | 'released' };
  const lines: Line[] = [];
  for (const w of workers) {
    const held = new Set<number>();
    for (const e of w.events) {
      if (e.event !== 'acquired' && e.event !== 'released') continue;
      const partition = e.partition ?? -1;
      if (e.event === 'acquired') held.add(partition);
      else held.delete(partition);
      lines.push({ at: e.at ?? 0, name: w.name, partition, kind: e.event });
    }
    const killed = killedAt.get(w.name);
    if (killed !== undefined) for (const partition of held) lines.push({ at: killed, name: w.name, partition, kind: 'released' });
  }
  // Ties: a release printed in the same millisecond as the next owner's acquire came first.
  lines.sort((a, b) => a.at - b.at || (a.kind === b.kind ? 0 : a.kind === 'released' ? -1 : 1));
  const holder = new Map<number, string>();
  for (const line of lines) {
    if (line.kind === 'acquired') {
      expect(holder.get(line.partition), `partition ${line.partition} acquired by ${line.name} while held`).toBeUndefined();
      holder.set(line.partition, line.name);
    } else {
      expect(holder.get(line.partition)).toBe(line.name);
      holder.delete(line.partition);
    }
  }
}

describe('partition ownership across worker processes', () => {
  let nats: NatsHandles;
  let workers: Spawned[] = [];
  const url = inject('natsUrl');
  const start = (name: string): Spawned => {
    const worker = spawnJsonLines(name, [LEASE_WORKER, url, name, String(PARTITIONS), String(TTL_MS)]);
    workers.push(worker);
    return worker;
  };

  beforeAll(async () => {
    nats = await natsHandles(url);
  });
  afterAll(async () => {
    await nats.close();
  });
  beforeEach(async () => {
    await deleteEventStream(nats.jsm);
    await nats.jsm.streams.delete(`KV_${LEASE_BUCKET}`).catch(() => false);
    await nats.jsm.streams.delete(`KV_${CHECKPOINT_BUCKET}`).catch(() => false);
    // status reads the partition count from the stream: make one with 16 partitions.
    await nats.jsm.streams.add({ name: 'SIMFLEET_EVENTS', subjects: Array.from({ length: PARTITIONS }, (_, p) => `simfleet.events.${p}`) });
  });
  afterEach(async () => {
    await killAll(workers);
    workers = [];
  });

  it('shares the partitions, takes a joiner in, hands over on SIGTERM and takes over a SIGKILLed worker within the TTL', async () => {
    const names = ['w1', 'w2', 'w3'];
    for (const name of names) start(name);
    const three = await waitFor('three balanced workers', async () => balanced(ownersAmong(await status(url), names)), 30_000);
    expect([...three.values()].map((s) => s.length).sort()).toEqual([5, 5, 6]);
    expect((await status(url)).workers).toEqual(names);

    // A joining worker takes its share (16 / 4 = 4 each) from the others' clean handovers.
    start('w4');
    const four = await waitFor('w4 took its share', async () => balanced(ownersAmong(await status(url), [...names, 'w4'])), 30_000);
    expect([...four.values()].map((s) => s.length)).toEqual([4, 4, 4, 4]);

    // SIGTERM: w2 hands its partitions over and exits 0; the other three take them.
    const w2 = workers.find((w) => w.name === 'w2')!;
    w2.child.kill('SIGTERM');
    expect(await w2.exited).toBe(0);
    const releasedOnStop = w2.events.filter((e) => e.event === 'released' && e.reason === 'shutdown').map((e) => e.partition);
    expect(releasedOnStop.sort()).toEqual([...(four.get('w2') ?? [])].sort());
    await waitFor('w2’s partitions taken over', async () => balanced(ownersAmong(await status(url), ['w1', 'w3', 'w4'])), 30_000);

    // SIGKILL: w3 gets no chance to release; its leases and membership expire with the TTL.
    const w3 = workers.find((w) => w.name === 'w3')!;
    const killedAt = Date.now();
    const killedClock = performance.now();
    w3.child.kill('SIGKILL');
    await w3.exited;
    const survivors = await waitFor('w3’s partitions taken over', async () => balanced(ownersAmong(await status(url), ['w1', 'w4'])), 30_000);
    const takeoverMs = performance.now() - killedClock;
    expect([...survivors.values()].map((s) => s.length)).toEqual([8, 8]);
    // Leases expire TTL after their last renewal; the survivors notice on their next tick.
    expect(takeoverMs).toBeLessThan(TTL_MS + TTL_MS / 2 + 3_000);
    console.log(`takeover after SIGKILL: ${Math.round(takeoverMs)} ms (lease TTL ${TTL_MS} ms)`);

    assertExclusive(workers, new Map([['w3', killedAt]]));
  });

  it('a worker waits while another live worker holds its name', async () => {
    start('same');
    await waitFor('first worker owns everything', async () => ownersAmong(await status(url), ['same']), 30_000);
    const twin = start('same');
    await waitFor('twin reports waiting', async () => (twin.stderr().includes('waiting: a worker named same is registered') ? true : undefined), 10_000);
    expect(twin.events.filter((e) => e.event === 'acquired')).toEqual([]);
  });
});
