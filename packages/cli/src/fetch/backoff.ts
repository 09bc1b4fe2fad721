/** How transient failures are retried. */
export interface RetryPolicy {
  /** Attempts per request for network errors, 5xx and unreadable bodies (the first included). */
  readonly maxAttempts: number;
  /** First backoff, ms; doubles per attempt up to `maxDelayMs`. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** 429 answers in a row for one request before giving up (each waits its Retry-After). */
  readonly maxRateLimited: number;
}

/** Defaults: 6 attempts over about 15 s; a 429 waits as long as the server asks, up to 20 times. */
export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 500, maxDelayMs: 30_000, maxRateLimited: 20 };

/**
 * The wait before retry number `attempt` (1 = the first retry): exponential with
 * "equal jitter" (half fixed, half random), so clients that failed together do not
 * retry together, and a wait never collapses to zero.
 *
 * @example
 * backoffDelay(DEFAULT_RETRY, 3, () => 0.5) // 1500 (2000 ms step: 1000 fixed + 500 jitter)
 */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return step / 2 + random() * (step / 2);
}

/**
 * A `Retry-After` header as milliseconds to wait: delay-seconds (`120`) or an HTTP-date
 * (RFC 9110 §10.2.3); `null` when absent or unreadable (the caller backs off instead).
 *
 * @example
 * retryAfterMs('2', Date.now()) // 2000
 */
export function retryAfterMs(header: string | null, now: number): number | null {
  if (header === null) return null;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
