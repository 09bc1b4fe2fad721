/**
 * What a checkpoint says besides its rows: the accounting of the records read so far,
 * where each input was left, and the options the rows depend on.
 */

/** The replay's accounting at the checkpoint (the part `finish()` cannot recompute from rows). */
export interface CheckpointAccount {
  /** Records read (applied later, duplicates or rejected). */
  readonly records: number;
  /** Records rejected while reading (bad JSON, failed validation, after `until`, …). */
  readonly rejected: number;
  /** Rejections by code, sorted by code. */
  readonly rejectedByReason: readonly (readonly [string, number])[];
  /** Records of unknown event type ids, by type id, sorted. */
  readonly unknownEventTypes: readonly (readonly [number, number])[];
  /**
   * The event ids (decimal) of those records and their type ids, sorted by id: a resumed
   * replay counts each event once, however often it was re-sent before or after the
   * checkpoint. Absent in checkpoints of older versions (their counts are added as they are).
   */
  readonly unknownEventIds?: readonly (readonly [string, number])[] | undefined;
  /** Records that named no endpoint. */
  readonly eventsWithoutEndpoint: number;
  /** Duplicate rows dropped before the checkpoint was written (compaction); counted as duplicates. */
  readonly duplicatesRemoved: number;
}

/** How far one input was read when the checkpoint was written. */
export interface CheckpointInput {
  readonly kind: 'file' | 'stdin';
  /** Absolute path of a file; null for stdin. */
  readonly path: string | null;
  /** Size in bytes and modification time (epoch ms) of the file when it was read; 0 for stdin. */
  readonly size: number;
  readonly mtimeMs: number;
  /**
   * How far it was read: the number of leading NDJSON lines (blank ones included) or JSON
   * array elements whose records are in the checkpoint; they are skipped when the same,
   * unchanged file is named again.
   */
  readonly position: number;
  /** True when every record of the input is in the checkpoint. */
  readonly complete: boolean;
}

/** The header of a checkpoint (stored as JSON). */
export interface CheckpointHeader {
  /** When it was written (ISO-8601 UTC). */
  readonly createdAt: string;
  /** The `until` bound (UTC epoch ms) the records were read with; null for none. */
  readonly until: number | null;
  readonly account: CheckpointAccount;
  readonly inputs: readonly CheckpointInput[];
}
