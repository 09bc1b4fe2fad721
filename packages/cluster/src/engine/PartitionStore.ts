import type { FleetStore } from '@simfleet/core';

/** Where a partition's stored state ends. */
export interface StoredPosition {
  readonly seq: number;
  readonly consumed: number;
}

/** One batch's write: the partition's state after it and the stream sequence it covers. */
export interface PartitionCommit {
  /** The position the batch continues from: the store refuses the write when it holds another. */
  readonly previousSeq: number;
  readonly coveredSeq: number;
  /** Messages of the partition consumed up to `coveredSeq` (applied, duplicate, too late or rejected). */
  readonly consumed: number;
  /** The partition's live fleet after the batch. */
  readonly fleet: FleetStore;
  /** Endpoints of this partition whose state changed in the batch (their rows to write). */
  readonly endpointIds: readonly number[];
  /** Newest applied event time, UTC epoch ms. */
  readonly asOf: number | null;
}

/**
 * Where a partition's position — and, with a database, its tables — are kept. `commit` is one
 * transaction: the rows and the position together, refused with `PartitionFencedError` when the
 * stored position is not `previousSeq`.
 */
export interface PartitionStore {
  /** The stream sequence the partition's stored state covers (0: none) and the messages consumed up to it. */
  position(partition: number): Promise<StoredPosition>;
  commit(partition: number, write: PartitionCommit): Promise<void>;
}
