/**
 * The binary layout of a checkpoint (format version 4). Everything is little-endian.
 *
 * ```
 * offset  size  field
 *      0     8  magic 89 53 46 43 50 0D 0A 1A  ("\x89SFCP\r\n\x1a": binary, survives no text-mode copy)
 *      8     4  format version (u32) = 4
 *     12     4  header JSON length in bytes (u32)
 *     16     8  total length of the checkpoint in bytes (u32 low, u32 high)
 *     24    16  machine fingerprint (16 ASCII hex digits, see machineFingerprint.ts)
 *     40     4  checksum length in bytes (u32)
 *     44    16  checksum algorithm name (ASCII, zero-padded), e.g. "sha256"
 *     60     4  reserved (0)
 *     64     …  header JSON (UTF-8), padded with spaces to a multiple of 8
 *      …     …  sections, each at a multiple of 8 (offsets in the header, from the data start):
 *               stringBytes (u32 per pool string), strings (UTF-8), stringIndex (u32 hash
 *               slots, see StringPool.ts), then the rows: one row block (reducer/rowBlock.ts,
 *               the spill files' layout), each of its columns listed as a section
 *    end-c   c  checksum of every byte before it
 * ```
 * Sections are aligned so that a reader can map typed arrays straight over the bytes.
 */
import { ROW_COLUMNS, type RowColumnName } from '../reducer/rowColumns.js';

/** The first eight bytes of every checkpoint. */
export const CHECKPOINT_MAGIC: Uint8Array = Uint8Array.of(0x89, 0x53, 0x46, 0x43, 0x50, 0x0d, 0x0a, 0x1a);
/**
 * The format version this code writes and reads. 4: the string index is at most three
 * quarters full (`indexSlots`; it was half), so its section is half as long. 3: rows carry
 * the endpoint's `name` column. 2: the string index hashes UTF-8 bytes (it is the `StringPool`'s own index),
 * strings without bytes ('' and lone surrogates) are only in the header's `escaped`
 * list. Version 1 hashed UTF-16 code units.
 */
export const CHECKPOINT_FORMAT_VERSION = 4;
/** Bytes before the header JSON. */
export const PREFIX_BYTES = 64;
/** Longest checksum algorithm name the prefix holds. */
export const HASHER_NAME_BYTES = 16;

// The stored columns are the event row's columns (reducer/rowColumns.ts), in that order.
export { POOL_COLUMNS } from '../reducer/rowColumns.js';

/** The `EventColumns` fields a checkpoint stores, in file order (`order` is scratch: not stored). */
export const CHECKPOINT_COLUMNS = ROW_COLUMNS;

/** Name of a stored column. */
export type CheckpointColumnName = RowColumnName;
