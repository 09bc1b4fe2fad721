/**
 * The checkpoint's bytes, pinned: a deterministic input (every row column filled with
 * values that exercise padding, NaN, -0, negative RAT types and pool references) must
 * encode to the bytes the format has always had. A change to the row columns or to the
 * format version changes them on purpose: recompute the pinned hash then, and only then.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { CheckpointHasher } from '../../src/checkpoint/CheckpointHasher.js';
import type { CheckpointHeader } from '../../src/checkpoint/CheckpointHeader.js';
import { CHECKPOINT_FORMAT_VERSION, PREFIX_BYTES } from '../../src/checkpoint/checkpointLayout.js';
import { encodeCheckpoint } from '../../src/checkpoint/encodeCheckpoint.js';
import { machineFingerprint } from '../../src/checkpoint/machineFingerprint.js';
import { EventColumns } from '../../src/reducer/EventColumns.js';
import { POOL_COLUMNS, ROW_COLUMNS } from '../../src/reducer/rowColumns.js';
import { StringPool } from '../../src/reducer/StringPool.js';

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

/** 13 rows (odd, so that the 1- and 2-byte columns need padding) derived from the column list. */
export function deterministicColumns(rows = 13): EventColumns {
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
  it('encode a fixed input to the bytes of format version 2', () => {
    const bytes = encodeCheckpoint({ header, columns: deterministicColumns() }, sha256);
    expect(CHECKPOINT_FORMAT_VERSION).toBe(2);
    // The fingerprint (bytes 24-40) and the checksum over it change with the statechart;
    // they are checked for what they are, and the rest is pinned.
    const fingerprint = new TextDecoder().decode(bytes.subarray(24, 40));
    expect(fingerprint).toBe(machineFingerprint());
    const body = bytes.subarray(0, bytes.length - 32);
    expect(Buffer.from(bytes.subarray(bytes.length - 32)).toString('hex')).toBe(createHash('sha256').update(body).digest('hex'));
    const pinned = createHash('sha256').update(bytes.subarray(0, 24)).update(bytes.subarray(40, bytes.length - 32)).digest('hex');
    expect({ length: bytes.length, pinned }).toEqual({ length: 2384, pinned: 'a5ec4c429ff3e19cb7541cf81ddee4cc916a47177c4f22bee2851378966d4aac' });
    expect(PREFIX_BYTES).toBe(64);
  });
});
