/**
 * Sorted runs of event rows on disk, for a replay whose rows exceed its memory budget
 * (ReplaySession `maxRowsInMemory`; the two merge passes are in externalFinish.ts).
 *
 * Layout. A spill file holds runs one after another; a run is a sequence of blocks of
 * `blockRows` rows (the last one shorter); a block is the 15 row columns one after the
 * other, each `rows × element size` bytes padded to 8, little-endian. Strings stay pool
 * references: the session's in-memory `StringPool` (which grows with distinct strings, so
 * with devices, not events) reads them back. Blocks are written and read synchronously
 * (`finish()` and `ingestLine()` are synchronous) at explicit positions, through one file
 * descriptor per file however many runs it holds.
 */
import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { appendRow, type ColumnKind, ROW_COLUMNS, type RowArrays, type RowColumnName } from '@simfleet/core';

type ColumnName = RowColumnName;

type TypedArrayCtor = Float64ArrayConstructor | Uint32ArrayConstructor | Uint8ArrayConstructor | Int16ArrayConstructor;

const CTOR_OF_KIND: Readonly<Record<ColumnKind, TypedArrayCtor>> = { f64: Float64Array, u32: Uint32Array, u8: Uint8Array, i16: Int16Array };

/** Block columns in file order (the event row's columns), with their element type. */
const COLUMNS: readonly (readonly [ColumnName, TypedArrayCtor])[] = ROW_COLUMNS.map(([name, kind]) => [name, CTOR_OF_KIND[kind]] as const);

/** Bytes a row takes in a block (before padding). */
export const SPILL_ROW_BYTES = COLUMNS.reduce((sum, [, ctor]) => sum + ctor.BYTES_PER_ELEMENT, 0);

/** Rows per block unless told otherwise: ~560 KB a block, so a merge holds one per run. */
export const DEFAULT_BLOCK_ROWS = 8192;

const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

const align8 = (n: number): number => Math.ceil(n / 8) * 8;
const PADDING = new Uint8Array(8);

/** Bytes of a block of `rows` rows. */
function blockBytes(rows: number): number {
  let bytes = 0;
  for (const [, ctor] of COLUMNS) bytes += align8(rows * ctor.BYTES_PER_ELEMENT);
  return bytes;
}

/** Reverses the bytes of each element in place (big-endian hosts only). */
function swapBytes(bytes: Uint8Array, size: number): void {
  if (size === 1) return;
  for (let i = 0; i + size <= bytes.length; i += size) bytes.subarray(i, i + size).reverse();
}

/** Block views over `buffer` for `rows` rows. */
function viewsOf(buffer: ArrayBuffer, rows: number): RowArrays {
  const out: Partial<Record<ColumnName, unknown>> = {};
  let offset = 0;
  for (const [name, ctor] of COLUMNS) {
    out[name] = new ctor(buffer, offset, rows);
    offset += align8(rows * ctor.BYTES_PER_ELEMENT);
  }
  return { ...(out as Omit<RowArrays, 'length'>), length: rows };
}

/** Fresh block columns for up to `rows` rows. */
export function allocateRows(rows: number): RowArrays {
  const block = viewsOf(new ArrayBuffer(blockBytes(rows)), rows);
  block.length = 0;
  return block;
}


/** Where a run is in its file. */
export interface SpillRun {
  readonly offset: number;
  readonly rows: number;
  readonly blockRows: number;
}

/**
 * One spill file (created, written and removed by its owner).
 *
 * @example
 * const file = new SpillFile('/tmp/simfleet-spill-x/pass0.runs');
 * const writer = file.writer();
 * for (const row of order) writer.push(columns, row);
 * const run = writer.end();
 * for (const reader = file.reader(run); reader.row >= 0; reader.next()) use(reader.block, reader.row);
 * file.remove();
 */
export class SpillFile {
  readonly path: string;
  readonly blockRows: number;
  #fd: number | undefined;
  #end = 0;

  constructor(path: string, blockRows = DEFAULT_BLOCK_ROWS) {
    this.path = path;
    this.blockRows = Math.max(1, Math.floor(blockRows));
    this.#fd = openSync(path, 'w+');
  }

  /** A writer of one run at the end of the file (one run at a time). */
  writer(): RunWriter {
    return new RunWriter(this, this.blockRows);
  }

  /** A reader of `run`, positioned on its first row (`row === -1` when empty). */
  reader(run: SpillRun): RunReader {
    return new RunReader(this, run);
  }

  /** Appends `block` (its `length` rows); returns the offset it was written at. */
  writeBlock(block: RowArrays): number {
    const fd = this.#open();
    const start = this.#end;
    let position = start;
    for (const [name] of COLUMNS) {
      const column = block[name];
      const bytes = new Uint8Array(column.buffer, column.byteOffset, block.length * column.BYTES_PER_ELEMENT);
      if (!LITTLE_ENDIAN) swapBytes(bytes, column.BYTES_PER_ELEMENT);
      for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done, position + done);
      position += bytes.length;
      // Padding is written too, so that the block's last column can be read whole at the file's end.
      const pad = align8(position) - position;
      if (pad > 0) writeSync(fd, PADDING, 0, pad, position);
      position += pad;
    }
    this.#end = position;
    return start;
  }

  /** Reads the block of `rows` rows at `offset` into `buffer` (at least `blockBytes(rows)` long). */
  readBlock(offset: number, rows: number, buffer: ArrayBuffer): RowArrays {
    const fd = this.#open();
    const bytes = new Uint8Array(buffer, 0, blockBytes(rows));
    for (let done = 0; done < bytes.length; ) {
      const n = readSync(fd, bytes, done, bytes.length - done, offset + done);
      if (n === 0) throw new Error(`spill file ${this.path} ends early at byte ${offset + done}`);
      done += n;
    }
    const block = viewsOf(buffer, rows);
    if (!LITTLE_ENDIAN) {
      for (const [name] of COLUMNS) {
        const c = block[name];
        swapBytes(new Uint8Array(c.buffer, c.byteOffset, rows * c.BYTES_PER_ELEMENT), c.BYTES_PER_ELEMENT);
      }
    }
    return block;
  }

  /** Closes and deletes the file (idempotent). */
  remove(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
    rmSync(this.path, { force: true });
  }

  #open(): number {
    if (this.#fd === undefined) throw new Error(`spill file ${this.path} was removed`);
    return this.#fd;
  }
}

/** Writes one run block by block. */
export class RunWriter {
  readonly #file: SpillFile;
  readonly #block: RowArrays;
  #offset = -1;
  #rows = 0;

  constructor(file: SpillFile, blockRows: number) {
    this.#file = file;
    this.#block = allocateRows(blockRows);
  }

  /** Rows written (or buffered) so far. */
  get rows(): number {
    return this.#rows;
  }

  /** Appends row `row` of `from`. */
  push(from: RowArrays, row: number): void {
    const block = this.#block;
    appendRow(from, row, block);
    this.#rows++;
    if (block.length === block.at.length) this.#flush();
  }

  /** Ends the run. */
  end(): SpillRun {
    this.#flush();
    return { offset: Math.max(0, this.#offset), rows: this.#rows, blockRows: this.#block.at.length };
  }

  #flush(): void {
    const block = this.#block;
    if (block.length === 0) return;
    const at = this.#file.writeBlock(block);
    if (this.#offset === -1) this.#offset = at;
    block.length = 0;
  }
}

/** Reads one run row by row (one block in memory). */
export class RunReader {
  readonly #file: SpillFile;
  readonly #run: SpillRun;
  readonly #buffer: ArrayBuffer;
  #nextBlock = 0;
  /** The block holding the current row. */
  block: RowArrays;
  /** The current row in `block`, or -1 when the run is exhausted. */
  row = -1;

  constructor(file: SpillFile, run: SpillRun) {
    this.#file = file;
    this.#run = run;
    this.#buffer = new ArrayBuffer(blockBytes(Math.min(run.blockRows, run.rows)));
    this.block = viewsOf(this.#buffer, 0);
    this.#load();
  }

  /** Moves to the next row; false (and `row === -1`) past the last one. */
  next(): boolean {
    if (this.row < 0) return false;
    if (++this.row < this.block.length) return true;
    return this.#load();
  }

  #load(): boolean {
    const { offset, rows, blockRows } = this.#run;
    const first = this.#nextBlock * blockRows;
    if (first >= rows) {
      this.row = -1;
      return false;
    }
    const n = Math.min(blockRows, rows - first);
    this.block = this.#file.readBlock(offset + this.#nextBlock * blockBytes(blockRows), n, this.#buffer);
    this.#nextBlock++;
    this.row = 0;
    return true;
  }
}
