import { hostname } from 'node:os';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { ClusterError } from '../commands/ClusterError.js';
import { PartitionConsumer } from '../consume/PartitionConsumer.js';
import { ensureRejectStream } from '../consume/rejectStream.js';
import { EngineSink } from '../engine/EngineSink.js';
import { KvPositionStore } from '../engine/KvPositionStore.js';
import type { PartitionStore } from '../engine/PartitionStore.js';
import { connectNats } from '../nats/connectNats.js';
import { openCheckpointBucket, openLeaseBucket } from '../ownership/clusterBuckets.js';
import { PartitionOwnership } from '../ownership/PartitionOwnership.js';
import { eventStreamPartitions } from '../stream/ensureEventStream.js';

/** Options of one worker process. */
export interface WorkerOptions {
  readonly url: string;
  /** Unique among live workers (default `<host>-<pid>`). */
  readonly name?: string;
  /** TTL of a new lease bucket (an existing bucket keeps its own). */
  readonly leaseTtlMs?: number;
  /** One line per event worth a log (joins, partitions taken and released, rejects). */
  readonly log: (line: string) => void;
  /** Resolves when the worker should stop (SIGTERM): it hands everything over first. */
  readonly stopSignal: Promise<void>;
  /** Where partitions keep their state (default: positions in NATS KV); given the partition count. */
  readonly store?: (partitions: number) => PartitionStore;
}

const STREAM_POLL_MS = 1_000;

/**
 * Runs a worker until `stopSignal` resolves: waits for the event stream, joins the cluster,
 * consumes the partitions it owns through the engine, hands them over on stop.
 *
 * @example
 * await runWorker({ url: 'nats://127.0.0.1:4222', log: console.error, stopSignal: sigterm });
 */
export async function runWorker(options: WorkerOptions): Promise<void> {
  const name = options.name ?? `${hostname()}-${process.pid}`;
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new ClusterError(`--name '${name}' may hold only letters, digits, '-' and '_' (it is a KV key)`);
  const nc = await connectNats(options.url, { name, reconnectForever: true });
  let stopping = false;
  const stopped = options.stopSignal.then(() => {
    stopping = true;
  });
  try {
    const jsm = await jetstreamManager(nc);
    const js = jetstream(nc);
    let partitions = await eventStreamPartitions(jsm);
    if (partitions === undefined) options.log(`waiting for the event stream (simfleet publish creates it)`);
    while (partitions === undefined && !stopping) {
      await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, STREAM_POLL_MS))]);
      partitions = await eventStreamPartitions(jsm);
    }
    if (partitions === undefined) return;
    await ensureRejectStream(jsm);
    const { kv: leases, ttlMs } = await openLeaseBucket(nc, options.leaseTtlMs);
    const checkpoints = await openCheckpointBucket(nc);
    const sink = new EngineSink(js, options.store?.(partitions) ?? new KvPositionStore(checkpoints), { partitions });
    const consumers = new Map<number, PartitionConsumer>();
    const ownership: PartitionOwnership = new PartitionOwnership(
      leases,
      { name, partitions, ttlMs, log: options.log },
      {
        acquired: async (partition) => {
          const consumer = new PartitionConsumer(js, jsm, partition, sink, { owner: name, checkpoints, log: options.log });
          consumers.set(partition, consumer);
          // A fenced partition gives its lease up: taken again (from the stored position) if it
          // is still this worker's share, by its rightful owner otherwise.
          await consumer.start(() => {
            void ownership.relinquish(partition);
          });
          options.log(`partition ${partition}: consuming from seq ${consumer.covered + 1}`);
        },
        released: async (partition, reason) => {
          const consumer = consumers.get(partition);
          consumers.delete(partition);
          await consumer?.stop(reason !== 'lost');
        },
      },
    );
    await ownership.start();
    options.log(`worker ${name}: ${partitions} partitions, lease TTL ${ttlMs / 1000} s`);
    await stopped;
    await ownership.stop();
    options.log(`worker ${name}: stopped, partitions handed over`);
  } finally {
    await nc.close();
  }
}
