/**
 * `LiveFleet.ingestColumns` (records already decoded into rows, as serve's body decoder
 * gives them) judges every record as `ingest` does: the same outcomes, reasons, late
 * reports, transitions, account and state, for any order, batching, re-sent copies, clock
 * guard and horizon — also with records the columns cannot hold among them.
 */
import { classifyEvent, decodeEvent, type EmnifyEvent, type JsonObject, stringifyJson } from '@simfleet/core';
import { fleetLog, seededShuffle } from '@simfleet/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LiveFleet, type LiveColumnsMisfit, type LiveTransition } from '../../src/live/LiveFleet.js';
import { snapshotChunks } from '../../src/snapshot/snapshot.js';

const text = (chunks: Iterable<Buffer>): string => Buffer.concat([...chunks]).toString('utf8');

function decodeAll(records: readonly JsonObject[]): EmnifyEvent[] {
  return records.map((r) => {
    const decoded = decodeEvent(r);
    if (!decoded.ok) throw new Error(`generated record does not decode: ${decoded.error.message}: ${stringifyJson(r)}`);
    return decoded.value;
  });
}

/** Cuts `items` into batches at the given positions. */
function cut<T>(items: readonly T[], cuts: readonly number[]): T[][] {
  const at = [...new Set(cuts.map((c) => c % (items.length + 1)))].sort((a, b) => a - b);
  const out: T[][] = [];
  let start = 0;
  for (const c of [...at, items.length]) {
    out.push(items.slice(start, c));
    start = c;
  }
  return out.filter((b) => b.length > 0);
}

/** An event whose endpoint id is not a safe integer: it decodes, but no column can hold it. */
function misfitOf(event: EmnifyEvent): EmnifyEvent {
  return { ...event, endpoint: { id: 2 ** 60, name: null, imei: null, ipAddress: null } } as EmnifyEvent;
}

/** The batch as `ingestColumns` takes it: the rows in batch order (misfits left out), the misfits after them, and where each batch record went. */
function columnsOf(live: LiveFleet, batch: readonly EmnifyEvent[]) {
  const rows = live.fleet.createColumns();
  const unknownTypes: number[] = [];
  const misfits: LiveColumnsMisfit[] = [];
  const rowOf: number[] = [];
  const misfitOf: number[] = [];
  for (const [i, event] of batch.entries()) {
    const device = classifyEvent(event);
    const pushed = rows.push(device);
    if (pushed.ok) {
      rowOf.push(i);
      unknownTypes.push(event.type === 'unknown' ? event.typeId : -1);
    } else {
      misfitOf.push(i);
      misfits.push({ at: device.at, code: pushed.error.code, message: pushed.error.message });
    }
  }
  return { rows, unknownTypes, misfits, order: [...rowOf, ...misfitOf] };
}

const delivery = fc.record({
  records: fleetLog({ devices: 4, events: 60, organisations: 2, disorder: true, unknownTypes: true, variants: true }),
  seed: fc.integer(),
  cuts: fc.array(fc.nat(), { maxLength: 8 }),
  resend: fc.array(fc.nat(), { maxLength: 6 }),
  misfits: fc.array(fc.nat(), { maxLength: 3 }),
  horizonMinutes: fc.constantFrom(0, 10, 24 * 60 * 1000),
  clockAt: fc.double({ min: 0, max: 1, noNaN: true }),
});

describe('LiveFleet.ingestColumns', () => {
  it('judges every record as ingest does: outcomes, reasons, late reports, transitions, account and snapshot', () => {
    fc.assert(
      fc.property(delivery, ({ records, seed, cuts, resend, misfits, horizonMinutes, clockAt }) => {
        const events = decodeAll(records);
        if (events.length === 0) return;
        const withCopies = [
          ...events,
          ...resend.map((k) => events[k % events.length] as EmnifyEvent),
          ...misfits.map((k) => misfitOf(events[k % events.length] as EmnifyEvent)),
        ];
        const arrival = seededShuffle(withCopies, seed);
        // A clock somewhere among the event times: records past it (plus the skew) are refused as future_timestamp.
        const times = arrival.map((e) => e.timestamp).sort((a, b) => a - b);
        const clock = (times[Math.floor(clockAt * (times.length - 1))] as number) - 60_000;
        const options = { reorderHorizonMs: horizonMinutes * 60_000, maxClockSkewMs: 60_000, now: () => clock };
        const byEvents = new LiveFleet(options);
        const byRows = new LiveFleet(options);
        for (const batch of cut(arrival, cuts)) {
          const eventChanges: LiveTransition[] = [];
          const rowChanges: LiveTransition[] = [];
          const expected = byEvents.ingest(batch, (t) => eventChanges.push(t));
          const { rows, unknownTypes, misfits: unfit, order } = columnsOf(byRows, batch);
          const got = byRows.ingestColumns(rows, { unknownTypes, misfits: unfit }, (t) => rowChanges.push(t));
          // Batch record k of ingestColumns is record order[k] of the events' batch.
          expect(Array.from(order, (_, k) => got.outcomes[k])).toEqual(order.map((i) => expected.outcomes[i]));
          expect(got.accepted).toBe(expected.accepted);
          expect(got.duplicates).toBe(expected.duplicates);
          expect(got.refolded).toBe(expected.refolded);
          const key = <T extends { index: number }>(list: readonly T[], indexOf: (k: number) => number) =>
            list.map((x) => ({ ...x, index: indexOf(x.index) })).sort((a, b) => a.index - b.index);
          expect(key(got.rejected, (k) => order[k] as number)).toEqual(key(expected.rejected, (i) => i));
          expect(key(got.tooLate, (k) => order[k] as number)).toEqual(key(expected.tooLate, (i) => i));
          expect(rowChanges).toEqual(eventChanges);
        }
        expect(byRows.account()).toEqual(byEvents.account());
        expect(text(snapshotChunks(byRows.fleet, byRows.account()))).toBe(text(snapshotChunks(byEvents.fleet, byEvents.account())));
      }),
      { numRuns: 150 },
    );
  });

  it('refuses rows on another string pool', () => {
    const live = new LiveFleet();
    const other = new LiveFleet();
    expect(() => live.ingestColumns(other.fleet.createColumns())).toThrow(/string pool/);
  });
});
