/**
 * The verdict on whether a parallel replay's workers pay (WorkerPay.ts), with clocks the test
 * drives: the process's CPU time per wall-clock second while the main thread and a worker
 * decode at the same time.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MIN_CORES, WorkerPay } from '../../src/replay/WorkerPay.js';

/** A WorkerPay on fake clocks, and a range of `ms` wall time during which the process got `cores`. */
function fake() {
  let wall = 0;
  let cpu = 0;
  const pay = new WorkerPay(
    () => wall,
    () => cpu,
  );
  const range = (ms: number, cores: number, busy = 1): boolean => {
    pay.begin(busy);
    wall += ms;
    cpu += ms * cores;
    pay.end(busy);
    return pay.pauseAfterRange();
  };
  return { pay, range };
}

describe('whether workers pay', () => {
  it('they go on while the process gets a core per thread, and pause when it does not', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.2, max: 2.2, noNaN: true }), fc.integer({ min: 60, max: 400 }), (cores, ms) => {
        const { pay, range } = fake();
        let paused = false;
        // Enough ranges for a verdict (at least 250 ms of them).
        for (let i = 0; i < 10 && !paused; i++) paused = range(ms, cores);
        expect(paused).toBe(cores < MIN_CORES);
        if (!paused) expect(pay.cores).toBeUndefined();
      }),
    );
  });

  it('a range during which no worker decoded tells nothing', () => {
    const { pay, range } = fake();
    for (let i = 0; i < 20; i++) expect(range(100, 1, 0)).toBe(false);
    expect(pay.cores).toBeUndefined();
  });

  it('paused workers get new trials, after twice as many ranges each time they fail', () => {
    const { range } = fake();
    // Shared core throughout: trials come after 4, then 8, then 16 paused ranges.
    const pattern: boolean[] = [];
    for (let i = 0; i < 60; i++) pattern.push(range(300, 1));
    const pausedRuns: number[] = [];
    let run = 0;
    for (const p of pattern) {
      if (p) run++;
      else if (run > 0) {
        pausedRuns.push(run);
        run = 0;
      }
    }
    expect(pausedRuns.slice(0, 3)).toEqual([4, 8, 16]);
    // Cores come back: the next trial passes and the workers go on.
    const { range: again } = fake();
    expect(again(300, 1)).toBe(true);
    for (let i = 0; i < 3; i++) expect(again(300, 1)).toBe(true);
    expect(again(300, 2)).toBe(false);
    for (let i = 0; i < 5; i++) expect(again(300, 2)).toBe(false);
  });
});
