/** Columns that gave their buffers back (`release`) hold and apply rows as fresh ones do. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FleetStore } from '../../src/fleet/FleetStore.js';
import { applyBatch } from '../../src/reducer/applyBatch.js';
import { eventsArb } from './arbitraries.js';

describe('EventColumns.release', () => {
  it('shrinks the buffers, empties the batch, and the columns work as new ones afterwards', () => {
    fc.assert(
      fc.property(eventsArb({ maxLength: 40 }), eventsArb({ maxLength: 40 }), (first, second) => {
        const fleet = new FleetStore();
        const columns = fleet.createColumns(4096);
        for (const e of first) columns.push(e);
        columns.release(2);
        expect(columns.length).toBe(0);
        expect(columns.capacity).toBe(2);
        expect(columns.at.length).toBe(2);
        expect(columns.order.length).toBe(2);
        for (const e of second) expect(columns.push(e).ok).toBe(true);
        expect(columns.length).toBe(second.length);
        applyBatch(fleet, columns);
        // The same events through columns that never held anything.
        const fresh = new FleetStore();
        const c = fresh.createColumns();
        for (const e of second) c.push(e);
        applyBatch(fresh, c);
        const ids = [...fresh.endpointIds()];
        expect([...fleet.endpointIds()]).toEqual(ids);
        for (const id of ids) expect(fleet.readEndpoint(id)).toEqual(fresh.readEndpoint(id));
      }),
      { numRuns: 100 },
    );
  });

  it('keeps buffers already at or below the asked capacity', () => {
    const columns = new FleetStore().createColumns(8);
    const at = columns.at;
    columns.release(16);
    expect(columns.at).toBe(at);
    expect(columns.length).toBe(0);
  });
});
