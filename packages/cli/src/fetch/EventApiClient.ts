import { backoffDelay, type RetryPolicy, retryAfterMs } from './backoff.js';
import type { Clock } from './clock.js';
import { FetchError } from './FetchError.js';
import { jwtLifetime } from './jwtExpiry.js';
import { type PageInfo, pageInfo } from './pageHeaders.js';
import type { RateLimiter, RequestKind } from './RateLimiter.js';

/** What the client needs to talk to the Event API. */
export interface EventApiClientOptions {
  /** Base URL, e.g. `https://cdn.emnify.net` (paths `/api/v1/…` are appended). */
  readonly api: string;
  readonly applicationToken: string;
  readonly limiter: RateLimiter;
  readonly retry: RetryPolicy;
  readonly clock: Clock;
  /** Aborts waits and requests (SIGINT/SIGTERM). */
  readonly signal?: AbortSignal;
  /** A request (answer and body) taking longer than this is abandoned and retried (default 60 000 ms). */
  readonly requestTimeoutMs?: number;
  /** Told about each retry (one line), for the user's stderr. */
  readonly onRetry?: (message: string) => void;
}

/** A page as read: its body text and paging headers. */
export interface RawPage<T> {
  readonly url: string;
  readonly info: PageInfo;
  readonly value: T;
}

/** Counters a run reports. */
export interface ClientCounters {
  requests: number;
  authentications: number;
  retries: number;
  rateLimited: number;
}

/**
 * Re-authenticate this long before `exp`: a quarter of the token's lifetime, at most
 * 30 s, so a request never leaves with a token that expires on the way.
 */
const MAX_EXPIRY_MARGIN_MS = 30_000;

const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

type Attempt<T> = { kind: 'done'; value: T } | { kind: 'retry'; why: string; after?: number } | { kind: 'reauth' };

/**
 * The Event API over Node's built-in `fetch`: authentication with `POST
 * /api/v1/authenticate` (again when the JWT's `exp` nears or on a 401, without
 * starting the fetch over), every request through the rate limiter, 429 honoured
 * with `Retry-After` (backoff without one), network errors, 5xx, truncated and
 * malformed bodies retried with backoff, other 4xx answers a `FetchError` at once.
 *
 * @example
 * const client = new EventApiClient({ api, applicationToken, limiter, retry: DEFAULT_RETRY, clock: SYSTEM_CLOCK });
 * const page = await client.getPage(`${api}/api/v1/event?page=1`, (body) => body.length);
 */
export class EventApiClient {
  readonly counters: ClientCounters = { requests: 0, authentications: 0, retries: 0, rateLimited: 0 };
  readonly #options: EventApiClientOptions;
  #token: { jwt: string; renewAt: number | null } | null = null;

  constructor(options: EventApiClientOptions) {
    this.#options = options;
  }

  /** The API base URL without a trailing slash. */
  get api(): string {
    return this.#options.api.replace(/\/+$/, '');
  }

  /**
   * GETs `url` with a valid auth token and hands the body to `read`, which returns
   * the page's value or a string saying why the body is malformed (retried like a 5xx).
   */
  async getPage<T>(url: string, read: (body: string) => T | string): Promise<RawPage<T>> {
    let reauthenticated = false;
    return this.#withRetries(`GET ${url}`, async () => {
      // The token is read after the limiter's wait, so a wait never outlasts its expiry.
      const response = await this.#send('events', url, async () => ({
        headers: { authorization: `Bearer ${await this.#validToken()}`, accept: 'application/json' },
      }));
      if (response.status === 401) {
        await drain(response);
        if (reauthenticated) throw new FetchError('unauthorized', `GET ${url}`, 'HTTP 401 even with a fresh auth token');
        // Expired or revoked early: authenticate again and repeat this request only.
        reauthenticated = true;
        this.#token = null;
        return { kind: 'reauth' };
      }
      // Any other answer means the fresh token was taken: a later 401 is a new expiry.
      reauthenticated = false;
      const early = await this.#statusOutcome(response, `GET ${url}`);
      if (early !== null) return early;
      const body = await readText(response);
      if (body === null) return { kind: 'retry', why: CUT_OFF };
      const value = read(body);
      if (typeof value === 'string') return { kind: 'retry', why: `malformed page: ${value}` };
      return { kind: 'done', value: { url, info: pageInfo(response.headers, url), value } };
    });
  }

  /** The current token, authenticating first when there is none or it is about to expire. */
  async #validToken(): Promise<string> {
    const token = this.#token;
    if (token !== null && (token.renewAt === null || this.#options.clock.now() < token.renewAt)) return token.jwt;
    const jwt = await this.#authenticate();
    const { issuedAt, expiresAt } = jwtLifetime(jwt);
    let renewAt: number | null = null;
    if (expiresAt !== null) {
      const lifetime = issuedAt === null ? MAX_EXPIRY_MARGIN_MS * 4 : expiresAt - issuedAt;
      renewAt = expiresAt - Math.min(MAX_EXPIRY_MARGIN_MS, Math.max(0, lifetime / 4));
    }
    this.#token = { jwt, renewAt };
    return jwt;
  }

  async #authenticate(): Promise<string> {
    const url = `${this.api}/api/v1/authenticate`;
    const where = `POST ${url}`;
    return this.#withRetries(where, async () => {
      const response = await this.#send('authenticate', url, async () => ({
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ application_token: this.#options.applicationToken }),
      }));
      if (response.status === 401 || response.status === 403) {
        await drain(response);
        throw new FetchError(
          'auth_refused',
          where,
          `HTTP ${response.status}: the application token was refused (check --app-token / EMNIFY_APPLICATION_TOKEN)`,
        );
      }
      const early = await this.#statusOutcome(response, where);
      if (early !== null) return early;
      const body = await readText(response);
      if (body === null) return { kind: 'retry', why: CUT_OFF };
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        return { kind: 'retry', why: 'the answer is not JSON' };
      }
      const jwt = (parsed as { auth_token?: unknown } | null)?.auth_token;
      if (typeof jwt !== 'string' || jwt === '') return { kind: 'retry', why: 'the answer holds no auth_token' };
      this.counters.authentications += 1;
      return { kind: 'done', value: jwt };
    });
  }

  /** 429 and 5xx as retries, other non-2xx as a `FetchError`; `null` for a 2xx. */
  async #statusOutcome(response: Response, where: string): Promise<Attempt<never> | null> {
    if (response.status >= 200 && response.status < 300) return null;
    const detail = await readText(response);
    if (response.status === 429) {
      this.counters.rateLimited += 1;
      const after = retryAfterMs(response.headers.get('retry-after'), Date.now());
      return { kind: 'retry', why: 'HTTP 429 (rate limited)', ...(after === null ? {} : { after }) };
    }
    if (response.status >= 500) return { kind: 'retry', why: `HTTP ${response.status}` };
    throw new FetchError('request_refused', where, `HTTP ${response.status}${detail === null || detail === '' ? '' : `: ${oneLine(detail)}`}`);
  }

  /** Waits for the limiter, then builds the request (`init`) and sends it. */
  async #send(kind: RequestKind, url: string, init: () => Promise<RequestInit>): Promise<Response> {
    const signal = this.#options.signal;
    await this.#options.limiter.acquire(kind, signal);
    const request = await init();
    this.counters.requests += 1;
    // A stalled connection would otherwise wait for undici's own 300 s timeouts; the
    // deadline covers the body too, since the same signal aborts reading it.
    const deadline = AbortSignal.timeout(this.#options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
    return fetch(url, { ...request, signal: signal === undefined ? deadline : AbortSignal.any([signal, deadline]) });
  }

  /**
   * Runs `attempt` until it is done: network errors and `retry` outcomes wait a backoff
   * (or the server's Retry-After) and try again, up to the policy's limits.
   */
  async #withRetries<T>(where: string, attempt: () => Promise<Attempt<T>>): Promise<T> {
    const { retry, clock, signal } = this.#options;
    let failures = 0;
    let rateLimited = 0;
    for (;;) {
      let outcome: Attempt<T>;
      try {
        outcome = await attempt();
      } catch (error) {
        if (error instanceof FetchError) throw error;
        if (signal?.aborted === true) throw new FetchError('interrupted', where, 'stopped by a signal');
        outcome = { kind: 'retry', why: `network error: ${causeOf(error)}` };
      }
      if (outcome.kind === 'done') return outcome.value;
      if (outcome.kind === 'reauth') continue;
      let wait: number;
      if (outcome.after !== undefined || outcome.why.startsWith('HTTP 429')) {
        rateLimited += 1;
        if (rateLimited > retry.maxRateLimited) throw new FetchError('retries_exhausted', where, `still rate limited after ${rateLimited} answers of HTTP 429`);
        wait = outcome.after ?? backoffDelay(retry, rateLimited);
        // Every request waits, not only this one: the budget is the address's.
        this.#options.limiter.pauseFor(wait);
      } else {
        failures += 1;
        if (failures >= retry.maxAttempts) throw new FetchError('retries_exhausted', where, `${outcome.why} (${failures} attempts)`);
        wait = backoffDelay(retry, failures);
      }
      this.counters.retries += 1;
      this.#options.onRetry?.(`${where}: ${outcome.why}; retrying in ${(wait / 1000).toFixed(1)} s`);
      try {
        await clock.sleep(wait, signal);
      } catch {
        throw new FetchError('interrupted', where, 'stopped by a signal');
      }
    }
  }
}

/** The body, or `null` when the connection ended (or the deadline passed) before it was complete. */
async function readText(response: Response): Promise<string | null> {
  try {
    return await response.text();
  } catch {
    return null;
  }
}

const CUT_OFF = 'the body was cut off before its end, or not complete by the request deadline';

async function drain(response: Response): Promise<void> {
  await readText(response);
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

function causeOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as Error & { cause?: unknown }).cause;
  if (cause instanceof Error) return `${error.message} (${(cause as NodeJS.ErrnoException).code ?? cause.message})`;
  return error.message;
}
