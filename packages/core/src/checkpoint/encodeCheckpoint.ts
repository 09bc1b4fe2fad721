/**
 * Writes a replay's resumable state — the decoded event columns so far, their string
 * pool and the header — into one checkpoint (layout: checkpointLayout.ts).
 *
 * Why rows and not the fleet state. Replay deduplicates by event id and applies in
 * (time, id) order only at the end, so a new event older than the checkpoint, or a
 * duplicate across the split, must still meet every earlier row. Keeping the rows (about
 * 70 bytes an event) makes resuming byte-identical to a full replay by construction.
 */
import type { CompiledMachine } from '../reducer/compileMachine.js';
import type { EventColumns } from '../reducer/EventColumns.js';
import { align8, type ByteOrderOptions, encodeRowBlock, rowBlockLayout, writeColumnBytes } from '../reducer/rowBlock.js';
import type { CheckpointHasher } from './CheckpointHasher.js';
import type { CheckpointHeader } from './CheckpointHeader.js';
import { CHECKPOINT_FORMAT_VERSION, CHECKPOINT_MAGIC, HASHER_NAME_BYTES, PREFIX_BYTES } from './checkpointLayout.js';
import { encodeStrings } from './checkpointStrings.js';
import { machineFingerprint } from './machineFingerprint.js';

/** What a checkpoint holds. */
export interface CheckpointContent {
  readonly header: CheckpointHeader;
  /** The rows so far (`length` of them), interning into `columns.pool`; every pool string is stored. */
  readonly columns: EventColumns;
}

/** Options of `encodeCheckpoint` (`littleEndianHost: false` forces the big-endian path, for tests). */
export interface EncodeCheckpointOptions extends ByteOrderOptions {
  /** The machine whose fingerprint is written (default: `getCompiledMachine()`). */
  readonly compiled?: CompiledMachine;
}

/** One section of the data area, as listed in the header JSON. */
export interface CheckpointSection {
  readonly name: string;
  /** Offset from the data start (a multiple of 8). */
  readonly offset: number;
  readonly bytes: number;
}

/** The header JSON as stored: the caller's header plus the layout of the data area. */
export interface StoredHeader extends CheckpointHeader {
  readonly layout: {
    readonly rows: number;
    readonly strings: number;
    readonly escaped: readonly (readonly [number, string])[];
    readonly sections: readonly CheckpointSection[];
  };
}

/**
 * Encodes a checkpoint. The bytes are complete and self-checking: `decodeCheckpoint`
 * refuses them if anything is missing, altered, or written by another machine version.
 *
 * @example
 * const bytes = encodeCheckpoint({ header, columns }, sha256Hasher);
 * await store.write('fleet.ckpt', bytes);
 */
export function encodeCheckpoint(content: CheckpointContent, hasher: CheckpointHasher, options: EncodeCheckpointOptions = {}): Uint8Array {
  const { columns, header } = content;
  const name = new TextEncoder().encode(hasher.name);
  if (name.length === 0 || name.length > HASHER_NAME_BYTES) throw new RangeError(`checksum name must be 1 to ${HASHER_NAME_BYTES} bytes: '${hasher.name}'`);
  const rows = columns.length;
  const strings = encodeStrings(columns.pool);

  const sections: CheckpointSection[] = [];
  let cursor = 0;
  const add = (sectionName: string, bytes: number): void => {
    sections.push({ name: sectionName, offset: cursor, bytes });
    cursor = align8(cursor + bytes);
  };
  add('stringBytes', strings.byteLengths.byteLength);
  add('strings', strings.totalBytes);
  add('stringIndex', strings.index.byteLength);
  // The rows are one row block; its columns are listed as sections, as they always were.
  const rowsStart = cursor;
  const block = rowBlockLayout(rows);
  for (const column of block.columns) sections.push({ name: column.name, offset: rowsStart + column.offset, bytes: column.bytes });
  cursor += block.bytes;

  const stored: StoredHeader = {
    createdAt: header.createdAt,
    until: header.until,
    account: header.account,
    inputs: header.inputs,
    layout: { rows, strings: strings.byteLengths.length, escaped: strings.escaped, sections },
  };
  const json = new TextEncoder().encode(JSON.stringify(stored));
  const dataStart = PREFIX_BYTES + align8(json.length);
  const total = dataStart + cursor + hasher.digestBytes;

  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(CHECKPOINT_MAGIC, 0);
  view.setUint32(8, CHECKPOINT_FORMAT_VERSION, true);
  view.setUint32(12, json.length, true);
  view.setUint32(16, total % 2 ** 32, true);
  view.setUint32(20, Math.floor(total / 2 ** 32), true);
  const fingerprint = machineFingerprint(options.compiled);
  for (let i = 0; i < 16; i++) out[24 + i] = fingerprint.charCodeAt(i);
  view.setUint32(40, hasher.digestBytes, true);
  out.set(name, 44);
  out.set(json, PREFIX_BYTES);
  out.fill(0x20, PREFIX_BYTES + json.length, dataStart);

  const at = (sectionName: string): number => dataStart + (sections.find((s) => s.name === sectionName)?.offset ?? 0);
  writeColumnBytes(strings.byteLengths, 'u32', out, at('stringBytes'), options);
  let offset = at('strings');
  for (const part of strings.parts) {
    out.set(part, offset);
    offset += part.length;
  }
  writeColumnBytes(strings.index, 'u32', out, at('stringIndex'), options);
  encodeRowBlock(columns, out, dataStart + rowsStart, options);

  const digest = hasher.digest(out.subarray(0, total - hasher.digestBytes));
  if (digest.length !== hasher.digestBytes) throw new RangeError(`checksum '${hasher.name}' gave ${digest.length} bytes, not ${hasher.digestBytes}`);
  out.set(digest, total - hasher.digestBytes);
  return out;
}
