import { type Transition, transitionOf } from '@simfleet/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { copyString } from '../src/copyText.js';
import { type SharedChange, TransitionLog } from '../src/TransitionLog.js';
import { applyEvents, simulatedEvents } from './simulatedFleet.js';

const change = (i: number, eventId: bigint): Transition => ({
  endpointId: 1000 + i,
  region: i % 2 === 0 ? 'connectivity' : 'status',
  from: 'OFFLINE',
  to: i % 3 === 0 ? 'ONLINE' : 'ATTACHED',
  at: Date.UTC(2026, 10, 30, 12, 0, 0, i),
  eventId,
});

describe('TransitionLog', () => {
  it('gives back every change as pushed, event ids up to 2^64 - 1 included, across growth', () => {
    const log = new TransitionLog();
    const pushed = Array.from({ length: 5000 }, (_, i) => change(i, i % 2 === 0 ? BigInt(i) : 18446744073709551615n - BigInt(i)));
    for (const t of pushed) log.push(t);
    expect(log.length).toBe(5000);
    expect(Array.from({ length: log.length }, (_, i) => log.get(i))).toEqual(pushed);
    log.clear();
    expect(log.length).toBe(0);
    expect(() => log.get(0)).toThrow(RangeError);
  });

  it('writes COPY lines: ids in decimal, times as ISO-8601 UTC, columns in table order', () => {
    const log = new TransitionLog();
    log.push(change(0, 137310633115684n));
    log.push(change(1, 9007199254740993n));
    log.push(change(2, 18446744073709551615n));
    const text = [...log.copyChunks()].join('');
    expect(text).toBe(
      [
        '1000\tconnectivity\tOFFLINE\tONLINE\t2026-11-30T12:00:00.000Z\t137310633115684',
        '1001\tstatus\tOFFLINE\tATTACHED\t2026-11-30T12:00:00.001Z\t9007199254740993',
        '1002\tconnectivity\tOFFLINE\tATTACHED\t2026-11-30T12:00:00.002Z\t18446744073709551615',
        '',
      ].join('\n'),
    );
    expect([...log.copyChunks(1, 2)].join('')).toBe('1001\tstatus\tOFFLINE\tATTACHED\t2026-11-30T12:00:00.001Z\t9007199254740993\n');
  });

  it('splits an event that changed several endpoints the same way into one shared change, the rest stays per endpoint', () => {
    const at = Date.UTC(2026, 10, 30, 12);
    const t = (endpointId: number, region: Transition['region'], from: string, to: string, eventId: bigint, when = at): Transition =>
      transitionOf({ endpointId, region, from, to, at: when, eventId });
    const log = new TransitionLog();
    const pushed = [
      t(7, 'connectivity', 'OFFLINE', 'ONLINE', 1n), // one device's own event: two changes, one endpoint
      t(7, 'status', 'OFFLINE', 'ONLINE', 1n),
      t(5, 'block', 'NOT_BLOCKED', 'BLOCKED', 2n, at + 1), // an organisation's block reaching 9, 5 and 3
      t(5, 'status', 'ONLINE', 'BLOCKED', 2n, at + 1),
      t(9, 'block', 'NOT_BLOCKED', 'BLOCKED', 2n, at + 1),
      t(9, 'status', 'OFFLINE', 'BLOCKED', 2n, at + 1), // alone with this from: stays per endpoint
      t(3, 'block', 'NOT_BLOCKED', 'BLOCKED', 2n, at + 1),
      t(3, 'status', 'ONLINE', 'BLOCKED', 2n, at + 1),
      t(8, 'connectivity', 'ONLINE', 'OFFLINE', 3n, at + 2),
      t(5, 'block', 'NOT_BLOCKED', 'BLOCKED', 2n, at + 1), // the block again, later in the log: held once
      t(1, 'connectivity', 'OFFLINE', 'ATTACHED', 4n, at + 3),
      t(4, 'block', 'NOT_BLOCKED', 'BLOCKED', 2n, at + 1), // the block again, reaching two more: merged
      t(6, 'block', 'NOT_BLOCKED', 'BLOCKED', 2n, at + 1),
    ];
    for (const p of pushed) log.push(p);
    const { own, shared } = log.split();
    expect([...own]).toEqual([0, 1, 5, 8, 10]);
    expect(shared).toEqual([
      { region: 'block', from: 'NOT_BLOCKED', to: 'BLOCKED', at: at + 1, eventId: 2n, endpointIds: new Float64Array([3, 4, 5, 6, 9]) },
      { region: 'status', from: 'ONLINE', to: 'BLOCKED', at: at + 1, eventId: 2n, endpointIds: new Float64Array([3, 5]) },
    ]);
    expect([...log.copyChunksOf(own, 2, 4)].join('')).toBe(
      `9\tstatus\tOFFLINE\tBLOCKED\t2026-11-30T12:00:00.001Z\t2\n8\tconnectivity\tONLINE\tOFFLINE\t2026-11-30T12:00:00.002Z\t3\n`,
    );
    // A range splits only what it holds.
    expect(log.split(2, 5)).toEqual({
      own: new Uint32Array([3]),
      shared: [{ region: 'block', from: 'NOT_BLOCKED', to: 'BLOCKED', at: at + 1, eventId: 2n, endpointIds: new Float64Array([5, 9]) }],
    });
  });

  it('a compacting log splits a replay exactly as a plain one, holding a fraction of the entries', () => {
    const events = simulatedEvents({ events: 6000, devices: 400, seed: 11, organisations: 4 });
    const plain = applyEvents(events).log;
    const compact = applyEvents(events, undefined, new TransitionLog({ compact: true })).log;
    expect(compact.length).toBe(plain.length);
    const a = plain.split();
    const b = compact.split();
    expect(a.shared.length).toBeGreaterThan(0);
    expect(b.shared).toEqual(a.shared);
    const ownRows = (log: TransitionLog, own: Uint32Array) => [...log.copyChunksOf(own)].join('');
    expect(ownRows(compact, b.own)).toBe(ownRows(plain, a.own));
    expect(b.own.length + b.shared.reduce((n, c) => n + c.endpointIds.length, 0)).toBe(plain.length);
    expect(() => compact.get(0)).toThrow(TypeError);
  });

  it('fed organisation changes once, a compacting log splits exactly as a plain one fed every member change', () => {
    let shared = 0;
    fc.assert(
      fc.property(
        fc.record({
          events: fc.integer({ min: 200, max: 3000 }),
          devices: fc.integer({ min: 5, max: 300 }),
          organisations: fc.integer({ min: 1, max: 5 }),
          seed: fc.integer({ min: 1, max: 1_000_000 }),
        }),
        fc.option(fc.array(fc.nat(), { maxLength: 4 }), { nil: undefined }),
        (fleetOptions, cuts) => {
          const events = simulatedEvents(fleetOptions);
          const options = cuts === undefined ? {} : { cuts };
          const plain = applyEvents(events, undefined, undefined, options).log;
          const once = applyEvents(events, undefined, new TransitionLog({ compact: true }), { ...options, once: true }).log;
          expect(once.length).toBe(plain.length);
          const a = plain.split();
          const b = once.split();
          // The same rows (a table's rows have no order; an event's members come by endpoint id from core).
          const byKey = (changes: readonly SharedChange[]) =>
            [...changes].sort((x, y) =>
              x.eventId < y.eventId ? -1 : x.eventId > y.eventId ? 1 : `${x.region} ${x.from} ${x.to}`.localeCompare(`${y.region} ${y.from} ${y.to}`),
            );
          expect(byKey(b.shared)).toEqual(byKey(a.shared));
          const ownRows = (log: TransitionLog, own: Uint32Array) => [...log.copyChunksOf(own)].join('').split('\n').sort();
          expect(ownRows(once, b.own)).toEqual(ownRows(plain, a.own));
          shared += a.shared.length;
        },
      ),
      { numRuns: 40 },
    );
    // The fleets do block organisations (else the property says nothing).
    expect(shared).toBeGreaterThan(40);
  });

  it('a plain log fed organisation changes once holds each member change, as pushed one by one', () => {
    const events = simulatedEvents({ events: 3000, devices: 200, seed: 5, organisations: 3 });
    const plain = applyEvents(events).log;
    const once = applyEvents(events, undefined, new TransitionLog(), { once: true }).log;
    expect(once.length).toBe(plain.length);
    // Each event's member changes by endpoint id (core's order for them), each endpoint's in their order.
    const byEvent = (log: TransitionLog) =>
      Array.from({ length: log.length }, (_, i) => log.get(i)).sort(
        (a, b) => a.at - b.at || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0) || a.endpointId - b.endpointId,
      );
    expect(byEvent(once)).toEqual(byEvent(plain));
  });

  it('escapes what COPY text reserves', () => {
    expect(copyString('a\tb\\c\nd\re')).toBe('a\\tb\\\\c\\nd\\re');
    expect(copyString('\\N')).toBe('\\\\N');
    expect(copyString(null)).toBe('\\N');
    expect(copyString('plain')).toBe('plain');
  });
});
