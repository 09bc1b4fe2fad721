/**
 * `PartitionOwnership.relinquish`: a partition whose consumer the store fenced is given up at
 * once (released, lease deleted) and, being still this worker's share, taken again on the next
 * tick — started afresh from the stored position instead of held with nothing consuming.
 */
import { Kvm } from '@nats-io/kv';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { PartitionOwnership, type ReleaseReason } from '../src/ownership/PartitionOwnership.js';
import { type NatsHandles, natsHandles } from './support.js';

const BUCKET = 'simfleet_test_relinquish';

describe('PartitionOwnership.relinquish', () => {
  let nats: NatsHandles | undefined;
  afterEach(async () => {
    await new Kvm(nats!.nc)
      .open(BUCKET)
      .then((kv) => kv.destroy())
      .catch(() => {});
    await nats?.close();
  });

  it('releases the partition, deletes its lease, and the next tick takes it again', async () => {
    nats = await natsHandles(inject('natsUrl'));
    const kv = await new Kvm(nats.nc).create(BUCKET, { ttl: 10_000, history: 1 });
    const calls: string[] = [];
    const ownership = new PartitionOwnership(
      kv,
      { name: 'solo', partitions: 2, ttlMs: 10_000 },
      {
        acquired: async (partition: number) => {
          calls.push(`acquired ${partition}`);
        },
        released: async (partition: number, reason: ReleaseReason) => {
          calls.push(`released ${partition} ${reason}`);
        },
      },
    );
    await ownership.start();
    expect(ownership.owned()).toEqual([0, 1]);
    await ownership.relinquish(0);
    expect(ownership.owned()).toEqual([1]);
    expect((await kv.get('partition.0'))?.operation ?? 'DEL').not.toBe('PUT');
    await ownership.tick();
    expect(ownership.owned()).toEqual([0, 1]);
    expect((await kv.get('partition.0'))?.json()).toEqual({ owner: 'solo', pid: process.pid });
    await ownership.stop();
    expect(calls).toEqual(['acquired 0', 'acquired 1', 'released 0 handover', 'acquired 0', 'released 0 shutdown', 'released 1 shutdown']);
  });
});
