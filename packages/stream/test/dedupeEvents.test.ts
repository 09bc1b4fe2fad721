import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { type DuplicateEvent, dedupeEvents, type TimedEvent } from '../src/index.js';
import { ev, testScheduler } from './marbles.js';

describe('dedupeEvents', () => {
  it('drops repeated ids within the window and reports them', () => {
    const values = { a: ev(1, 1), b: ev(2, 2), c: ev(1, 1), d: ev(3, 3), e: ev(1, 1) };
    const dups: DuplicateEvent<TimedEvent>[] = [];
    testScheduler().run(({ cold, expectObservable }) => {
      // window 2: after 1, 2, 3 the id 1 has been evicted (FIFO) and passes again.
      expectObservable(cold('abcde|', values).pipe(dedupeEvents({ window: 2, duplicates: (d) => dups.push(d) }))).toBe('ab-de|', values);
    });
    expect(dups).toEqual([{ event: values.c, count: 1 }]);
  });

  it('counts duplicates and keeps ids beyond 2^53 apart', () => {
    const big = 2n ** 60n;
    const source = new Subject<TimedEvent>();
    const out: bigint[] = [];
    const dups: DuplicateEvent<TimedEvent>[] = [];
    source.pipe(dedupeEvents({ window: 10, duplicates: (d) => dups.push(d) })).subscribe((e) => out.push(e.eventId));
    for (const id of [big, big + 1n, big, big + 1n, big + 2n]) source.next({ at: 0, eventId: id });
    expect(out).toEqual([big, big + 1n, big + 2n]);
    expect(dups.map((d) => [d.event.eventId, d.count])).toEqual([
      [big, 1],
      [big + 1n, 2],
    ]);
  });

  it('remembers at most `window` ids', () => {
    const source = new Subject<TimedEvent>();
    const out: bigint[] = [];
    source.pipe(dedupeEvents({ window: 3 })).subscribe((e) => out.push(e.eventId));
    for (const id of [1, 2, 3, 4, 1, 4]) source.next(ev(0, id));
    // 1 was evicted by 4; 4 is still remembered.
    expect(out).toEqual([1n, 2n, 3n, 4n, 1n]);
  });

  it('rejects a window below 1', () => {
    expect(() => dedupeEvents({ window: 0 })).toThrow(RangeError);
  });
});
