import type { JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { KV } from '@nats-io/kv';
import { partitionConsumerName } from '../consume/partitionConsumerName.js';
import { CHECKPOINT_BUCKET, LEASE_BUCKET, openExistingBucket, partitionKey } from '../ownership/clusterBuckets.js';
import { type CheckpointRecord, parseCheckpointRecord } from '../ownership/checkpointRecord.js';
import { eventStreamPartitions } from '../stream/ensureEventStream.js';
import { EVENT_STREAM, partitionSubject } from '../stream/eventStream.js';

/** One partition as `simfleet status` reports it. */
export interface PartitionStatus {
  readonly partition: number;
  /** The worker holding the lease, or `null` when nobody does. */
  readonly owner: string | null;
  /** Messages of the partition not yet processed and acknowledged. */
  readonly lag: number;
  /** Messages stored on the partition's subject. */
  readonly messages: number;
  readonly checkpoint: CheckpointRecord | null;
}

/** The cluster as `simfleet status --json` prints it. */
export interface ClusterStatus {
  readonly stream: string;
  /** `null` before the first publish. */
  readonly partitions: number | null;
  readonly messages: number;
  /** Live workers (membership keys), sorted. */
  readonly workers: readonly string[];
  readonly leaseTtlMs: number | null;
  readonly partitionStatus: readonly PartitionStatus[];
}

/**
 * Reads the cluster's state: the stream, the leases, the consumers' pending counts and the
 * checkpoint records. Creates nothing.
 *
 * @example
 * const status = await readClusterStatus(nc, jsm);
 */
export async function readClusterStatus(nc: NatsConnection, jsm: JetStreamManager): Promise<ClusterStatus> {
  const partitions = (await eventStreamPartitions(jsm)) ?? null;
  const leases = await openExistingBucket(nc, LEASE_BUCKET);
  const checkpoints = await openExistingBucket(nc, CHECKPOINT_BUCKET);
  const workers = leases === undefined ? [] : await liveMembers(jsm, leases);
  const leaseTtlMs = leases === undefined ? null : (await leases.status()).ttl;
  if (partitions === null) return { stream: EVENT_STREAM, partitions, messages: 0, workers, leaseTtlMs, partitionStatus: [] };
  const info = await jsm.streams.info(EVENT_STREAM, { subjects_filter: '>' });
  const perSubject = info.state.subjects ?? {};
  const partitionStatus: PartitionStatus[] = [];
  for (let partition = 0; partition < partitions; partition += 1) {
    const messages = perSubject[partitionSubject(partition)] ?? 0;
    const lease = leases === undefined ? null : await leases.get(partitionKey(partition));
    const owner = lease !== null && lease.operation === 'PUT' ? ownerOf(lease.string()) : null;
    const checkpointEntry = checkpoints === undefined ? null : await checkpoints.get(partitionKey(partition));
    const checkpoint = checkpointEntry !== null && checkpointEntry.operation === 'PUT' ? (parseCheckpointRecord(checkpointEntry.string()) ?? null) : null;
    let lag = messages;
    try {
      // The owner's consumer, or, with no owner now, the consumer of the last owner that checkpointed.
      const consumerOwner = owner ?? checkpoint?.owner;
      if (consumerOwner === undefined) throw new Error('no consumer');
      const consumer = await jsm.consumers.info(EVENT_STREAM, partitionConsumerName(partition, consumerOwner));
      lag = consumer.num_pending + consumer.num_ack_pending;
    } catch {
      // No consumer yet: nothing of the partition has been processed.
    }
    partitionStatus.push({ partition, owner, lag, messages, checkpoint });
  }
  return { stream: EVENT_STREAM, partitions, messages: info.state.messages, workers, leaseTtlMs, partitionStatus };
}

function ownerOf(text: string): string | null {
  try {
    const value = JSON.parse(text) as { owner?: unknown };
    return typeof value.owner === 'string' ? value.owner : null;
  } catch {
    return null;
  }
}

/**
 * The status as a table for people.
 *
 * @example
 * io.stdout.write(renderClusterStatus(status));
 */
export function renderClusterStatus(status: ClusterStatus): string {
  if (status.partitions === null)
    return `stream ${status.stream} does not exist yet (simfleet publish creates it); workers: ${status.workers.join(', ') || 'none'}\n`;
  const lines = [
    `stream ${status.stream}: ${status.partitions} partitions, ${status.messages} messages; ` +
      `workers: ${status.workers.join(', ') || 'none'}${status.leaseTtlMs === null ? '' : ` (lease TTL ${status.leaseTtlMs / 1000} s)`}`,
    'partition  owner                 lag  messages  last checkpoint',
  ];
  for (const p of status.partitionStatus) {
    const checkpoint =
      p.checkpoint === null ? '-' : `seq ${p.checkpoint.seq} (${p.checkpoint.messages} messages) at ${p.checkpoint.at} by ${p.checkpoint.owner}`;
    lines.push(
      `${String(p.partition).padStart(9)}  ${(p.owner ?? '-').padEnd(20)} ${String(p.lag).padStart(4)}  ${String(p.messages).padStart(8)}  ${checkpoint}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The workers whose membership lease is current, by name. Read from the lease stream's
 * per-subject counts (one request, a snapshot the server makes) and a `get` per member, not
 * with `KV.keys()`: that iterates a consumer, and a member key expiring (its TTL) between the
 * consumer's creation and its delivery could leave the iteration waiting for a message that
 * no longer exists — `simfleet status` then never returned.
 */
async function liveMembers(jsm: JetStreamManager, leases: KV): Promise<string[]> {
  const prefix = `$KV.${LEASE_BUCKET}.member.`;
  const info = await jsm.streams.info(`KV_${LEASE_BUCKET}`, { subjects_filter: `${prefix}*` });
  const names = Object.keys(info.state.subjects ?? {}).map((subject) => subject.slice(prefix.length));
  const live: string[] = [];
  for (const name of names) {
    const entry = await leases.get(`member.${name}`);
    if (entry !== null && entry.operation === 'PUT') live.push(name);
  }
  return live.sort();
}
