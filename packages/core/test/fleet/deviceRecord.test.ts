/** The device record's fields do not overlap and fit the record. */
import { describe, expect, test } from 'vitest';
import * as layout from '../../src/fleet/deviceRecord.js';

describe('device record layout', () => {
  test('every field has its own bytes inside the record', () => {
    const bytes = new Map<number, string>();
    const record = layout.RECORD_U32 * 4;
    for (const [name, index] of Object.entries(layout)) {
      if (name.startsWith('RECORD_')) continue;
      const [start, size] = name.startsWith('F_') ? [index * 8, 8] : [index * 4, 4];
      for (let b = start; b < start + size; b++) {
        expect(b).toBeLessThan(record);
        expect(bytes.get(b), `${name} overlaps ${bytes.get(b)}`).toBeUndefined();
        bytes.set(b, name);
      }
    }
    expect(bytes.size).toBeGreaterThan(90);
  });

  test('the fields every event touches share the first cache line (the one applyBatch pre-loads)', () => {
    for (const f of [layout.F_LAST_AT, layout.F_SINCE]) expect(f * 8 + 8).toBeLessThanOrEqual(64);
    for (const u of [layout.U_LAST_HI, layout.U_LAST_LO, layout.U_STATE, layout.I_ORGANISATION_INDEX, layout.U_ATTACHES])
      expect(u * 4 + 4).toBeLessThanOrEqual(64);
  });
});
