/**
 * What the checkpoint bucket says about a partition: the stream sequence its last checkpoint
 * covers (every message of the partition up to it is in the checkpointed state), when, by whom.
 */
export interface CheckpointRecord {
  /** Stream sequence covered (0: nothing yet). */
  readonly seq: number;
  /** Messages of the partition applied so far (applied, duplicate or rejected). */
  readonly messages: number;
  /** ISO instant the checkpoint was written. */
  readonly at: string;
  /** The worker that wrote it. */
  readonly owner: string;
}

/**
 * Parses a checkpoint bucket value, `undefined` when it is not one.
 *
 * @example
 * parseCheckpointRecord('{"seq":12,"messages":12,"at":"2026-12-01T20:00:00.000Z","owner":"w1"}')
 */
export function parseCheckpointRecord(text: string): CheckpointRecord | undefined {
  try {
    const value = JSON.parse(text) as Partial<CheckpointRecord>;
    if (typeof value.seq !== 'number' || typeof value.at !== 'string' || typeof value.owner !== 'string') return undefined;
    return { seq: value.seq, messages: typeof value.messages === 'number' ? value.messages : 0, at: value.at, owner: value.owner };
  } catch {
    return undefined;
  }
}
