import type { Server, ServerOptions } from 'node:http';

/** Time and connection limits of the HTTP server: what a slow or hostile client may hold. */
export interface ServerLimits {
  /** Time to receive a request's headers, ms (default 10 000); then 408 and the connection closes. */
  readonly headersTimeoutMs: number;
  /** Time to receive a whole request, headers and body, ms (default 60 000); then 408. */
  readonly requestTimeoutMs: number;
  /** How long a kept-alive connection may wait for its next request, ms (default 5 000). */
  readonly keepAliveTimeoutMs: number;
  /** A socket with no traffic either way for this long is closed, ms (default 120 000; SSE streams are exempt, their heartbeat keeps them). */
  readonly idleTimeoutMs: number;
  /** Connections open at once (default 1 024); more are refused as they arrive. */
  readonly maxConnections: number;
}

export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 120_000,
  maxConnections: 1024,
};

/**
 * The limits with defaults filled in, checked (headers must arrive before the whole request).
 *
 * @example
 * serverLimits({ headersTimeoutMs: 2000 }).requestTimeoutMs // 60 000
 */
export function serverLimits(overrides: Partial<ServerLimits> = {}): ServerLimits {
  const limits = { ...DEFAULT_SERVER_LIMITS, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value <= 0) throw new RangeError(`server limit ${name} must be a positive integer, got ${value}`);
  }
  if (limits.headersTimeoutMs > limits.requestTimeoutMs)
    throw new RangeError(`headersTimeoutMs (${limits.headersTimeoutMs}) must not exceed requestTimeoutMs (${limits.requestTimeoutMs})`);
  return limits;
}

/**
 * `createServer` options for the limits. Node checks the header and request deadlines
 * on a timer (`connectionsCheckingInterval`, 30 s by default): it runs often enough here
 * that a deadline is kept within a fraction of itself.
 *
 * @example
 * const server = createServer(httpServerOptions(limits), handler); applyServerLimits(server, limits);
 */
export function httpServerOptions(limits: ServerLimits): ServerOptions {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))),
  };
}

/** The limits a server sets after creation: keep-alive, idle sockets, the connection cap. */
export function applyServerLimits(server: Server, limits: ServerLimits): void {
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxConnections = limits.maxConnections;
  server.setTimeout(limits.idleTimeoutMs, (socket) => socket.destroy());
}
