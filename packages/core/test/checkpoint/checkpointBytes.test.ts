/**
 * The checkpoint's bytes, pinned: a deterministic input (every row column filled with
 * values that exercise padding, NaN, -0, negative RAT types and pool references) must
 * encode to the bytes the format has always had. A change to the row columns or to the
 * format version changes them on purpose: recompute the pinned hash then, and only then.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CheckpointHasher } from '../../src/checkpoint/CheckpointHasher.js';
import type { CheckpointHeader } from '../../src/checkpoint/CheckpointHeader.js';
import { CHECKPOINT_FORMAT_VERSION, PREFIX_BYTES } from '../../src/checkpoint/checkpointLayout.js';
import { decodeCheckpoint } from '../../src/checkpoint/decodeCheckpoint.js';
import { encodeCheckpoint, type StoredHeader } from '../../src/checkpoint/encodeCheckpoint.js';
import { machineFingerprint } from '../../src/checkpoint/machineFingerprint.js';
import { restoreColumns } from '../../src/checkpoint/restoreColumns.js';
import { EventColumns } from '../../src/reducer/EventColumns.js';
import { align8, encodeRowBlock, rowBlockBytes, rowBlockLayout } from '../../src/reducer/rowBlock.js';
import { POOL_COLUMNS, ROW_COLUMNS, type RowArrays } from '../../src/reducer/rowColumns.js';
import { StringPool } from '../../src/reducer/StringPool.js';
import { eventsArb } from '../reducer/arbitraries.js';

const sha256: CheckpointHasher = {
  name: 'sha256',
  digestBytes: 32,
  digest: (bytes) => createHash('sha256').update(bytes).digest(),
};

const header: CheckpointHeader = {
  createdAt: '2024-05-01T10:00:00.000Z',
  until: 1714557600000,
  account: {
    records: 15,
    rejected: 1,
    rejectedByReason: [['invalid_json', 1]],
    unknownEventTypes: [],
    eventsWithoutEndpoint: 1,
    duplicatesRemoved: 0,
  },
  inputs: [{ kind: 'file', path: '/logs/a.ndjson', size: 4096, mtimeMs: 1714557600000.5, position: 4096, complete: true }],
};

const STRINGS = ['8988303000005733850', '295050900000001', '', 'é😀', '\ud800', '10.0.0.1', 'internet.emnify'];

const hex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

/** The header JSON and where the data area starts. */
function storedHeader(bytes: Uint8Array): { readonly stored: StoredHeader; readonly dataStart: number } {
  const jsonBytes = new DataView(bytes.buffer, bytes.byteOffset).getUint32(12, true);
  const stored = JSON.parse(new TextDecoder().decode(bytes.subarray(PREFIX_BYTES, PREFIX_BYTES + jsonBytes))) as StoredHeader;
  return { stored, dataStart: PREFIX_BYTES + align8(jsonBytes) };
}

/** The checkpoint's bytes from its first row column's section to the checksum. */
function columnArea(bytes: Uint8Array): Uint8Array {
  const { stored, dataStart } = storedHeader(bytes);
  const first = stored.layout.sections.find((s) => s.name === ROW_COLUMNS[0][0])!;
  return bytes.subarray(dataStart + first.offset, bytes.length - sha256.digestBytes);
}

function columnsOf(events: Parameters<EventColumns['push']>[0][]): EventColumns {
  const columns = new EventColumns(new StringPool(), 4);
  for (const e of events) {
    const r = columns.push(e);
    if (!r.ok) throw r.error;
  }
  return columns;
}

const valuesOf = (rows: RowArrays): number[][] => ROW_COLUMNS.map(([name]) => Array.from(rows[name].subarray(0, rows.length)));

/** 13 rows (odd, so that the 1- and 2-byte columns need padding) derived from the column list. */
function deterministicColumns(rows = 13): EventColumns {
  const pool = new StringPool();
  for (const s of STRINGS) pool.intern(s);
  const columns = new EventColumns(pool, rows + 5);
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

describe('checkpoint bytes', () => {
  it('encode a fixed input to the bytes of format version 4', () => {
    const bytes = encodeCheckpoint({ header, columns: deterministicColumns() }, sha256);
    expect(CHECKPOINT_FORMAT_VERSION, 'a new format version has new pinned bytes').toBe(4);
    // The fingerprint (bytes 24-40) and the checksum over it change with the statechart;
    // they are checked for what they are, and the rest is pinned.
    const fingerprint = new TextDecoder().decode(bytes.subarray(24, 40));
    expect(fingerprint).toBe(machineFingerprint());
    const body = bytes.subarray(0, bytes.length - 32);
    expect(Buffer.from(bytes.subarray(bytes.length - 32)).toString('hex')).toBe(createHash('sha256').update(body).digest('hex'));
    const pinned = createHash('sha256')
      .update(bytes.subarray(0, 24))
      .update(bytes.subarray(40, bytes.length - 32))
      .digest('hex');
    expect({ length: bytes.length, pinned }, 'checkpoint bytes changed: pin new values only for a deliberate change of the row columns or the format').toEqual({
      length: 2480,
      pinned: 'f09c1ce4b2ed0ab5dcea1a04875367def34e89006f1de9cdf764420314367aba',
    });
    expect(PREFIX_BYTES).toBe(64);
  });

  it('hold the rows as one row block: the column area is encodeRowBlock of the rows, byte for byte', () => {
    const check = (columns: EventColumns): void => {
      const bytes = encodeCheckpoint({ header, columns }, sha256);
      const block = new Uint8Array(rowBlockBytes(columns.length));
      encodeRowBlock(columns, block);
      expect(hex(columnArea(bytes))).toBe(hex(block));
      // Each column keeps its section in the header, where the block puts it.
      const { stored } = storedHeader(bytes);
      const rowsStart = stored.layout.sections.find((s) => s.name === ROW_COLUMNS[0][0])!.offset;
      expect(stored.layout.sections.slice(3)).toEqual(
        rowBlockLayout(columns.length).columns.map((c) => ({ name: c.name, offset: rowsStart + c.offset, bytes: c.bytes })),
      );
    };
    check(deterministicColumns());
    check(deterministicColumns(0));
    fc.assert(
      fc.property(eventsArb({ maxLength: 30 }), (events) => check(columnsOf(events))),
      { numRuns: 40 },
    );
  });

  it('are the same on the byte-swapping path of a big-endian host, and read back through it', () => {
    const check = (columns: EventColumns): void => {
      const bytes = encodeCheckpoint({ header, columns }, sha256);
      const swapped = encodeCheckpoint({ header, columns }, sha256, { littleEndianHost: false });
      expect(hex(swapped)).toBe(hex(bytes));
      const r = decodeCheckpoint(bytes, sha256, { littleEndianHost: false });
      if (!r.ok) throw r.error;
      expect(valuesOf(r.value.rows)).toEqual(valuesOf(columns));
      // The swapping path copies the multi-byte columns: the checkpoint's bytes stay as they were.
      if (columns.length > 0) expect(r.value.rows.at.buffer).not.toBe(bytes.buffer);
      expect(hex(bytes)).toBe(hex(swapped));
      const pool = r.value.pool;
      for (let ref = 1; ref <= columns.pool.size; ref++) expect(pool.get(ref)).toBe(columns.pool.get(ref));
      const restored = new EventColumns(pool);
      restoreColumns(r.value, restored);
      expect(valuesOf(restored)).toEqual(valuesOf(columns));
    };
    check(deterministicColumns());
    fc.assert(
      fc.property(eventsArb({ maxLength: 30 }), (events) => check(columnsOf(events))),
      { numRuns: 30 },
    );
  });

  it('refuse a column section the header moved away from its place in the row block', () => {
    const bytes = encodeCheckpoint({ header, columns: deterministicColumns() }, sha256);
    const { stored } = storedHeader(bytes);
    const jsonBytes = new DataView(bytes.buffer).getUint32(12, true);
    const json = new TextDecoder().decode(bytes.subarray(PREFIX_BYTES, PREFIX_BYTES + jsonBytes));
    // Two u32 columns trade places: same lengths, offsets of as many digits, a valid checksum.
    const iccid = stored.layout.sections.find((s) => s.name === 'iccid')!;
    const imsi = stored.layout.sections.find((s) => s.name === 'imsi')!;
    expect(String(iccid.offset).length).toBe(String(imsi.offset).length);
    const traded = json
      .replace(`"name":"iccid","offset":${iccid.offset}`, '"name":"iccid","offset":@')
      .replace(`"name":"imsi","offset":${imsi.offset}`, `"name":"imsi","offset":${iccid.offset}`)
      .replace('"name":"iccid","offset":@', `"name":"iccid","offset":${imsi.offset}`);
    expect(traded).not.toBe(json);
    const damaged = bytes.slice();
    damaged.set(new TextEncoder().encode(traded), PREFIX_BYTES);
    damaged.set(sha256.digest(damaged.subarray(0, damaged.length - 32)), damaged.length - 32);
    const r = decodeCheckpoint(damaged, sha256);
    expect(r.ok).toBe(false);
    if (!r.ok) expect([r.error.code, r.error.message]).toEqual(['invalid_layout', 'section iccid is not where the row block puts it']);
    expect(decodeCheckpoint(bytes, sha256).ok).toBe(true);
  });
});
