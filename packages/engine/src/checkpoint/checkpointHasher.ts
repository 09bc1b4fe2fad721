import { crc32 } from 'node:zlib';
import type { CheckpointHasher } from '@simfleet/core/checkpoint';

/**
 * The checksum the CLI writes into checkpoints and checks on load (core has no I/O and
 * no crypto, so it is passed in).
 *
 * Why CRC-32 and not sha256. The checksum guards against accidents — a torn copy, a bad
 * disk block, a truncated upload — not against an attacker, and it sits on the load path
 * of checkpoints of hundreds of megabytes: zlib's CRC-32 runs at several GB/s, about four
 * times sha256 here, and catches every error burst up to 32 bits (so every single-byte
 * change). Truncation is caught before it, by the stored length.
 *
 * @example
 * const bytes = encodeCheckpoint(content, checkpointHasher);
 */
export const checkpointHasher: CheckpointHasher = {
  name: 'crc32',
  digestBytes: 4,
  digest: (bytes) => {
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, crc32(bytes), true);
    return out;
  },
};
