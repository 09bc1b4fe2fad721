import { Subject } from 'rxjs';
import { map } from 'rxjs/operators';
import { describe, expect, it } from 'vitest';
import { type LateEvent, orderByEventTime, type TimedEvent } from '../src/index.js';
import { ev, testScheduler } from './marbles.js';

describe('orderByEventTime', () => {
  it('emits in (time, id) order once the watermark passes, late events to the side channel', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const values = { a: ev(10, 1), b: ev(12, 2), c: ev(11, 3), d: ev(15, 4), e: ev(9, 5) };
      const late = new Subject<LateEvent<TimedEvent>>();
      const source = cold('a-b-c-d---------e---|', values);
      // maxLateness 2: d (15) moves the watermark to 13 and releases a, c, b; e (9) is late.
      expectObservable(source.pipe(orderByEventTime({ maxLateness: 2, late }))).toBe('------(acb)---------(d|)', values);
      expectObservable(late.pipe(map((l) => `${l.event.eventId}@${l.watermark}#${l.count}`))).toBe('----------------x', { x: '5@13#1' });
    });
  });

  it('breaks ties in event time by id', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const values = { a: ev(10, 9), b: ev(10, 3), c: ev(10, 5), d: ev(20, 1) };
      const source = cold('abc----d-----|', values);
      expectObservable(source.pipe(orderByEventTime({ maxLateness: 0, late: () => undefined }))).toBe('-------(bca)-(d|)', values);
    });
  });

  it('holds everything until completion with maxLateness Infinity (a full sort, nothing late)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const values = { a: ev(50, 1), b: ev(10, 2), c: ev(30, 3), d: ev(-5, 4) };
      const lates: unknown[] = [];
      const source = cold('a-b-c-d-|', values);
      expectObservable(source.pipe(orderByEventTime({ maxLateness: Number.POSITIVE_INFINITY, late: (l) => lates.push(l) }))).toBe('--------(dbca|)', values);
      expect(lates).toEqual([]);
    });
  });

  it('accepts a luxon duration object for maxLateness', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const values = { a: ev(0, 1), b: ev(1500, 2), c: ev(900, 3), d: ev(3000, 4) };
      const source = cold('a-b-c-d-----|', values);
      // 1 s lateness: b moves the watermark to 500 (releasing a), d to 2000 (releasing c, b).
      expectObservable(source.pipe(orderByEventTime({ maxLateness: { seconds: 1 }, late: () => undefined }))).toBe('--a---(cb)--(d|)', values);
    });
  });

  it('releases the buffer when the source idles (idleTimeout), later events older than the newest are late', () => {
    const lates: bigint[] = [];
    testScheduler().run(({ hot, expectObservable }) => {
      const values = { a: ev(100, 1), b: ev(90, 2), c: ev(95, 3), d: ev(500, 4) };
      const source = hot('a-b---------c-d------', values);
      const ordered = source.pipe(orderByEventTime({ maxLateness: 1000, idleTimeout: 5, late: (l) => lates.push(l.event.eventId) }));
      // b arrives at 2, so the idle check armed at 0 re-arms and fires at 7.
      expectObservable(ordered, '^-------------------!').toBe('-------(ba)--------d', values);
      expect(lates).toEqual([]);
    });
  });

  it('counts late events cumulatively', () => {
    const late: LateEvent<TimedEvent>[] = [];
    const out: TimedEvent[] = [];
    const source = new Subject<TimedEvent>();
    source.pipe(orderByEventTime({ maxLateness: 0, late: (l) => late.push(l) })).subscribe((e) => out.push(e));
    for (const e of [ev(10, 1), ev(20, 2), ev(5, 3), ev(19, 4), ev(30, 5)]) source.next(e);
    source.complete();
    expect(late.map((l) => [l.event.eventId, l.count])).toEqual([
      [3n, 1],
      [4n, 2],
    ]);
    expect(out.map((e) => e.eventId)).toEqual([1n, 2n, 5n]);
  });

  it('rejects a negative maxLateness', () => {
    expect(() => orderByEventTime({ maxLateness: -1, late: () => undefined })).toThrow(RangeError);
  });
});
