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
import type { CheckpointHasher } from './CheckpointHasher.js';
import type { CheckpointHeader } from './CheckpointHeader.js';
import {
  align8,
  CHECKPOINT_COLUMNS,
  CHECKPOINT_FORMAT_VERSION,
  CHECKPOINT_MAGIC,
  COLUMN_KIND_BYTES,
  type ColumnKind,
  HASHER_NAME_BYTES,
  PREFIX_BYTES,
} from './checkpointLayout.js';
import { encodeStrings } from './checkpointStrings.js';
import { machineFingerprint } from './machineFingerprint.js';

/** What a checkpoint holds. */
export interface CheckpointContent {
  readonly header: CheckpointHeader;
  /** The rows so far (`length` of them), interning into `columns.pool`; every pool string is stored. */
  readonly columns: EventColumns;
}

/** Options of `encodeCheckpoint`. */
export interface EncodeCheckpointOptions {
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

const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

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
  for (const [column, kind] of CHECKPOINT_COLUMNS) add(column, rows * COLUMN_KIND_BYTES[kind]);

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
  writeColumn(out, at('stringBytes'), strings.byteLengths, 'u32');
  let offset = at('strings');
  for (const part of strings.parts) {
    out.set(part, offset);
    offset += part.length;
  }
  writeColumn(out, at('stringIndex'), strings.index, 'u32');
  for (const [column, kind] of CHECKPOINT_COLUMNS) writeColumn(out, at(column), columns[column].subarray(0, rows), kind);

  const digest = hasher.digest(out.subarray(0, total - hasher.digestBytes));
  if (digest.length !== hasher.digestBytes) throw new RangeError(`checksum '${hasher.name}' gave ${digest.length} bytes, not ${hasher.digestBytes}`);
  out.set(digest, total - hasher.digestBytes);
  return out;
}

type Column = Float64Array | Uint32Array | Uint8Array | Int16Array;

/** Copies a column's elements as little-endian bytes. */
function writeColumn(out: Uint8Array, offset: number, values: Column, kind: ColumnKind): void {
  if (LITTLE_ENDIAN || kind === 'u8') {
    out.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), offset);
    return;
  }
  const view = new DataView(out.buffer, out.byteOffset + offset, values.byteLength);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (kind === 'f64') view.setFloat64(i * 8, v, true);
    else if (kind === 'u32') view.setUint32(i * 4, v, true);
    else view.setInt16(i * 2, v, true);
  }
}
