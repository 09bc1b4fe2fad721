import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

/** Name of the cookie that carries a signed-in browser's session id. */
export const SESSION_COOKIE = 'simfleet_session';

export interface DashboardSessionsOptions {
  /** How long a sign-in lasts, ms (default 12 hours). */
  readonly ttlMs?: number;
  /** At most this many live sessions; the oldest goes first (default 1000). */
  readonly maxSessions?: number;
  /** The clock (tests). */
  readonly now?: () => number;
}

/**
 * Browser sign-ins for the dashboard. A browser posts the API's bearer token once; it gets
 * a random session id in an HttpOnly, SameSite=Strict cookie (Secure under TLS), so the
 * token itself never sits in a cookie, a URL or script-readable storage. Sessions live in
 * memory (a restart signs everyone out) and are bounded in number and age. Only a digest of
 * each id is kept, so a heap dump does not hand out live sessions.
 *
 * @example
 * const sessions = new DashboardSessions();
 * const id = sessions.create(); res.setHeader('set-cookie', sessions.cookie(req, id));
 * sessions.valid(req) // true on the browser's next request
 */
export class DashboardSessions {
  readonly #expiry = new Map<string, number>();
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #now: () => number;

  constructor(options: DashboardSessionsOptions = {}) {
    this.#ttlMs = options.ttlMs ?? 12 * 3600_000;
    this.#max = options.maxSessions ?? 1000;
    this.#now = options.now ?? Date.now;
  }

  /** Starts a session; returns its id (for the cookie only). */
  create(): string {
    const id = randomBytes(32).toString('base64url');
    if (this.#expiry.size >= this.#max) {
      // Maps iterate in insertion order: the first key is the oldest sign-in.
      const oldest = this.#expiry.keys().next();
      if (oldest.done !== true) this.#expiry.delete(oldest.value);
    }
    this.#expiry.set(digest(id), this.#now() + this.#ttlMs);
    return id;
  }

  /** Whether the request carries the cookie of a live session. */
  valid(req: IncomingMessage): boolean {
    const id = sessionIdOf(req);
    if (id === undefined) return false;
    const key = digest(id);
    const expiry = this.#expiry.get(key);
    if (expiry === undefined) return false;
    if (expiry <= this.#now()) {
      this.#expiry.delete(key);
      return false;
    }
    return true;
  }

  /** Ends the request's session, if any. */
  end(req: IncomingMessage): void {
    const id = sessionIdOf(req);
    if (id !== undefined) this.#expiry.delete(digest(id));
  }

  /** The `Set-Cookie` value that stores `id`. */
  cookie(req: IncomingMessage, id: string): string {
    return `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(this.#ttlMs / 1000)}${secure(req) ? '; Secure' : ''}`;
  }

  /** The `Set-Cookie` value that deletes the cookie. */
  clearCookie(req: IncomingMessage): string {
    return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure(req) ? '; Secure' : ''}`;
  }
}

const digest = (id: string): string => createHash('sha256').update(id, 'utf8').digest('base64url');

/** TLS on this socket, or a TLS-terminating proxy in front saying so. */
function secure(req: IncomingMessage): boolean {
  return (req.socket as Partial<TLSSocket>).encrypted === true || req.headers['x-forwarded-proto'] === 'https';
}

function sessionIdOf(req: IncomingMessage): string | undefined {
  const header = req.headers.cookie;
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === SESSION_COOKIE) {
      const value = part.slice(eq + 1).trim();
      return /^[A-Za-z0-9_-]{1,100}$/.test(value) ? value : undefined;
    }
  }
  return undefined;
}
