/**
 * The row block — the bytes spill files and checkpoints store rows in: its layout follows
 * the column list, both byte-order paths (the little-endian views and the swapping path a
 * big-endian host takes, forced here) write the same bytes as an independent writer of the
 * documented layout, and read back every value, NaN and -0 included.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  align8,
  allocateRowBlock,
  type ColumnArray,
  decodeRowBlock,
  encodeRowBlock,
  HOST_LITTLE_ENDIAN,
  ROW_BLOCK_ROW_BYTES,
  rowBlockBytes,
  rowBlockLayout,
} from '../../src/reducer/rowBlock.js';
import { appendRow, COLUMN_KIND_BYTES, type ColumnKind, ROW_COLUMNS, type RowArrays, type RowColumnName } from '../../src/reducer/rowColumns.js';

const SWAPPED = { littleEndianHost: false } as const;

const valueArb: Readonly<Record<ColumnKind, fc.Arbitrary<number>>> = {
  f64: fc.oneof(fc.double(), fc.constantFrom(Number.NaN, -0, Number.POSITIVE_INFINITY, 2 ** 53 - 1)),
  u32: fc.integer({ min: 0, max: 0xffff_ffff }),
  u8: fc.integer({ min: 0, max: 0xff }),
  i16: fc.integer({ min: -0x8000, max: 0x7fff }),
};

const arrayOf = (kind: ColumnKind, values: readonly number[], capacity: number): ColumnArray => {
  const array =
    kind === 'f64'
      ? new Float64Array(capacity)
      : kind === 'u32'
        ? new Uint32Array(capacity)
        : kind === 'u8'
          ? new Uint8Array(capacity)
          : new Int16Array(capacity);
  array.set(values);
  // Values past `length` must not be stored.
  array.fill(7, values.length);
  return array;
};

/** Rows in arrays with room for a few more (filled with junk the block must not hold). */
const rowsArb: fc.Arbitrary<RowArrays> = fc
  .integer({ min: 0, max: 40 })
  .chain((n) => fc.tuple(fc.constant(n), fc.tuple(...ROW_COLUMNS.map(([, kind]) => fc.array(valueArb[kind], { minLength: n, maxLength: n })))))
  .map(([n, values]) => {
    const out: Partial<Record<RowColumnName, ColumnArray>> = {};
    ROW_COLUMNS.forEach(([name, kind], c) => {
      out[name] = arrayOf(kind, values[c]!, n + 3);
    });
    return { ...(out as Omit<RowArrays, 'length'>), length: n };
  });

/** The documented layout, written the plain way: column after column, `DataView`, padded to 8. */
function referenceBytes(rows: RowArrays): Uint8Array {
  const n = rows.length;
  let total = 0;
  for (const [, kind] of ROW_COLUMNS) total += Math.ceil((n * COLUMN_KIND_BYTES[kind]) / 8) * 8;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const [name, kind] of ROW_COLUMNS) {
    const size = COLUMN_KIND_BYTES[kind];
    for (let r = 0; r < n; r++) {
      const v = rows[name][r]!;
      if (kind === 'f64') view.setFloat64(at + r * size, v, true);
      else if (kind === 'u32') view.setUint32(at + r * size, v, true);
      else if (kind === 'i16') view.setInt16(at + r * size, v, true);
      else view.setUint8(at + r, v);
    }
    at += Math.ceil((n * size) / 8) * 8;
  }
  return out;
}

/** Bytes as hex: compared as one string (fast, and a failure shows where). */
const hex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

/** The first `length` rows, column by column, as plain numbers. */
const valuesOf = (rows: RowArrays): number[][] => ROW_COLUMNS.map(([name]) => Array.from(rows[name].subarray(0, rows.length)));

describe('row block layout', () => {
  it('puts the row columns in their order, each 8-aligned, rows × element size long', () => {
    for (const n of [0, 1, 2, 3, 7, 8, 13, 8192]) {
      const layout = rowBlockLayout(n);
      expect(layout.columns.map((c) => [c.name, c.kind])).toEqual(ROW_COLUMNS.map(([name, kind]) => [name, kind]));
      let offset = 0;
      for (const column of layout.columns) {
        expect(column.offset).toBe(offset);
        expect(column.offset % 8).toBe(0);
        expect(column.bytes).toBe(n * COLUMN_KIND_BYTES[column.kind]);
        offset += align8(column.bytes);
      }
      expect(layout.bytes).toBe(offset);
      expect(rowBlockBytes(n)).toBe(offset);
    }
    expect(rowBlockBytes(8192)).toBe(8192 * ROW_BLOCK_ROW_BYTES);
    expect(rowBlockBytes(1)).toBeGreaterThan(ROW_BLOCK_ROW_BYTES);
    expect(() => rowBlockBytes(-1)).toThrow(RangeError);
    expect(() => rowBlockLayout(1.5)).toThrow(RangeError);
  });

  it('is documented by the table in rowBlock.ts, which lists the row columns exactly', () => {
    const source = readFileSync(new URL('../../src/reducer/rowBlock.ts', import.meta.url), 'utf8');
    const table = [...source.matchAll(/^ \* (\w+) +(f64|u32|u8|i16) +(8n|pad8\((\d?)n\))$/gm)].map((m) => [m[1], m[2], m[3]]);
    expect(table, 'the layout table in rowBlock.ts lists every row column').toEqual(
      ROW_COLUMNS.map(([name, kind]) => [name, kind, kind === 'f64' ? '8n' : `pad8(${COLUMN_KIND_BYTES[kind] === 1 ? '' : COLUMN_KIND_BYTES[kind]}n)`]),
    );
  });
});

describe('row block bytes', () => {
  it('are the documented layout on both byte-order paths, and read back every value', () => {
    fc.assert(
      fc.property(rowsArb, (rows) => {
        const expected = referenceBytes(rows);
        const host = new Uint8Array(rowBlockBytes(rows.length));
        expect(encodeRowBlock(rows, host)).toBe(host.length);
        const swapped = new Uint8Array(host.length);
        expect(encodeRowBlock(rows, swapped, 0, SWAPPED)).toBe(host.length);
        expect(hex(host)).toBe(hex(expected));
        expect(hex(swapped)).toBe(hex(expected));

        const views = decodeRowBlock(host, rows.length);
        const copies = decodeRowBlock(host, rows.length, 0, SWAPPED);
        expect(views.length).toBe(rows.length);
        expect(copies.length).toBe(rows.length);
        // toEqual tells NaN from a number and -0 from 0 (Object.is).
        expect(valuesOf(views)).toEqual(valuesOf(rows));
        expect(valuesOf(copies)).toEqual(valuesOf(rows));
        for (const [name, kind] of ROW_COLUMNS) {
          expect(views[name].buffer).toBe(host.buffer);
          // The swapping path copies (bytes never change under a reader); 1-byte columns need no swap.
          if (kind !== 'u8') expect(copies[name].buffer).not.toBe(host.buffer);
        }
        expect(hex(host)).toBe(hex(expected));
      }),
      { numRuns: 150 },
    );
  });

  it('are written at an offset, padding zeroed, nothing around them touched', () => {
    fc.assert(
      fc.property(rowsArb, fc.integer({ min: 0, max: 4 }), fc.boolean(), (rows, slot, swap) => {
        const offset = slot * 8;
        const size = rowBlockBytes(rows.length);
        const out = new Uint8Array(offset + size + 8).fill(0xa5);
        encodeRowBlock(rows, out, offset, swap ? SWAPPED : {});
        expect(hex(out.subarray(offset, offset + size))).toBe(hex(referenceBytes(rows)));
        expect(out.subarray(0, offset).every((b) => b === 0xa5)).toBe(true);
        expect(out.subarray(offset + size).every((b) => b === 0xa5)).toBe(true);
        expect(valuesOf(decodeRowBlock(out, rows.length, offset, swap ? SWAPPED : {}))).toEqual(valuesOf(rows));
      }),
      { numRuns: 60 },
    );
  });

  it('of a full allocated block are its own buffer (on this host), a partial one encodes elsewhere', () => {
    const source = fc.sample(
      rowsArb.filter((r) => r.length >= 5),
      { numRuns: 1, seed: 7 },
    )[0]!;
    const block = allocateRowBlock(5);
    expect(block.length).toBe(0);
    expect(block.bytes.length).toBe(rowBlockBytes(5));
    for (let r = 0; r < 5; r++) appendRow(source, r, block);
    const expected = referenceBytes(block);
    if (HOST_LITTLE_ENDIAN) expect(hex(block.bytes)).toBe(hex(expected));
    encodeRowBlock(block, block.bytes);
    expect(hex(block.bytes)).toBe(hex(expected));
    block.length = 3;
    const short = new Uint8Array(rowBlockBytes(3));
    encodeRowBlock(block, short, 0, SWAPPED);
    expect(hex(short)).toBe(hex(referenceBytes(block)));
  });

  it('refuse what does not fit, with a RangeError', () => {
    const rows = fc.sample(
      rowsArb.filter((r) => r.length >= 2),
      { numRuns: 1, seed: 3 },
    )[0]!;
    const size = rowBlockBytes(rows.length);
    expect(() => encodeRowBlock(rows, new Uint8Array(size - 1))).toThrow(RangeError);
    expect(() => encodeRowBlock(rows, new Uint8Array(size), 8)).toThrow(RangeError);
    expect(() => encodeRowBlock({ ...rows, length: rows.length + 4 }, new Uint8Array(rowBlockBytes(rows.length + 4)))).toThrow(/holds/);
    expect(() => decodeRowBlock(new Uint8Array(size - 1), rows.length)).toThrow(RangeError);
    expect(() => decodeRowBlock(new Uint8Array(size), rows.length, 8, SWAPPED)).toThrow(RangeError);
  });
});
