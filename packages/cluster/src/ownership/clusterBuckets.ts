import type { NatsConnection } from '@nats-io/transport-node';
import { type KV, Kvm } from '@nats-io/kv';

/**
 * The KV buckets the workers coordinate through.
 *
 * - `simfleet_leases` (TTL = the lease TTL, one value per key): `member.<name>` for every live
 *   worker and `partition.<p>` for every owned partition. A key not renewed within the TTL is
 *   removed by the server itself, so a SIGKILLed worker's keys vanish without anyone's help and
 *   without trusting any worker's clock.
 * - `simfleet_checkpoints` (no TTL): `partition.<p>`, the stream sequence the partition's last
 *   checkpoint covers, for `simfleet status`.
 */
export const LEASE_BUCKET = 'simfleet_leases';
export const CHECKPOINT_BUCKET = 'simfleet_checkpoints';

/** The lease TTL a new lease bucket gets when the first worker does not say otherwise. */
export const DEFAULT_LEASE_TTL_MS = 10_000;

/** Key of a worker's membership. */
export function memberKey(name: string): string {
  return `member.${name}`;
}

/** Key of a partition's lease (in the lease bucket) and of its checkpoint (in the checkpoint bucket). */
export function partitionKey(partition: number): string {
  return `partition.${partition}`;
}

/** A lease bucket and its TTL (the bucket's, which may predate this process's wish). */
export interface LeaseBucket {
  readonly kv: KV;
  readonly ttlMs: number;
}

/**
 * Opens the lease bucket, creating it with `ttlMs` when it does not exist. An existing bucket
 * keeps its TTL: every worker must measure leases with the same clock, the server's.
 *
 * @example
 * const { kv, ttlMs } = await openLeaseBucket(nc, 10_000);
 */
export async function openLeaseBucket(nc: NatsConnection, ttlMs: number = DEFAULT_LEASE_TTL_MS): Promise<LeaseBucket> {
  const kvm = new Kvm(nc);
  let kv: KV;
  try {
    kv = await kvm.open(LEASE_BUCKET);
    await kv.status();
  } catch {
    kv = await kvm.create(LEASE_BUCKET, { history: 1, ttl: ttlMs });
  }
  const status = await kv.status();
  return { kv, ttlMs: status.ttl > 0 ? status.ttl : ttlMs };
}

/**
 * Opens (creating when missing) the checkpoint bucket.
 *
 * @example
 * const checkpoints = await openCheckpointBucket(nc);
 */
export async function openCheckpointBucket(nc: NatsConnection): Promise<KV> {
  const kvm = new Kvm(nc);
  try {
    const kv = await kvm.open(CHECKPOINT_BUCKET);
    await kv.status();
    return kv;
  } catch {
    return kvm.create(CHECKPOINT_BUCKET, { history: 1 });
  }
}

/**
 * Opens a bucket only if it exists (`simfleet status` creates nothing).
 *
 * @example
 * const leases = await openExistingBucket(nc, LEASE_BUCKET); // undefined before the first worker
 */
export async function openExistingBucket(nc: NatsConnection, name: string): Promise<KV | undefined> {
  try {
    const kv = await new Kvm(nc).open(name);
    await kv.status();
    return kv;
  } catch {
    return undefined;
  }
}
