import type { Clock } from './clock.js';

/** At most `limit` requests in any `windowMs` span. */
export interface WindowLimit {
  readonly limit: number;
  readonly windowMs: number;
}

/** The client-side limits, one per rule of the Event API. */
export interface RateLimits {
  /** Every request from this address (emnify: 2,000 per IP per 5 minutes). */
  readonly perIp: WindowLimit;
  /** `POST /authenticate` (emnify: 100 per 5 minutes). */
  readonly authenticate: WindowLimit;
  /** Event list requests: a token bucket (emnify: about 10/s with a small burst). */
  readonly events: { readonly perSecond: number; readonly burst: number };
}

/**
 * Below emnify's documented limits with room to spare: in any one second at most
 * burst + rate = 2 + 8 = 10 event requests, 1,800 requests per 5 minutes, 90
 * authentications per 5 minutes. Another client on the same address shares the
 * server's budget, so a 429 can still come: it is honoured, not assumed away.
 */
export const EMNIFY_RATE_LIMITS: RateLimits = {
  perIp: { limit: 1800, windowMs: 5 * 60_000 },
  authenticate: { limit: 90, windowMs: 5 * 60_000 },
  events: { perSecond: 8, burst: 2 },
};

/** Which budget a request draws from. */
export type RequestKind = 'events' | 'authenticate';

/**
 * Spaces requests so the client stays under `RateLimits`, and pauses every request
 * after a 429 for as long as the server asked. Requests are admitted one at a time
 * in call order.
 *
 * @example
 * const limiter = new RateLimiter(EMNIFY_RATE_LIMITS, SYSTEM_CLOCK);
 * await limiter.acquire('events'); // then send the request
 */
export class RateLimiter {
  readonly #limits: RateLimits;
  readonly #clock: Clock;
  /** Send times inside the longest window, oldest first, per sliding-window rule. */
  readonly #sent: { perIp: number[]; authenticate: number[] } = { perIp: [], authenticate: [] };
  #tokens: number;
  #refilledAt: number;
  #pausedUntil = 0;
  #queue: Promise<void> = Promise.resolve();

  constructor(limits: RateLimits, clock: Clock) {
    this.#limits = limits;
    this.#clock = clock;
    this.#tokens = limits.events.burst;
    this.#refilledAt = clock.now();
  }

  /** Resolves when a request of `kind` may be sent (and counts it as sent). */
  acquire(kind: RequestKind, signal?: AbortSignal): Promise<void> {
    const turn = this.#queue.then(() => this.#admit(kind, signal));
    // A failed (aborted) turn must not block the ones queued behind it.
    this.#queue = turn.catch(() => {});
    return turn;
  }

  /** Holds every request until `ms` from now (a 429's Retry-After). */
  pauseFor(ms: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, this.#clock.now() + ms);
  }

  async #admit(kind: RequestKind, signal: AbortSignal | undefined): Promise<void> {
    for (;;) {
      const wait = this.#waitFor(kind);
      if (wait <= 0) break;
      await this.#clock.sleep(wait, signal);
    }
    const now = this.#clock.now();
    this.#sent.perIp.push(now);
    if (kind === 'authenticate') this.#sent.authenticate.push(now);
    else this.#tokens -= 1;
  }

  /** Milliseconds until every rule admits a request of `kind` (0 or less: now). */
  #waitFor(kind: RequestKind): number {
    const now = this.#clock.now();
    let wait = this.#pausedUntil - now;
    wait = Math.max(wait, windowWait(this.#sent.perIp, this.#limits.perIp, now));
    if (kind === 'authenticate') {
      wait = Math.max(wait, windowWait(this.#sent.authenticate, this.#limits.authenticate, now));
    } else {
      const { perSecond, burst } = this.#limits.events;
      this.#tokens = Math.min(burst, this.#tokens + ((now - this.#refilledAt) * perSecond) / 1000);
      this.#refilledAt = now;
      if (this.#tokens < 1) wait = Math.max(wait, Math.ceil(((1 - this.#tokens) * 1000) / perSecond));
    }
    return wait;
  }
}

/** Drops send times older than the window; the wait until the oldest leaves it when full. */
function windowWait(sent: number[], rule: WindowLimit, now: number): number {
  let expired = 0;
  while (expired < sent.length && (sent[expired] as number) <= now - rule.windowMs) expired++;
  if (expired > 0) sent.splice(0, expired);
  if (sent.length < rule.limit) return 0;
  return (sent[sent.length - rule.limit] as number) + rule.windowMs - now;
}
