/**
 * Checkpoints store rows, so a row column added (the endpoint name) is a new format
 * version: a checkpoint of the version before is refused with one clear line, never read
 * with its columns shifted.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CHECKPOINT_COLUMNS, CHECKPOINT_FORMAT_VERSION } from '../../src/checkpoint/checkpointLayout.js';
import type { CheckpointHasher } from '../../src/checkpoint/CheckpointHasher.js';
import { decodeCheckpoint } from '../../src/checkpoint/decodeCheckpoint.js';
import { encodeCheckpoint } from '../../src/checkpoint/encodeCheckpoint.js';
import { EMPTY_OBSERVATION } from '../../src/machine/deviceEvent.js';
import { EventColumns } from '../../src/reducer/EventColumns.js';
import { StringPool } from '../../src/reducer/StringPool.js';

const sha256: CheckpointHasher = { name: 'sha256', digestBytes: 32, digest: (bytes) => createHash('sha256').update(bytes).digest() };

const header = {
  createdAt: '2024-05-01T10:00:00.000Z',
  until: null,
  account: { records: 1, rejected: 0, rejectedByReason: [], unknownEventTypes: [], eventsWithoutEndpoint: 0, duplicatesRemoved: 0 },
  inputs: [],
};

function checkpointWithName(): Uint8Array {
  const columns = new EventColumns(new StringPool());
  const pushed = columns.push({
    type: 'ATTACH',
    at: Date.parse('2021-10-27T08:00:00Z'),
    eventId: 137000000000001n,
    endpointId: 11089066,
    observation: { ...EMPTY_OBSERVATION, name: 'Cold Chain Sensor 12' },
  });
  if (!pushed.ok) throw pushed.error;
  return encodeCheckpoint({ header, columns }, sha256);
}

describe('checkpoint format version', () => {
  it('is 4, whose string index is at most three quarters full (3: rows carry the endpoint name)', () => {
    expect(CHECKPOINT_FORMAT_VERSION).toBe(4);
    expect(CHECKPOINT_COLUMNS.map(([name]) => name)).toContain('name');
  });

  it('round-trips the name column', () => {
    const r = decodeCheckpoint(checkpointWithName(), sha256);
    if (!r.ok) throw r.error;
    expect(r.value.pool.get(r.value.rows.name[0] as number)).toBe('Cold Chain Sensor 12');
  });

  for (const version of [2, 3]) {
    it(`refuses a version ${version} checkpoint with one line that says what to do`, () => {
      const old = checkpointWithName().slice();
      new DataView(old.buffer).setUint32(8, version, true);
      const r = decodeCheckpoint(old, sha256);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.error.code).toBe('unsupported_version');
      expect(r.error.message).toBe(`checkpoint format version ${version} is not supported (this simfleet reads version 4): replay from the logs`);
      expect(r.error.message).not.toContain('\n');
    });
  }
});
