/**
 * Reads a checkpoint back, all or nothing.
 *
 * Checks run from the cheapest and most telling to the most thorough: magic (is it a
 * checkpoint at all), format version, length (truncated), checksum (corrupt), then the
 * machine fingerprint — last, because only an intact checkpoint can honestly be said to
 * come from another statechart version. Nothing is returned until every check passed.
 *
 * Loading is fast for large fleets: the columns are typed-array views over the bytes, and
 * the strings are read in place through their stored index (no per-row, no per-string work
 * beyond two linear passes over the lengths and the index).
 */
import type { CompiledMachine } from '../reducer/compileMachine.js';
import type { EventColumns } from '../reducer/EventColumns.js';
import { align8, type ByteOrderOptions, decodeRowBlock, readColumnBytes, rowBlockLayout } from '../reducer/rowBlock.js';
import { CheckpointError } from './CheckpointError.js';
import type { CheckpointHasher } from './CheckpointHasher.js';
import type { CheckpointAccount, CheckpointHeader, CheckpointInput } from './CheckpointHeader.js';
import { CHECKPOINT_FORMAT_VERSION, CHECKPOINT_MAGIC, type CheckpointColumnName, HASHER_NAME_BYTES, PREFIX_BYTES } from './checkpointLayout.js';
import { CheckpointStringPool, indexSlots } from './CheckpointStringPool.js';
import type { CheckpointSection } from './encodeCheckpoint.js';
import { machineFingerprint } from './machineFingerprint.js';

/** The stored rows: the `EventColumns` fields a checkpoint holds, `length` long. */
export type CheckpointRows = Pick<EventColumns, CheckpointColumnName | 'length'>;

/** A checkpoint, loaded. */
export interface DecodedCheckpoint {
  readonly header: CheckpointHeader;
  /**
   * The checkpoint's strings, read in place: the rows' references are this pool's. Give it
   * to the session's fleet (`new FleetStore({ pool })`) to resume without re-interning.
   */
  readonly pool: CheckpointStringPool;
  /** Views over the checkpoint's bytes (do not mutate the bytes while these are in use). */
  readonly rows: CheckpointRows;
  /** The machine fingerprint it was written with (equal to this code's). */
  readonly fingerprint: string;
}

/** Outcome of `decodeCheckpoint`. */
export type DecodeCheckpointResult = { readonly ok: true; readonly value: DecodedCheckpoint } | { readonly ok: false; readonly error: CheckpointError };

/** Options of `decodeCheckpoint` (`littleEndianHost: false` forces the big-endian path, for tests). */
export interface DecodeCheckpointOptions extends ByteOrderOptions {
  /** The machine the checkpoint must have been written with (default: `getCompiledMachine()`). */
  readonly compiled?: CompiledMachine;
}

const fail = (code: CheckpointError['code'], message: string): DecodeCheckpointResult => ({ ok: false, error: new CheckpointError(code, message) });

/**
 * Decodes and verifies a checkpoint.
 *
 * @example
 * const r = decodeCheckpoint(await store.read('fleet.ckpt'), sha256Hasher);
 * if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
 * restoreColumns(r.value, columns);
 */
export function decodeCheckpoint(input: Uint8Array, hasher: CheckpointHasher, options: DecodeCheckpointOptions = {}): DecodeCheckpointResult {
  const magicSeen = Math.min(input.length, CHECKPOINT_MAGIC.length);
  for (let i = 0; i < magicSeen; i++) {
    if (input[i] !== CHECKPOINT_MAGIC[i]) return fail('bad_magic', 'not a simfleet checkpoint (wrong magic bytes)');
  }
  if (input.length < PREFIX_BYTES) return fail('truncated', `checkpoint is truncated: ${input.length} bytes, shorter than its ${PREFIX_BYTES}-byte prefix`);
  // Typed-array views need 8-byte alignment; a file read into its own buffer has it already.
  const bytes = input.byteOffset % 8 === 0 ? input : input.slice();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== CHECKPOINT_FORMAT_VERSION) {
    return fail(
      'unsupported_version',
      `checkpoint format version ${version} is not supported (this simfleet reads version ${CHECKPOINT_FORMAT_VERSION}): replay from the logs`,
    );
  }
  const total = view.getUint32(16, true) + view.getUint32(20, true) * 2 ** 32;
  if (bytes.length < total) return fail('truncated', `checkpoint is truncated: ${bytes.length} of ${total} bytes`);
  if (bytes.length > total) return fail('corrupt', `checkpoint is corrupt: ${bytes.length} bytes where its header says ${total}`);
  const digestBytes = view.getUint32(40, true);
  const name = asciiField(bytes, 44, HASHER_NAME_BYTES);
  if (name !== hasher.name || digestBytes !== hasher.digestBytes) {
    return fail('unsupported_version', `checkpoint is checksummed with '${name}', this reader checks '${hasher.name}'`);
  }
  const jsonBytes = view.getUint32(12, true);
  const dataStart = PREFIX_BYTES + align8(jsonBytes);
  if (digestBytes > total || dataStart > total - digestBytes) return fail('corrupt', 'checkpoint is corrupt: its lengths do not fit');
  const expected = hasher.digest(bytes.subarray(0, total - digestBytes));
  const stored = bytes.subarray(total - digestBytes, total);
  if (expected.length !== digestBytes || expected.some((b, i) => b !== stored[i])) {
    return fail('corrupt', 'checkpoint is corrupt: checksum mismatch');
  }
  const fingerprint = asciiField(bytes, 24, 16);
  const ours = machineFingerprint(options.compiled);
  if (fingerprint !== ours) {
    return fail(
      'machine_mismatch',
      `this checkpoint was written by another statechart version (machine ${fingerprint}, this simfleet has ${ours}): replay from the logs`,
    );
  }

  let stored_: unknown;
  try {
    stored_ = JSON.parse(new TextDecoder().decode(bytes.subarray(PREFIX_BYTES, PREFIX_BYTES + jsonBytes)));
  } catch {
    return fail('invalid_layout', 'checkpoint header is not JSON');
  }
  const parsed = readStoredHeader(stored_);
  if (typeof parsed === 'string') return fail('invalid_layout', `checkpoint header: ${parsed}`);
  const { header, rows, strings: stringCount, escaped, sections } = parsed;
  const dataEnd = total - digestBytes;
  const section = (sectionName: string, expectedBytes: number | undefined): CheckpointSection | string => {
    const s = sections.find((x) => x.name === sectionName);
    if (s === undefined) return `no ${sectionName} section`;
    if (s.offset % 8 !== 0 || dataStart + s.offset + s.bytes > dataEnd) return `section ${sectionName} is out of bounds`;
    if (expectedBytes !== undefined && s.bytes !== expectedBytes) return `section ${sectionName} holds ${s.bytes} bytes, not ${expectedBytes}`;
    return s;
  };

  const lengthsSection = section('stringBytes', stringCount * 4);
  if (typeof lengthsSection === 'string') return fail('invalid_layout', lengthsSection);
  const stringsSection = section('strings', undefined);
  if (typeof stringsSection === 'string') return fail('invalid_layout', stringsSection);
  const slots = indexSlots(stringCount);
  const indexSection = section('stringIndex', slots * 4);
  if (typeof indexSection === 'string') return fail('invalid_layout', indexSection);
  const byteLengths = readColumnBytes(bytes, dataStart + lengthsSection.offset, stringCount, 'u32', options) as Uint32Array;
  let sum = 0;
  let withoutBytes = 0;
  for (let i = 0; i < stringCount; i++) {
    sum += byteLengths[i]!;
    if (byteLengths[i] === 0) withoutBytes++;
  }
  if (sum !== stringsSection.bytes) return fail('invalid_layout', 'string pool lengths do not match its bytes');
  const index = readColumnBytes(bytes, dataStart + indexSection.offset, slots, 'u32', options) as Uint32Array;
  let filled = 0;
  for (let i = 0; i < slots; i++) {
    const ref = index[i]!;
    if (ref > stringCount) return fail('invalid_layout', 'string index points past the pool');
    if (ref !== 0) filled++;
  }
  // Strings without bytes (escaped ones, '') are not in the index: the header holds them.
  if (filled !== stringCount - withoutBytes || escaped.length !== withoutBytes) return fail('invalid_layout', 'string index does not hold every string');
  const escapedStrings = new Map<number, string>();
  for (const [ref, json] of escaped) {
    let value: unknown;
    try {
      value = JSON.parse(json);
    } catch {
      value = undefined;
    }
    if (typeof value !== 'string' || ref < 1 || ref > stringCount || byteLengths[ref - 1] !== 0)
      return fail('invalid_layout', 'an escaped string is malformed');
    escapedStrings.set(ref, value);
  }
  const stringsStart = dataStart + stringsSection.offset;
  const pool = new CheckpointStringPool({
    byteLengths,
    bytes: bytes.subarray(stringsStart, stringsStart + stringsSection.bytes),
    index,
    escaped: escapedStrings,
  });

  // The rows are one row block: each column's section must be where the block puts it.
  const block = rowBlockLayout(rows);
  const first = section(block.columns[0]!.name, undefined);
  if (typeof first === 'string') return fail('invalid_layout', first);
  const rowsStart = first.offset;
  if (dataStart + rowsStart + block.bytes > dataEnd) return fail('invalid_layout', `the ${rows} rows run past the data area`);
  for (const column of block.columns) {
    const s = section(column.name, column.bytes);
    if (typeof s === 'string') return fail('invalid_layout', s);
    if (s.offset !== rowsStart + column.offset) return fail('invalid_layout', `section ${column.name} is not where the row block puts it`);
  }
  const rowArrays = decodeRowBlock(bytes, rows, dataStart + rowsStart, options);
  return { ok: true, value: { header, pool, rows: rowArrays as CheckpointRows, fingerprint } };
}

function asciiField(bytes: Uint8Array, offset: number, length: number): string {
  let s = '';
  for (let i = offset; i < offset + length && bytes[i] !== 0; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

interface ParsedHeader {
  readonly header: CheckpointHeader;
  readonly rows: number;
  readonly strings: number;
  readonly escaped: readonly (readonly [number, string])[];
  readonly sections: readonly CheckpointSection[];
}

type Json = Readonly<Record<string, unknown>>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Validates the stored header JSON: a problem as a string, never a half-read header. */
function readStoredHeader(v: unknown): ParsedHeader | string {
  if (!isObject(v)) return 'not an object';
  const { createdAt, until, account, inputs, layout } = v as Record<string, unknown>;
  if (typeof createdAt !== 'string') return 'createdAt is not a string';
  if (until !== null && typeof until !== 'number') return 'until is not a number or null';
  const acc = readAccount(account);
  if (typeof acc === 'string') return acc;
  if (!Array.isArray(inputs)) return 'inputs is not an array';
  const ins: CheckpointInput[] = [];
  for (const input of inputs) {
    const parsed = readInput(input);
    if (typeof parsed === 'string') return parsed;
    ins.push(parsed);
  }
  if (!isObject(layout)) return 'layout is not an object';
  const { rows, strings, escaped, sections } = layout as Record<string, unknown>;
  if (!isCount(rows) || !isCount(strings)) return 'layout rows/strings are not counts';
  if (!Array.isArray(escaped) || !escaped.every((e) => Array.isArray(e) && e.length === 2 && isCount(e[0]) && typeof e[1] === 'string')) {
    return 'layout.escaped is malformed';
  }
  if (!Array.isArray(sections) || !sections.every(isSection)) {
    return 'layout.sections is malformed';
  }
  return {
    header: { createdAt, until: until as number | null, account: acc, inputs: ins },
    rows,
    strings,
    escaped: escaped as [number, string][],
    sections: sections as CheckpointSection[],
  };
}

function isSection(v: unknown): boolean {
  if (!isObject(v)) return false;
  const { name, offset, bytes } = v as Record<string, unknown>;
  return typeof name === 'string' && isCount(offset) && isCount(bytes);
}

function readAccount(v: unknown): CheckpointAccount | string {
  if (!isObject(v)) return 'account is not an object';
  const { records, rejected, rejectedByReason, unknownEventTypes, unknownEventIds, eventsWithoutEndpoint, duplicatesRemoved } = v as Record<string, unknown>;
  if (!isCount(records) || !isCount(rejected) || !isCount(eventsWithoutEndpoint) || !isCount(duplicatesRemoved)) return 'account counts are malformed';
  const pairs = (p: unknown, key: (k: unknown) => boolean): boolean =>
    Array.isArray(p) && p.every((e) => Array.isArray(e) && e.length === 2 && key(e[0]) && isCount(e[1]));
  if (!pairs(rejectedByReason, (k) => typeof k === 'string')) return 'account.rejectedByReason is malformed';
  if (!pairs(unknownEventTypes, (k) => typeof k === 'number' && Number.isSafeInteger(k))) return 'account.unknownEventTypes is malformed';
  if (unknownEventIds !== undefined && !pairs(unknownEventIds, (k) => typeof k === 'string' && /^\d+$/.test(k))) return 'account.unknownEventIds is malformed';
  return {
    ...(unknownEventIds === undefined ? {} : { unknownEventIds: unknownEventIds as [string, number][] }),
    records,
    rejected,
    rejectedByReason: rejectedByReason as [string, number][],
    unknownEventTypes: unknownEventTypes as [number, number][],
    eventsWithoutEndpoint,
    duplicatesRemoved,
  };
}

function readInput(v: unknown): CheckpointInput | string {
  if (!isObject(v)) return 'an input is not an object';
  const { kind, path, size, mtimeMs, position, complete } = v as Record<string, unknown>;
  if (kind !== 'file' && kind !== 'stdin') return 'an input has no kind';
  if (path !== null && typeof path !== 'string') return 'an input path is malformed';
  if (!isCount(size) || typeof mtimeMs !== 'number' || !isCount(position) || typeof complete !== 'boolean') {
    return 'an input position is malformed';
  }
  return { kind, path, size, mtimeMs, position, complete };
}
