/**
 * A block of event rows as bytes: the one binary layout that spill files (a run is a
 * sequence of blocks) and checkpoints (their column area is one block) both store.
 *
 * Layout of a block of `n` rows. The row columns (`ROW_COLUMNS`, rowColumns.ts) one after
 * another, in that order; each is `n × element size` bytes, little-endian, then zero bytes
 * up to a multiple of 8, so that every column starts 8-aligned and a typed array maps
 * straight over it. `pad8(x)` is `x` rounded up to a multiple of 8; a column's offset is
 * the sum of the padded sizes before it:
 *
 * ```
 * column            kind  bytes (padded)
 * at                f64   8n
 * idHi              u32   pad8(4n)
 * idLo              u32   pad8(4n)
 * endpointId        f64   8n
 * type              u8    pad8(n)
 * organisationId    f64   8n
 * simId             f64   8n
 * iccid             u32   pad8(4n)
 * imsi              u32   pad8(4n)
 * imei              u32   pad8(4n)
 * ipAddress         u32   pad8(4n)
 * apn               u32   pad8(4n)
 * operator          u32   pad8(4n)
 * ratType           i16   pad8(2n)
 * rejectionReason   u8    pad8(n)
 * name              u32   pad8(4n)
 * ```
 * Total: `rowBlockBytes(n)`. Nothing else is stored: the row count travels beside the block
 * (a spill run's length, a checkpoint's header), and string columns are references into a
 * `StringPool` that is stored (or kept) elsewhere.
 *
 * Why little-endian with views and not a serializer: every host simfleet runs on is
 * little-endian, where reading a block is mapping typed arrays over the bytes and writing
 * one is a copy per column. A big-endian host takes the byte-swapping path (`DataView`
 * with explicit little-endian access), which tests force with `littleEndianHost: false`.
 */
import { COLUMN_KIND_BYTES, type ColumnKind, ROW_COLUMNS, type RowArrays, type RowColumnName } from './rowColumns.js';

/** A typed array of one column kind. */
export type ColumnArray = Float64Array | Uint32Array | Uint8Array | Int16Array;

/** Whether this host's typed arrays are little-endian (every common one's are). */
export const HOST_LITTLE_ENDIAN: boolean = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** Byte order the codec assumes for the host. */
export interface ByteOrderOptions {
  /**
   * Treat the host as little-endian: zero-copy views and plain copies. Default: what the
   * host is. `false` runs the byte-swapping path of a big-endian host (tests use it on
   * little-endian machines); the bytes it writes and the values it reads are the same.
   */
  readonly littleEndianHost?: boolean | undefined;
}

/** Rounds up to a multiple of 8. */
export const align8 = (n: number): number => Math.ceil(n / 8) * 8;

/** Bytes one row takes in a block before padding (the sum of the element sizes). */
export const ROW_BLOCK_ROW_BYTES: number = ROW_COLUMNS.reduce((sum, [, kind]) => sum + COLUMN_KIND_BYTES[kind], 0);

/** Where one column is in a block. */
export interface RowBlockColumn {
  readonly name: RowColumnName;
  readonly kind: ColumnKind;
  /** From the block's start; a multiple of 8. */
  readonly offset: number;
  /** `rows × element size` (the padding after it not counted). */
  readonly bytes: number;
}

/** The layout of a block of `rows` rows. */
export interface RowBlockLayout {
  readonly rows: number;
  /** Bytes of the whole block, padding included (`rowBlockBytes(rows)`). */
  readonly bytes: number;
  /** Every row column, in `ROW_COLUMNS` order. */
  readonly columns: readonly RowBlockColumn[];
}

const checkRows = (rows: number): void => {
  if (!Number.isSafeInteger(rows) || rows < 0) throw new RangeError(`a row block holds a whole number of rows, not ${rows}`);
};

/**
 * Bytes of a block of `rows` rows.
 *
 * @example
 * rowBlockBytes(0) // 0
 * rowBlockBytes(8192) === 8192 * ROW_BLOCK_ROW_BYTES // true: no padding at a multiple of 8 rows
 */
export function rowBlockBytes(rows: number): number {
  checkRows(rows);
  let bytes = 0;
  for (const [, kind] of ROW_COLUMNS) bytes += align8(rows * COLUMN_KIND_BYTES[kind]);
  return bytes;
}

/**
 * The column offsets and sizes of a block of `rows` rows.
 *
 * @example
 * const layout = rowBlockLayout(3);
 * layout.columns[1] // { name: 'idHi', kind: 'u32', offset: 24, bytes: 12 }
 */
export function rowBlockLayout(rows: number): RowBlockLayout {
  checkRows(rows);
  const columns: RowBlockColumn[] = [];
  let offset = 0;
  for (const [name, kind] of ROW_COLUMNS) {
    const bytes = rows * COLUMN_KIND_BYTES[kind];
    columns.push({ name, kind, offset, bytes });
    offset += align8(bytes);
  }
  return { rows, bytes: offset, columns };
}

/**
 * Writes `values` as little-endian elements of `kind` at `out[offset]` (no padding).
 * Used for every column of a block, and by the checkpoint for its other `u32` sections.
 *
 * @example
 * writeColumnBytes(Uint32Array.of(1, 2), 'u32', out, 16); // out[16..24) = 01 00 00 00 02 00 00 00
 */
export function writeColumnBytes(values: ColumnArray, kind: ColumnKind, out: Uint8Array, offset: number, options: ByteOrderOptions = {}): void {
  const bytes = values.length * COLUMN_KIND_BYTES[kind];
  if (offset < 0 || offset + bytes > out.length) throw new RangeError(`${bytes} column bytes do not fit at ${offset} in ${out.length}`);
  if (kind === 'u8' || (options.littleEndianHost ?? HOST_LITTLE_ENDIAN)) {
    // A column already at its place (a full spill block written from its own buffer) is left as it is.
    if (values.buffer === out.buffer && values.byteOffset === out.byteOffset + offset) return;
    out.set(new Uint8Array(values.buffer, values.byteOffset, bytes), offset);
    return;
  }
  const view = new DataView(out.buffer, out.byteOffset + offset, bytes);
  if (kind === 'f64') for (let i = 0; i < values.length; i++) view.setFloat64(i * 8, values[i]!, true);
  else if (kind === 'u32') for (let i = 0; i < values.length; i++) view.setUint32(i * 4, values[i]!, true);
  else for (let i = 0; i < values.length; i++) view.setInt16(i * 2, values[i]!, true);
}

/**
 * `count` little-endian elements of `kind` at `bytes[offset]`: a view over the bytes on a
 * little-endian host (`bytes.byteOffset + offset` must be a multiple of the element size),
 * a swapped copy otherwise (the bytes are never changed).
 *
 * @example
 * const lengths = readColumnBytes(bytes, 64, strings, 'u32') as Uint32Array;
 */
export function readColumnBytes(bytes: Uint8Array, offset: number, count: number, kind: ColumnKind, options: ByteOrderOptions = {}): ColumnArray {
  const size = COLUMN_KIND_BYTES[kind];
  if (offset < 0 || offset + count * size > bytes.length) throw new RangeError(`${count} × ${kind} at ${offset} run past ${bytes.length} bytes`);
  const at = bytes.byteOffset + offset;
  if (kind === 'u8') return new Uint8Array(bytes.buffer, at, count);
  if (options.littleEndianHost ?? HOST_LITTLE_ENDIAN) {
    if (kind === 'f64') return new Float64Array(bytes.buffer, at, count);
    if (kind === 'u32') return new Uint32Array(bytes.buffer, at, count);
    return new Int16Array(bytes.buffer, at, count);
  }
  const view = new DataView(bytes.buffer, at, count * size);
  if (kind === 'f64') return Float64Array.from({ length: count }, (_, i) => view.getFloat64(i * 8, true));
  if (kind === 'u32') return Uint32Array.from({ length: count }, (_, i) => view.getUint32(i * 4, true));
  return Int16Array.from({ length: count }, (_, i) => view.getInt16(i * 2, true));
}

/**
 * Writes the first `rows.length` rows as one block at `out[offset]`, padding zeroed;
 * returns the bytes written (`rowBlockBytes(rows.length)`). `out` must have room.
 *
 * @example
 * const out = new Uint8Array(rowBlockBytes(columns.length));
 * encodeRowBlock(columns, out); // out.length bytes written
 * decodeRowBlock(out, columns.length).at[0] === columns.at[0] // true
 */
export function encodeRowBlock(rows: RowArrays, out: Uint8Array, offset = 0, options: ByteOrderOptions = {}): number {
  const n = rows.length;
  const layout = rowBlockLayout(n);
  if (offset < 0 || offset + layout.bytes > out.length)
    throw new RangeError(`a block of ${n} rows (${layout.bytes} bytes) does not fit at ${offset} in ${out.length}`);
  for (const { name, kind, offset: at, bytes } of layout.columns) {
    const column = rows[name];
    if (column.length < n) throw new RangeError(`column ${name} holds ${column.length} rows, not ${n}`);
    writeColumnBytes(column.subarray(0, n), kind, out, offset + at, options);
    out.fill(0, offset + at + bytes, offset + at + align8(bytes));
  }
  return layout.bytes;
}

/**
 * The block of `rows` rows at `bytes[offset]` as columns: views over the bytes on a
 * little-endian host (so `bytes.byteOffset + offset` must be a multiple of 8, and the
 * bytes must not change while the rows are in use), swapped copies otherwise.
 *
 * @example
 * const block = decodeRowBlock(bytes, 8192);
 * block.endpointId[0] // the first row's endpoint
 */
export function decodeRowBlock(bytes: Uint8Array, rows: number, offset = 0, options: ByteOrderOptions = {}): RowArrays {
  const layout = rowBlockLayout(rows);
  if (offset < 0 || offset + layout.bytes > bytes.length)
    throw new RangeError(`a block of ${rows} rows (${layout.bytes} bytes) runs past ${bytes.length} bytes at ${offset}`);
  const out: Partial<Record<RowColumnName, ColumnArray>> = {};
  for (const { name, kind, offset: at } of layout.columns) out[name] = readColumnBytes(bytes, offset + at, rows, kind, options);
  return { ...(out as Omit<RowArrays, 'length'>), length: rows };
}

/**
 * Empty rows (`length` 0) with room for `capacity` rows, laid out as a block of
 * `capacity` rows over one buffer: once full, on a little-endian host, the buffer is
 * that block's bytes (`encodeRowBlock` into it copies nothing).
 *
 * @example
 * const block = allocateRowBlock(8192);
 * appendRow(columns, 0, block); // block.length === 1
 */
export function allocateRowBlock(capacity: number): RowArrays & { readonly bytes: Uint8Array } {
  const bytes = new Uint8Array(rowBlockBytes(capacity));
  const rows = decodeRowBlock(bytes, capacity, 0, { littleEndianHost: true });
  return { ...rows, length: 0, bytes };
}
