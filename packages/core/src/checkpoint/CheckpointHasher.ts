/**
 * The checksum of a checkpoint, supplied by the caller: core does no I/O and carries no
 * crypto, so the CLI passes sha256 from `node:crypto` (see packages/engine/src/checkpoint/).
 * The algorithm's name and digest length are written into the checkpoint, and a reader
 * with another hasher refuses it instead of calling it corrupt.
 */
export interface CheckpointHasher {
  /** Short ASCII name written into the checkpoint (at most 16 bytes), e.g. `sha256`. */
  readonly name: string;
  /** Length of `digest`'s result in bytes. */
  readonly digestBytes: number;
  /** The checksum of `bytes`. */
  digest(bytes: Uint8Array): Uint8Array;
}
