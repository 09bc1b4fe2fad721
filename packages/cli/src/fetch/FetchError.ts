/** Why a fetch stopped for good (after retries, or at once for errors no retry can fix). */
export type FetchErrorCode =
  /** The Event API refused the application token. */
  | 'auth_refused'
  /** A page request was refused even with a fresh auth token. */
  | 'unauthorized'
  /** A 4xx answer other than 401/429: the request itself is wrong (a bad filter, an unknown endpoint). */
  | 'request_refused'
  /** Transient failures (network, 5xx, truncated or malformed bodies) outlasted the retries. */
  | 'retries_exhausted'
  /** `simfleet serve` refused the posted events for good (token, size). */
  | 'serve_refused'
  /** The output or state file could not be written (disk full, permissions). */
  | 'write_failed'
  /** Stopped by SIGINT/SIGTERM before the fetch was complete. */
  | 'interrupted';

/**
 * A permanent fetch failure: reported as one line (`what, where, why`), exit status 1.
 *
 * @example
 * throw new FetchError('request_refused', 'GET https://…/api/v1/event?page=3', 'HTTP 422: invalid filter');
 */
export class FetchError extends Error {
  override readonly name = 'FetchError';
  constructor(
    readonly code: FetchErrorCode,
    /** The request (method and URL) or the file that failed. */
    readonly where: string,
    readonly reason: string,
  ) {
    super(`${where}: ${reason}`);
  }
}
