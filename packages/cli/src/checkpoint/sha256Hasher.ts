import { createHash } from 'node:crypto';
import type { CheckpointHasher } from '@simfleet/core';

/**
 * The checksum the CLI writes into checkpoints and checks on load (core has no crypto).
 *
 * @example
 * const bytes = encodeCheckpoint(content, sha256Hasher);
 */
export const sha256Hasher: CheckpointHasher = {
  name: 'sha256',
  digestBytes: 32,
  digest: (bytes) => createHash('sha256').update(bytes).digest(),
};
