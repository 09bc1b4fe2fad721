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
  /**
   * For a message of organisation facts (not an event record): the partition that sent it
   * (engine/organisationFacts.ts).
   */
  readonly factsFrom?: number | undefined;
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
  /**
   * Messages of an open partition consumed up to its stored position, when the sink stores that
   * count with the position (then the checkpoint records' counts survive any crash).
   */
  consumed?(partition: number): number | undefined;
  /**
   * Closes a partition. After a clean handover (`keep` false) its state is dropped; after a lost
   * lease (`keep` true) a sink may keep it, to reuse when this worker gets the partition back
   * and nobody moved it on in between (no rebuild).
   */
  close(partition: number, keep?: boolean): Promise<void>;
}
