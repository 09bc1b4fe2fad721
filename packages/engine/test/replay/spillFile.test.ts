/**
 * Spill files: their bytes are row blocks (pinned by a hash computed from a fixed input),
 * and runs read back the rows they were given, in order, whatever the block size.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventColumns, StringPool } from '@simfleet/core';
import { type ByteOrderOptions, encodeRowBlock, POOL_COLUMNS, ROW_COLUMNS, rowBlockBytes } from '@simfleet/core/columns';
import { describe, expect, it } from 'vitest';
import { SpillFile } from '../../src/replay/SpillFile.js';
import { tempDir } from '../support.js';

/** `rows` rows derived from the column list: NaN, -0, negative RAT types, odd lengths. */
function fixedRows(rows: number): EventColumns {
  const pool = new StringPool();
  for (const s of ['8988303000005733850', '', 'é😀', '10.0.0.1']) pool.intern(s);
  const columns = new EventColumns(pool, rows + 3);
  ROW_COLUMNS.forEach(([name, kind], c) => {
    const column = columns[name];
    for (let r = 0; r < rows; r++) {
      let v: number;
      if (POOL_COLUMNS.includes(name)) v = (r + c) % (pool.size + 1);
      else if (kind === 'f64') v = r % 5 === c % 5 ? Number.NaN : r % 7 === 3 ? -0 : (r * 7919 + c * 104_729) * 1.25 - 3000;
      else if (kind === 'u32') v = (Math.imul(r + 1, 0x9e3779b1) + c) >>> 0;
      else if (kind === 'i16') v = ((r * 12_379 + c) & 0xffff) - 32_768;
      else v = (r * 31 + c * 7) & 0xff;
      column[r] = v;
    }
  });
  columns.length = rows;
  return columns;
}

/** Row `r` as plain values (NaN and -0 kept apart by `Object.is` in `toEqual`). */
const rowOf = (c: { [K in (typeof ROW_COLUMNS)[number][0]]: ArrayLike<number> }, r: number): number[] => ROW_COLUMNS.map(([name]) => c[name][r]!);

const SWAPPED: ByteOrderOptions = { littleEndianHost: false };

function writeRuns(path: string, rows: EventColumns, blockRows: number, runs: number, byteOrder: ByteOrderOptions = {}): SpillFile {
  const file = new SpillFile(path, blockRows, byteOrder);
  for (let k = 0; k < runs; k++) {
    const writer = file.writer();
    for (let r = 0; r < rows.length; r++) writer.push(rows, (r + k) % rows.length);
    writer.end();
  }
  return file;
}

describe('spill files', () => {
  it('hold the pinned bytes for a fixed input (two runs of blocks of 5, 5 and 3 rows), on both byte-order paths', () => {
    for (const byteOrder of [{}, SWAPPED]) {
      const path = join(tempDir(), 'pinned.runs');
      const file = writeRuns(path, fixedRows(13), 5, 2, byteOrder);
      const bytes = readFileSync(path);
      file.remove();
      const pinned = { length: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
      expect(pinned, 'spill bytes changed: pin new values only for a deliberate change of the row columns').toEqual({
        length: 2160,
        sha256: '91dd195087313598e0813863cdd01daba8d902b60398b2cf5b61b4b19f6dadfa',
      });
    }
  });

  it('are row blocks back to back: each block is encodeRowBlock of its rows', () => {
    const rows = fixedRows(13);
    const path = join(tempDir(), 'blocks.runs');
    const file = writeRuns(path, rows, 5, 1);
    const bytes = readFileSync(path);
    file.remove();
    const expected: Buffer[] = [];
    for (const [first, n] of [
      [0, 5],
      [5, 5],
      [10, 3],
    ] as const) {
      const block = fixedRows(13);
      for (const [name] of ROW_COLUMNS) block[name].set(rows[name].subarray(first, first + n) as never);
      block.length = n;
      const out = new Uint8Array(rowBlockBytes(n));
      encodeRowBlock(block, out);
      expected.push(Buffer.from(out));
    }
    expect(bytes.toString('hex')).toBe(Buffer.concat(expected).toString('hex'));
  });

  it('read back every run row by row, in order, for any block size, on both byte-order paths', () => {
    const rows = fixedRows(23);
    for (const [blockRows, byteOrder] of [1, 2, 7, 23, 64].flatMap((n) => [[n, {}] as const, [n, SWAPPED] as const])) {
      const file = writeRuns(join(tempDir(), 'runs'), rows, blockRows, 0, byteOrder);
      const runs = [0, 5, 0, 22].map((shift) => {
        const writer = file.writer();
        for (let r = 0; r < rows.length - shift; r++) writer.push(rows, (r + shift) % rows.length);
        return { shift, run: writer.end() };
      });
      for (const { shift, run } of runs) {
        const seen: number[][] = [];
        for (const reader = file.reader(run); reader.row >= 0; reader.next()) seen.push(rowOf(reader.block, reader.row));
        expect(seen).toEqual(Array.from({ length: rows.length - shift }, (_, r) => rowOf(rows, (r + shift) % rows.length)));
      }
      file.remove();
    }
  });
});
