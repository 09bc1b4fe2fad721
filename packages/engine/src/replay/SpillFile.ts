/**
 * Sorted runs of event rows on disk, for a replay whose rows exceed its memory budget
 * (ReplaySession `maxRowsInMemory`; the two merge passes are in externalFinish.ts).
 *
 * Layout. A spill file holds runs one after another; a run is a sequence of blocks of
 * `blockRows` rows (the last one shorter); a block is one row block (core's rowBlock.ts:
 * the row columns one after the other, each padded to 8, little-endian), the layout a
 * checkpoint stores its rows in too. Strings stay pool references: the session's
 * in-memory `StringPool` (which grows with distinct strings, so with devices, not events)
 * reads them back. Blocks are written and read synchronously
 * (`finish()` and `ingestLine()` are synchronous) at explicit positions, through one file
 * descriptor per file however many runs it holds.
 */
import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { appendRow, type RowArrays } from '@simfleet/core/columns';
import { allocateRowBlock, type ByteOrderOptions, decodeRowBlock, encodeRowBlock, HOST_LITTLE_ENDIAN, rowBlockBytes } from '@simfleet/core/columns';

/** Rows per block unless told otherwise: ~560 KB a block, so a merge holds one per run. */
export const DEFAULT_BLOCK_ROWS = 8192;

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
  readonly #byteOrder: ByteOrderOptions;
  #fd: number | undefined;
  #end = 0;
  /** Where a block shorter than `blockRows` (or any block, on a big-endian host) is encoded. */
  #scratch: Uint8Array | undefined;

  /** `byteOrder` is for tests: `{ littleEndianHost: false }` runs a big-endian host's path. */
  constructor(path: string, blockRows = DEFAULT_BLOCK_ROWS, byteOrder: ByteOrderOptions = {}) {
    this.path = path;
    this.blockRows = Math.max(1, Math.floor(blockRows));
    this.#byteOrder = byteOrder;
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

  /**
   * Appends `block` (its `length` rows) as one row block; returns the offset it was
   * written at. A full block from `allocateRowBlock` is its own bytes on a little-endian
   * host: written as it is, without a copy.
   */
  writeBlock(block: RowArrays & { readonly bytes?: Uint8Array }): number {
    const fd = this.#open();
    const size = rowBlockBytes(block.length);
    let bytes: Uint8Array;
    if (block.bytes !== undefined && block.bytes.length === size && (this.#byteOrder.littleEndianHost ?? HOST_LITTLE_ENDIAN)) bytes = block.bytes;
    else {
      if (this.#scratch === undefined || this.#scratch.length < size) this.#scratch = new Uint8Array(Math.max(size, rowBlockBytes(this.blockRows)));
      bytes = this.#scratch.subarray(0, size);
    }
    encodeRowBlock(block, bytes, 0, this.#byteOrder);
    const start = this.#end;
    for (let done = 0; done < size; ) done += writeSync(fd, bytes, done, size - done, start + done);
    this.#end = start + size;
    return start;
  }

  /** Reads the block of `rows` rows at `offset` into `buffer` (at least `rowBlockBytes(rows)` long). */
  readBlock(offset: number, rows: number, buffer: ArrayBuffer): RowArrays {
    const fd = this.#open();
    const bytes = new Uint8Array(buffer, 0, rowBlockBytes(rows));
    for (let done = 0; done < bytes.length; ) {
      const n = readSync(fd, bytes, done, bytes.length - done, offset + done);
      if (n === 0) throw new Error(`spill file ${this.path} ends early at byte ${offset + done}`);
      done += n;
    }
    return decodeRowBlock(bytes, rows, 0, this.#byteOrder);
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
  readonly #block: RowArrays & { readonly bytes: Uint8Array };
  #offset = -1;
  #rows = 0;

  constructor(file: SpillFile, blockRows: number) {
    this.#file = file;
    this.#block = allocateRowBlock(blockRows);
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
    this.#buffer = new ArrayBuffer(rowBlockBytes(Math.min(run.blockRows, run.rows)));
    this.block = decodeRowBlock(new Uint8Array(this.#buffer), 0);
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
    this.block = this.#file.readBlock(offset + this.#nextBlock * rowBlockBytes(blockRows), n, this.#buffer);
    this.#nextBlock++;
    this.row = 0;
    return true;
  }
}
