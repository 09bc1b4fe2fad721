import { EventColumns } from '../../src/reducer/EventColumns.js';
import { appendRow } from '../../src/reducer/rowColumns.js';
import { StringPool } from '../../src/reducer/StringPool.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dropDuplicateIds } from '../../src/reducer/dropDuplicateIds.js';
import { compareRowContent } from '../../src/reducer/compareRowContent.js';

interface Row {
  hi: number;
  lo: number;
  at: number;
  endpoint: number;
  iccid: string | null;
}

const rowArb = fc.record({
  hi: fc.constantFrom(0, 1, 0x1fffff, 0x200000, 0xffffffff),
  lo: fc.integer({ min: 0, max: 6 }),
  at: fc.integer({ min: 0, max: 3 }),
  endpoint: fc.integer({ min: 1, max: 3 }),
  iccid: fc.constantFrom(null, 'a', 'b', 'ä'),
});

function columnsOf(rows: readonly Row[]): EventColumns {
  const c = new EventColumns(new StringPool());
  for (const r of rows) {
    const i = c.length;
    c.reserve(i + 1);
    c.idHi[i] = r.hi;
    c.idLo[i] = r.lo;
    c.at[i] = r.at;
    c.endpointId[i] = r.endpoint;
    c.organisationId[i] = Number.NaN;
    c.simId[i] = Number.NaN;
    c.iccid[i] = c.pool.intern(r.iccid);
    c.length = i + 1;
  }
  return c;
}

/** The previous implementation: comparator sort by (id, time, content), first of each id. */
function reference(all: EventColumns): EventColumns {
  const byId = Array.from({ length: all.length }, (_, i) => i);
  byId.sort((a, b) => all.idHi[a]! - all.idHi[b]! || all.idLo[a]! - all.idLo[b]! || all.at[a]! - all.at[b]! || compareRowContent(all, a, b));
  const kept = new EventColumns(all.pool);
  for (let k = 0; k < byId.length; k++) {
    const row = byId[k]!;
    const prev = k > 0 ? byId[k - 1]! : -1;
    if (prev !== -1 && all.idHi[prev] === all.idHi[row] && all.idLo[prev] === all.idLo[row]) continue;
    copyRow(all, row, kept);
  }
  return kept;
}

/** Rows as comparable tuples, in id order (strings resolved). */
const tuples = (c: EventColumns): unknown[] =>
  Array.from({ length: c.length }, (_, i) => [c.idHi[i], c.idLo[i], c.at[i], c.endpointId[i], c.pool.get(c.iccid[i]!)]).sort((x, y) => {
    const a = x as number[];
    const b = y as number[];
    return a[0]! - b[0]! || a[1]! - b[1]!;
  });

describe('dropDuplicateIds', () => {
  it('keeps the same row per id as a full sort by (id, time, content), whatever the order', () => {
    fc.assert(
      fc.property(fc.array(rowArb, { maxLength: 60 }), (rows) => {
        const c = columnsOf(rows);
        const expected = reference(columnsOf(rows));
        const dropped = dropDuplicateIds(c);
        expect(dropped).toBe(rows.length - expected.length);
        expect(tuples(c)).toEqual(tuples(expected));
        // Surviving rows keep their relative input order.
        const positions = Array.from({ length: c.length }, (_, i) =>
          rows.findIndex(
            (r) => r.hi === c.idHi[i] && r.lo === c.idLo[i] && r.at === c.at[i] && r.endpoint === c.endpointId[i] && r.iccid === c.pool.get(c.iccid[i]!),
          ),
        );
        expect(positions).toEqual([...positions].sort((a, b) => a - b));
      }),
      { numRuns: 300 },
    );
  });

  it('drops nothing and keeps the rows when ids only grow', () => {
    const rows = Array.from({ length: 50 }, (_, i) => ({ hi: 0, lo: i * 3, at: 50 - i, endpoint: 1, iccid: null }));
    const c = columnsOf(rows);
    expect(dropDuplicateIds(c)).toBe(0);
    expect(c.length).toBe(50);
    expect(Array.from(c.at.subarray(0, 50))).toEqual(rows.map((r) => r.at));
  });
});

/** The old way (the oracle): copy every kept row into a second set of columns. */
function copyRow(from: EventColumns, row: number, to: EventColumns): void {
  to.reserve(to.length + 1);
  appendRow(from, row, to);
}
