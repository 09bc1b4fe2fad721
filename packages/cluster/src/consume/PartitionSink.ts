/**
 * Where a partition's records go: the engine's live ingest and the PostgreSQL tables, or any
 * store that keeps a partition's state with the stream sequence it covers. The consumer
 * guarantees order (stream sequence, ascending, nothing skipped) and at-least-once delivery;
 * the sink makes it exactly-once by storing `coveredSeq` atomically with the state it wrote
 * and by refusing a batch whose previous position is not the one it holds (a fenced,
 * stale owner).
 */

/** One message of a partition as the sink sees it. */
export interface PartitionMessage {
  /** Stream sequence. */
  readonly seq: number;
  /** The record's JSON text. */
  readonly text: string;
  /** When JetStream stored it (UTC epoch ms): the receive time of the engine's clock guard, the same on every restore. */
  readonly storedAt: number;
  /** `file:line` of the record in the input it was published from, when known. */
  readonly source: string | undefined;
  /**
   * For a record sent to every partition (no endpoint): the partition whose worker counts it;
   * the others apply it without counting it.
   */
  readonly fanoutHome: number | undefined;
}

/** A record the sink refused (undecodable, too far in the future…): it is published to the rejects stream. */
export interface SinkRejection {
  readonly seq: number;
  readonly code: string;
  readonly reason: string;
}

/** What the sink did with a batch. */
export interface SinkResult {
  readonly rejected: readonly SinkRejection[];
}

/** The state store of partitions. */
export interface PartitionSink {
  /** Loads (or starts) a partition's state; resolves to the stream sequence it covers (0: none). */
  open(partition: number): Promise<number>;
  /**
   * Applies `messages` (sequences after `previousSeq`, ascending) and stores the state as
   * covering `coveredSeq` atomically. Rejects (throws) when the stored position is not
   * `previousSeq`: another owner moved on, this one must stop. `messages` may be empty (a
   * rejected poison record still moves the position).
   */
  apply(partition: number, messages: readonly PartitionMessage[], previousSeq: number, coveredSeq: number): Promise<SinkResult>;
  /** Drops the partition's in-memory state (after a handover or loss). */
  close(partition: number): Promise<void>;
}
