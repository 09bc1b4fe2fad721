/** Time as the fetch client sees it: tests of the limiter pass a manual clock. */
export interface Clock {
  /** Milliseconds, monotonic enough for rate limiting (`performance.now()`-like or `Date.now()`). */
  now(): number;
  /** Resolves after `ms`, or rejects with the signal's reason once `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * The wall clock: `Date.now()` (JWT `exp` is wall time) and an abortable timer.
 *
 * @example
 * await SYSTEM_CLOCK.sleep(250, controller.signal);
 */
export const SYSTEM_CLOCK: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted === true) {
        reject(signal.reason);
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(
        () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.max(0, ms),
      );
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};
