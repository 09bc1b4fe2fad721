import { describe, expect, it } from 'vitest';
import type { Clock } from '../../src/fetch/clock.js';
import { EMNIFY_RATE_LIMITS, RateLimiter, type RateLimits } from '../../src/fetch/RateLimiter.js';

/** A clock that only moves when the limiter sleeps: admissions are exact, not timed. */
function manualClock(): Clock & { readonly slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: (ms) => {
      slept.push(ms);
      now += ms;
      return Promise.resolve();
    },
  };
}

/** The most admissions inside any span of `windowMs` (half-open). */
function busiestWindow(times: readonly number[], windowMs: number): number {
  let most = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while ((times[end] as number) - (times[start] as number) >= windowMs) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

describe('RateLimiter', () => {
  it("admits at most 10 event requests in any second, under emnify's ~10/s", async () => {
    const clock = manualClock();
    const limiter = new RateLimiter(EMNIFY_RATE_LIMITS, clock);
    const times: number[] = [];
    for (let i = 0; i < 300; i++) {
      await limiter.acquire('events');
      times.push(clock.now());
    }
    expect(busiestWindow(times, 1000)).toBeLessThanOrEqual(10);
    // And it is not needlessly slow: 300 requests at 8/s after a burst of 2 take about 37 s.
    expect(times.at(-1)).toBeLessThanOrEqual(38_000);
  });

  it('holds every rule: the per-address window and the authentication window', async () => {
    const limits: RateLimits = { perIp: { limit: 20, windowMs: 10_000 }, authenticate: { limit: 3, windowMs: 60_000 }, events: { perSecond: 100, burst: 10 } };
    const clock = manualClock();
    const limiter = new RateLimiter(limits, clock);
    const all: number[] = [];
    const auth: number[] = [];
    for (let i = 0; i < 100; i++) {
      const kind = i % 10 === 0 ? 'authenticate' : 'events';
      await limiter.acquire(kind);
      all.push(clock.now());
      if (kind === 'authenticate') auth.push(clock.now());
    }
    expect(busiestWindow(all, 10_000)).toBe(20);
    expect(busiestWindow(auth, 60_000)).toBe(3);
  });

  it("pauses every request for a 429's Retry-After", async () => {
    const clock = manualClock();
    const limiter = new RateLimiter(EMNIFY_RATE_LIMITS, clock);
    await limiter.acquire('events');
    limiter.pauseFor(5000);
    await limiter.acquire('authenticate');
    expect(clock.now()).toBeGreaterThanOrEqual(5000);
  });

  it('admits queued requests in call order, and an aborted wait does not block the next', async () => {
    const clock = manualClock();
    const abortable: Clock = { now: clock.now, sleep: (ms, signal) => (signal?.aborted === true ? Promise.reject(signal.reason) : clock.sleep(ms)) };
    const limiter = new RateLimiter({ ...EMNIFY_RATE_LIMITS, events: { perSecond: 1, burst: 1 } }, abortable);
    const order: number[] = [];
    await Promise.all([1, 2, 3].map((n) => limiter.acquire('events').then(() => order.push(n))));
    expect(order).toEqual([1, 2, 3]);
    const aborted = new AbortController();
    aborted.abort(new Error('stopped'));
    // The bucket is empty, so this one must wait, and its wait is aborted.
    await expect(limiter.acquire('events', aborted.signal)).rejects.toThrow('stopped');
    const before = clock.now();
    await limiter.acquire('events');
    expect(clock.now() - before).toBeLessThanOrEqual(1000);
  });
});
