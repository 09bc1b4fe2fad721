import type { Transition } from '@simfleet/core';
import { describe, expect, it } from 'vitest';
import { copyString } from '../src/copyText.js';
import { TransitionLog } from '../src/TransitionLog.js';

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

  it('escapes what COPY text reserves', () => {
    expect(copyString('a\tb\\c\nd\re')).toBe('a\\tb\\\\c\\nd\\re');
    expect(copyString('\\N')).toBe('\\\\N');
    expect(copyString(null)).toBe('\\N');
    expect(copyString('plain')).toBe('plain');
  });
});
