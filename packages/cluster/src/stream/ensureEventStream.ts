import { type JetStreamManager, JetStreamApiCodes, JetStreamApiError, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { ClusterError } from '../commands/ClusterError.js';
import { EVENT_STREAM, partitionCountOf, partitionSubjects } from './eventStream.js';

/**
 * The partition count of the event stream, creating the stream with `partitions` subjects when
 * it does not exist yet. With an existing stream, `partitions` must match it (or be omitted).
 * Two publishers creating it at once is fine: JetStream accepts the same configuration twice.
 *
 * @example
 * const partitions = await ensureEventStream(jsm, 16);
 */
export async function ensureEventStream(jsm: JetStreamManager, partitions: number | undefined, fallback: number): Promise<number> {
  const existing = await eventStreamPartitions(jsm);
  if (existing !== undefined) {
    if (partitions !== undefined && partitions !== existing) {
      throw new ClusterError(`stream ${EVENT_STREAM} already has ${existing} partitions; --partitions ${partitions} asks for another count`);
    }
    return existing;
  }
  const count = partitions ?? fallback;
  await jsm.streams.add({
    name: EVENT_STREAM,
    description: `simfleet event records, ${count} partitions by endpoint id`,
    subjects: partitionSubjects(count),
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
  });
  return count;
}

/**
 * The partition count of the event stream, or `undefined` when it does not exist.
 *
 * @example
 * const partitions = await eventStreamPartitions(jsm); // undefined before the first publish
 */
export async function eventStreamPartitions(jsm: JetStreamManager): Promise<number | undefined> {
  try {
    const info = await jsm.streams.info(EVENT_STREAM);
    const count = partitionCountOf(info.config.subjects);
    if (count === undefined) throw new ClusterError(`stream ${EVENT_STREAM} exists but its subjects are not simfleet.events.0..N-1`);
    return count;
  } catch (error) {
    if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound) return undefined;
    throw error;
  }
}
