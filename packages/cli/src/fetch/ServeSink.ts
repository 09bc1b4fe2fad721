import { backoffDelay, type RetryPolicy, retryAfterMs } from './backoff.js';
import type { Clock } from './clock.js';
import type { EventSink } from './EventSink.js';
import { FetchError } from './FetchError.js';

/** What `simfleet serve` answers to `POST /events`. */
interface ServeReply {
  readonly accepted?: number;
  /** Records serve already had (by event id). */
  readonly duplicates?: number;
  /** Records older than serve's reorder horizon for their device: kept in its journal, not applied. */
  readonly tooLate?: readonly { readonly eventId: number | string; readonly endpointId: number; readonly behindMs: number }[];
  readonly rejected?: readonly { readonly index: number | null; readonly code: string; readonly message: string }[];
}

/** Where and how to post. */
export interface ServeSinkOptions {
  /** serve's base URL (`http://127.0.0.1:8080`: its `/events` route) or the full route URL. */
  readonly url: string;
  /** serve's bearer token. */
  readonly token: string;
  readonly retry: RetryPolicy;
  readonly clock: Clock;
  readonly signal?: AbortSignal;
  readonly onRetry?: (message: string) => void;
  /** Told about each record serve refused, with its reason. */
  readonly onReject?: (message: string) => void;
}

/** Stays well under serve's default 10 MiB body limit. */
const MAX_BATCH_BYTES = 4 * 1024 * 1024;

/**
 * Posts events into a running `simfleet serve` (`POST /events`, NDJSON, `Authorization:
 * Bearer T`). A delivery resolves once serve acknowledged it (202, or 400 with per-record
 * reasons: those records are counted as rejected by serve and reported; duplicates and
 * events too late for serve's reorder horizon are counted from its reply too). Network errors,
 * 5xx and 503 (serve stopping) are retried with backoff; serve deduplicates by event id,
 * so a batch sent twice applies once. 401 and 413 stop the fetch.
 *
 * @example
 * const sink = new ServeSink({ url: 'http://127.0.0.1:8080', token, retry: DEFAULT_RETRY, clock: SYSTEM_CLOCK });
 */
export class ServeSink implements EventSink {
  readonly #endpoint: string;
  readonly #options: ServeSinkOptions;
  /** Records serve accepted, already had, judged too late to place, and refused with a reason. */
  accepted = 0;
  duplicates = 0;
  tooLate = 0;
  rejected = 0;

  constructor(options: ServeSinkOptions) {
    const base = new URL(options.url);
    // `--to http://host:port` means its /events route; a URL naming a path is taken as is.
    if (base.pathname === '/' || base.pathname === '') base.pathname = '/events';
    this.#endpoint = base.href;
    this.#options = options;
  }

  async deliver(lines: readonly string[]): Promise<void> {
    let batch: string[] = [];
    let bytes = 0;
    for (const line of lines) {
      const size = Buffer.byteLength(line) + 1;
      if (batch.length > 0 && bytes + size > MAX_BATCH_BYTES) {
        await this.#post(batch);
        batch = [];
        bytes = 0;
      }
      batch.push(line);
      bytes += size;
    }
    if (batch.length > 0) await this.#post(batch);
  }

  describe(): string {
    const parts = [`${this.accepted} accepted by serve`];
    if (this.duplicates > 0) parts.push(`${this.duplicates} duplicates to serve`);
    if (this.tooLate > 0) parts.push(`${this.tooLate} too late for serve`);
    if (this.rejected > 0) parts.push(`${this.rejected} rejected by serve`);
    return parts.join(', ');
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  async #post(lines: readonly string[]): Promise<void> {
    const { retry, clock, signal } = this.#options;
    const where = `POST ${this.#endpoint}`;
    const body = `${lines.join('\n')}\n`;
    for (let attempt = 1; ; attempt++) {
      let why: string;
      let after: number | null = null;
      try {
        const response = await fetch(this.#endpoint, {
          method: 'POST',
          headers: { authorization: `Bearer ${this.#options.token}`, 'content-type': 'application/x-ndjson' },
          body,
          ...(signal === undefined ? {} : { signal }),
        });
        const text = await response.text();
        if (response.status === 202 || response.status === 400) {
          const reply = parseReply(text);
          if (reply === null) throw new FetchError('serve_refused', where, `HTTP ${response.status} with an unreadable body`);
          this.accepted += reply.accepted ?? 0;
          this.duplicates += typeof reply.duplicates === 'number' ? reply.duplicates : 0;
          for (const late of reply.tooLate ?? []) {
            this.tooLate += 1;
            this.#options.onReject?.(
              `serve took event ${late.eventId} of endpoint ${late.endpointId} as too late to place (${Math.round(late.behindMs / 1000)} s behind its newest)`,
            );
          }
          for (const reject of reply.rejected ?? []) {
            this.rejected += 1;
            this.#options.onReject?.(
              `serve rejected record ${reject.index === null ? '(the body)' : reject.index + 1} of a batch: ${reject.code}: ${reject.message}`,
            );
          }
          return;
        }
        if (response.status === 401) throw new FetchError('serve_refused', where, 'HTTP 401: serve refused the token (check --token)');
        if (response.status < 500) throw new FetchError('serve_refused', where, `HTTP ${response.status}: ${text.slice(0, 200)}`);
        why = `HTTP ${response.status}`;
        after = retryAfterMs(response.headers.get('retry-after'), Date.now());
      } catch (error) {
        if (error instanceof FetchError) throw error;
        if (signal?.aborted === true) throw new FetchError('interrupted', where, 'stopped by a signal');
        why = `network error: ${error instanceof Error ? error.message : String(error)}`;
      }
      if (attempt >= retry.maxAttempts) throw new FetchError('retries_exhausted', where, `${why} (${attempt} attempts)`);
      const wait = after ?? backoffDelay(retry, attempt);
      this.#options.onRetry?.(`${where}: ${why}; retrying in ${(wait / 1000).toFixed(1)} s`);
      try {
        await clock.sleep(wait, signal);
      } catch {
        throw new FetchError('interrupted', where, 'stopped by a signal');
      }
    }
  }
}

function parseReply(text: string): ServeReply | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as ServeReply) : null;
  } catch {
    return null;
  }
}
