/**
 * The claims of a parallel replay (RangeClaims.ts), driven by a random scheduler: the main
 * thread and the workers take steps in any order (a worker may never run at all, as on a
 * busy machine, or paused: they do not pay), each following the rules of ParallelReplay.ts and
 * replayWorker.ts. Whatever
 * the schedule, every range is decoded exactly once and merged in file order; in each window
 * the main thread's ranges are a prefix and the workers' a suffix; the main thread only ever
 * waits for a range a worker has started; and a worker holds at most two windows' results.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAIN_CLAIM, RangeClaims, workerClaim } from '../../src/replay/RangeClaims.js';

interface Setup {
  readonly ranges: number;
  readonly windowRanges: number;
  readonly workers: number;
  /** Who takes each step: 0 the main thread, i + 1 worker i, workers + 1 the main thread pausing or resuming the workers. */
  readonly schedule: readonly number[];
}

const setupArb: fc.Arbitrary<Setup> = fc
  .record({ ranges: fc.integer({ min: 1, max: 60 }), windowRanges: fc.integer({ min: 1, max: 12 }), workers: fc.integer({ min: 1, max: 3 }) })
  .chain((s) => fc.array(fc.integer({ min: 0, max: s.workers + 1 }), { maxLength: 400 }).map((schedule) => ({ ...s, schedule })));

/** Runs the schedule, then the main thread to the end (the workers when it waits); what happened. */
function simulate({ ranges, windowRanges, workers, schedule }: Setup) {
  const claims = RangeClaims.create(ranges);
  const windows = Math.ceil(ranges / windowRanges);
  const windowEnd = (w: number): number => Math.min(ranges, (w + 1) * windowRanges);
  const merged: number[] = [];
  const decodedBy = new Map<number, number>();
  const inFlight: (number | undefined)[] = Array.from({ length: workers }, () => undefined);
  const arrived = new Set<number>();
  const waits: number[] = [];
  let heldMax = 0;
  let mainWindow = 0;
  let k = 0;
  claims.enterWindow(0);

  const mainStep = (): 'progress' | 'waiting' | 'done' => {
    if (mainWindow >= windows) return 'done';
    if (k === windowEnd(mainWindow)) {
      mainWindow++;
      claims.enterWindow(mainWindow);
      return 'progress';
    }
    if (claims.claimFront(k)) {
      decodedBy.set(k, MAIN_CLAIM);
      merged.push(k++);
      return 'progress';
    }
    const owner = claims.owner(k);
    expect(owner, `range ${k} is a worker's when the main thread cannot claim it`).toBeGreaterThanOrEqual(workerClaim(0));
    if (!arrived.has(k)) {
      waits.push(k);
      return 'waiting';
    }
    arrived.delete(k);
    merged.push(k++);
    return 'progress';
  };

  const workerStep = (i: number): void => {
    const busy = inFlight[i];
    if (busy !== undefined) {
      arrived.add(busy);
      inFlight[i] = undefined;
      heldMax = Math.max(heldMax, arrived.size);
      return;
    }
    if (claims.stopped || claims.paused) return;
    const w = claims.window;
    if (w >= windows) return;
    let r = claims.claimBack(w * windowRanges, windowEnd(w), workerClaim(i));
    if (r < 0 && w + 1 < windows) r = claims.claimBack((w + 1) * windowRanges, windowEnd(w + 1), workerClaim(i));
    if (r < 0) return;
    expect(decodedBy.has(r), `range ${r} claimed twice`).toBe(false);
    decodedBy.set(r, workerClaim(i));
    inFlight[i] = r;
  };

  for (const actor of schedule) {
    if (actor === 0) mainStep();
    else if (actor === workers + 1) claims.pause(!claims.paused);
    else workerStep(actor - 1);
  }
  // The rest: the main thread runs; when it waits, the workers finish what they started.
  for (let guard = 0; guard < 10 * ranges + 10; guard++) {
    const step = mainStep();
    if (step === 'done') break;
    if (step === 'waiting') for (let i = 0; i < workers; i++) if (inFlight[i] !== undefined) workerStep(i);
  }
  return { claims, merged, decodedBy, inFlight, heldMax, windows, windowEnd };
}

describe('range claims', () => {
  it('decode every range once, merge them in file order, main thread a prefix of each window, workers its suffix', () => {
    fc.assert(
      fc.property(setupArb, (setup) => {
        const { claims, merged, decodedBy, inFlight, heldMax, windows, windowEnd } = simulate(setup);
        expect(merged).toEqual(Array.from({ length: setup.ranges }, (_, i) => i));
        expect(decodedBy.size).toBe(setup.ranges);
        expect(inFlight.every((r) => r === undefined)).toBe(true);
        for (let w = 0; w < windows; w++) {
          const owners = Array.from({ length: windowEnd(w) - w * setup.windowRanges }, (_, j) => claims.owner(w * setup.windowRanges + j));
          const firstWorker = owners.findIndex((o) => o !== MAIN_CLAIM);
          if (firstWorker >= 0) expect(owners.slice(firstWorker).every((o) => o >= workerClaim(0))).toBe(true);
        }
        // Results waiting for the merge: at most two windows' worth.
        expect(heldMax).toBeLessThanOrEqual(2 * setup.windowRanges);
      }),
      { numRuns: 500 },
    );
  });

  it('leave every range to the main thread when no worker ever runs', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 8 }), (ranges, windowRanges) => {
        const { claims, merged } = simulate({ ranges, windowRanges, workers: 2, schedule: [] });
        expect(merged.length).toBe(ranges);
        for (let r = 0; r < ranges; r++) expect(claims.owner(r)).toBe(MAIN_CLAIM);
      }),
    );
  });

  it('share the stop flag with every view of their buffer (the workers)', () => {
    const claims = RangeClaims.create(4);
    claims.enterWindow(0);
    expect(claims.claimBack(0, 4, workerClaim(0))).toBe(3);
    claims.stop();
    expect(claims.stopped).toBe(true);
    expect(new RangeClaims(claims.buffer).stopped).toBe(true);
  });
});
