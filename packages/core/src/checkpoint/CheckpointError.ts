/**
 * Why a checkpoint could not be loaded. A checkpoint is loaded whole or not at all: every
 * check below runs before anything is handed to the caller.
 */

/** Stable codes of `CheckpointError`. */
export type CheckpointErrorCode =
  /** The bytes do not start with the checkpoint magic: not a simfleet checkpoint. */
  | 'bad_magic'
  /** Written in another checkpoint format version. */
  | 'unsupported_version'
  /** Shorter (or longer) than its own header says: cut off while copying or writing. */
  | 'truncated'
  /** The checksum does not match the bytes: damaged on disk or in transit. */
  | 'corrupt'
  /** Written by another statechart / catalog version: its rows would mean something else. */
  | 'machine_mismatch'
  /** Checksum fine but the layout is inconsistent (a writer bug): refused, never guessed. */
  | 'invalid_layout';

/**
 * A checkpoint that was refused, with a stable code and a message a person can act on.
 *
 * @example
 * const r = decodeCheckpoint(bytes, sha256);
 * if (!r.ok && r.error.code === 'machine_mismatch') console.error(r.error.message);
 */
export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
  readonly code: CheckpointErrorCode;

  constructor(code: CheckpointErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
