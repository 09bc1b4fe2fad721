import type { KV } from '@nats-io/kv';
import { PartitionFencedError } from '../consume/PartitionFencedError.js';
import type { PartitionCommit, PartitionStore, StoredPosition } from './PartitionStore.js';

/**
 * Partition positions in a KV bucket, compare-and-set on the key's revision: the store of a
 * worker without a database (state in memory, rebuilt from the stream on takeover). Writes no
 * rows.
 *
 * @example
 * const store = new KvPositionStore(await openCheckpointBucket(nc));
 */
export class KvPositionStore implements PartitionStore {
  readonly #kv: KV;

  constructor(kv: KV) {
    this.#kv = kv;
  }

  async position(partition: number): Promise<StoredPosition> {
    const { seq, consumed } = await this.#read(partition);
    return { seq, consumed };
  }

  async commit(partition: number, write: PartitionCommit): Promise<void> {
    const { seq, revision } = await this.#read(partition);
    if (seq !== write.previousSeq) {
      throw new PartitionFencedError(`partition ${partition} is at seq ${seq}, this worker continued from ${write.previousSeq}`);
    }
    const value = JSON.stringify({ seq: write.coveredSeq, consumed: write.consumed });
    try {
      if (revision === 0) await this.#kv.create(this.#key(partition), value);
      else await this.#kv.update(this.#key(partition), value, revision);
    } catch (error) {
      // Someone wrote in between (create/update are compare-and-set): re-read to tell a fence from a failure.
      if ((await this.#read(partition)).seq !== write.previousSeq) {
        throw new PartitionFencedError(`partition ${partition} moved on while this worker wrote seq ${write.coveredSeq}`);
      }
      throw error;
    }
  }

  async #read(partition: number): Promise<{ seq: number; consumed: number; revision: number }> {
    const entry = await this.#kv.get(this.#key(partition));
    if (entry === null || entry.operation !== 'PUT') return { seq: 0, consumed: 0, revision: entry?.revision ?? 0 };
    const value = entry.json<{ seq: number; consumed?: number }>();
    return { seq: value.seq, consumed: value.consumed ?? 0, revision: entry.revision };
  }

  #key(partition: number): string {
    return `position.${partition}`;
  }
}
