import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type EmnifyEvent, ENDPOINT_STATUSES, type FleetStore, formatTimestamp, stringifyJson } from '@simfleet/core';
import type { EventTimeSpan, FleetTransition, InactivityRule } from '@simfleet/stream';
import { bearerAuth } from './bearerAuth.js';
import { endpointsPage } from './endpointsPage.js';
import { sendError, sendJson } from './httpReply.js';
import { IngestPipeline } from './IngestPipeline.js';
import { ServeMetrics } from './metrics.js';
import { idParam, listParam, ROUTE_PARAMS, TRANSITION_REGIONS, unknownParams } from './queryParams.js';
import type { ServeLogger } from './requestLog.js';
import { parseEventsBody } from './parseEventsBody.js';
import { readBody } from './readBody.js';
import { SseHub } from './SseHub.js';
import { endpointViewJson, transitionJson } from './views.js';

export interface ServeOptions {
  /** TCP port; `0` picks a free one (read it from the returned `url`). */
  readonly port: number;
  /** Interface to bind, e.g. `127.0.0.1` (loopback only) or `0.0.0.0`. */
  readonly host: string;
  /** Bearer token every request must carry (`Authorization: Bearer <token>`). */
  readonly token: string;
  /** Largest accepted `POST /events` body, in bytes (default 10 MiB); larger → 413. */
  readonly maxBodyBytes?: number;
  /** How late (event time) an event may arrive and still be applied in order (default 10 s). */
  readonly maxLateness?: EventTimeSpan;
  /** Wall-clock ms without input after which buffered events are applied anyway (default 200). */
  readonly idleTimeout?: number;
  /** How many distinct event ids to remember for deduplication (default 100 000). */
  readonly dedupeWindow?: number;
  /** Reducer batch size (default 1000) and wait (ms, default 20). */
  readonly maxBatch?: number;
  readonly maxDelay?: number;
  /** Mark connected devices stale after a silence (event time). */
  readonly inactivity?: InactivityRule;
  /** An SSE client with more than this many bytes waiting is disconnected (default 1 MiB). */
  readonly maxSseBufferBytes?: number;
  /** SSE heartbeat comment interval, ms (default 15 000). */
  readonly heartbeatMs?: number;
  /**
   * Start from this fleet state instead of an empty one (`fleetFromCheckpoint`, what
   * `--from CHECKPOINT` does); live events continue it.
   */
  readonly store?: FleetStore;
  /** The newest event time in `store` (reported as `eventTime` until live events move it). */
  readonly asOf?: number | null;
  /** Told every batch of records that entered the pipeline (the checkpoint journal). */
  readonly onAccepted?: (events: readonly EmnifyEvent[]) => void;
  /** Where to report pipeline failures (default: stderr). */
  readonly log?: (message: string) => void;
  /** Structured request and lifecycle log (requestLog.ts); none when absent. */
  readonly logger?: ServeLogger;
}

/** A running server. */
export interface RunningServer {
  /** `http://HOST:PORT`, with the port actually bound. */
  readonly url: string;
  /** Applies buffered events, ends SSE streams, stops listening. */
  close(): Promise<void>;
}

/**
 * Starts the webhook ingest service (node:http, no framework):
 * `POST /events` (a single event, a JSON array, or NDJSON; bearer token; size limit;
 * per-record reasons), `GET /fleet/summary`, `GET /endpoints/:id`,
 * `GET /endpoints?status=OFFLINE&limit=…&cursor=…`, `GET /transitions` (SSE) and
 * `GET /metrics` (Prometheus). Every route but `GET /healthz` requires the token; a query
 * parameter a route does not take is refused with 400.
 *
 * @example
 * const server = await startServer({ port: 0, host: '127.0.0.1', token: 's3cret' });
 * console.log(`listening on ${server.url}`);
 */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const authorized = bearerAuth(options.token);
  const maxBodyBytes = options.maxBodyBytes ?? 10 * 1024 * 1024;
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  const pipeline = new IngestPipeline(
    {
      dedupeWindow: options.dedupeWindow ?? 100_000,
      maxLateness: options.maxLateness ?? 10_000,
      idleTimeout: options.idleTimeout ?? 200,
      maxBatch: options.maxBatch ?? 1000,
      maxDelay: options.maxDelay ?? 20,
      ...(options.inactivity === undefined ? {} : { inactivity: options.inactivity }),
      ...(options.store === undefined ? {} : { store: options.store }),
      ...(options.asOf === undefined ? {} : { asOf: options.asOf }),
    },
    log,
  );
  const hub = new SseHub<FleetTransition>({
    maxBufferedBytes: options.maxSseBufferBytes ?? 1024 * 1024,
    heartbeatMs: options.heartbeatMs ?? 15_000,
    serialize: (t) => stringifyJson(transitionJson(t)),
  });
  pipeline.transitions$.subscribe((t) => hub.publish(t));
  const metrics = new ServeMetrics({
    counters: () => pipeline.counters,
    sseClients: () => hub.size,
    endpointsByStatus: () => pipeline.store.summary().byStatus,
  });
  const logger = options.logger;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    const method = req.method ?? 'GET';
    if (logger !== undefined) {
      const started = performance.now();
      res.once('close', () => logger.request({ method, path, status: res.statusCode, ms: performance.now() - started }));
    }
    if (path === '/healthz') {
      sendJson(res, 200, { ok: true });
      return;
    }
    const route = routeOf(path);
    if (route === undefined) {
      sendError(res, 404, 'not_found', `no route ${path}`);
      return;
    }
    if (method !== route.method && !(route.method === 'GET' && method === 'HEAD')) {
      sendError(res, 405, 'method_not_allowed', `${path} accepts ${route.method}`, { allow: route.method });
      return;
    }
    if (!authorized(req)) {
      sendError(res, 401, 'unauthorized', 'send Authorization: Bearer <token>', { 'www-authenticate': 'Bearer realm="simfleet"' });
      return;
    }
    const unknown = unknownParams(url.searchParams, ROUTE_PARAMS[route.name]);
    if (unknown !== undefined) {
      sendError(res, 400, unknown.code, unknown.message);
      return;
    }
    switch (route.name) {
      case 'events':
        return postEvents(req, res);
      case 'summary':
        return sendJson(res, 200, {
          ...pipeline.store.summary(),
          eventTime: pipeline.eventTime === null ? null : formatTimestamp(pipeline.eventTime),
          stale: pipeline.staleCount,
          pipeline: { ...pipeline.counters },
          transitionStreams: { clients: hub.size, dropped: hub.dropped },
        });
      case 'endpoint':
        return getEndpoint(res, route.id);
      case 'endpoints':
        return listEndpoints(res, url.searchParams);
      case 'transitions':
        return streamTransitions(res, url.searchParams);
      case 'metrics': {
        const { contentType, text } = await metrics.exposition();
        res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
        res.end(text);
        return;
      }
    }
  };

  const postEvents = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    const encoding = req.headers['content-encoding'];
    if (encoding !== undefined && encoding !== 'identity') {
      sendError(res, 415, 'unsupported_encoding', `Content-Encoding ${encoding} is not supported: send the body uncompressed`);
      return;
    }
    const body = await readBody(req, maxBodyBytes);
    if (!body.ok) {
      if (body.reason === 'aborted') return;
      // Stop reading: the connection closes after this reply.
      sendError(res, 413, 'body_too_large', `the body exceeds ${maxBodyBytes} bytes`, { connection: 'close' });
      return;
    }
    if (pipeline.closed) {
      // Shutting down: refuse rather than acknowledge records that would not be applied.
      sendError(res, 503, 'shutting_down', 'the server is stopping; send again later', { 'retry-after': '5' });
      return;
    }
    const parsed = parseEventsBody(body.body.toString('utf8'), req.headers['content-type']);
    pipeline.ingest(parsed.events);
    if (options.onAccepted !== undefined) {
      options.onAccepted(parsed.events);
      metrics.journaled(parsed.events.length);
    }
    pipeline.counters.rejected += parsed.rejects.filter((r) => r.index !== null).length;
    for (const r of parsed.rejects) if (r.index !== null) metrics.rejected(r.code);
    metrics.ingestLatency((performance.now() - started) / 1000);
    const reply = { accepted: parsed.events.length, rejected: parsed.rejects.map((r) => ({ ...r })) };
    sendJson(res, parsed.rejects.length === 0 ? 202 : 400, reply);
    return;
  };

  const getEndpoint = (res: ServerResponse, idText: string): void => {
    const id = Number(idText);
    if (!/^\d{1,16}$/.test(idText) || !Number.isSafeInteger(id)) {
      sendError(res, 400, 'invalid_id', `endpoint id must be a non-negative integer, got ${idText}`);
      return;
    }
    const state = pipeline.store.readEndpoint(id);
    if (state === undefined) {
      sendError(res, 404, 'unknown_endpoint', `no event has been seen for endpoint ${id}`);
      return;
    }
    sendJson(res, 200, endpointViewJson({ ...state, stale: pipeline.isStale(id) }));
  };

  const listEndpoints = (res: ServerResponse, params: URLSearchParams): void => {
    const statuses = new Set<string>();
    for (const value of params.getAll('status')) {
      for (const status of value.split(',')) {
        const name = status.trim().toUpperCase();
        if (name === '') continue;
        if (!(ENDPOINT_STATUSES as readonly string[]).includes(name)) {
          sendError(res, 400, 'invalid_status', `status must be one of ${ENDPOINT_STATUSES.join(', ')}, got ${status}`);
          return;
        }
        statuses.add(name);
      }
    }
    const limitText = params.get('limit') ?? '100';
    const limit = Number(limitText);
    if (!/^\d+$/.test(limitText) || limit < 1 || limit > 1000) {
      sendError(res, 400, 'invalid_limit', `limit must be an integer from 1 to 1000, got ${limitText}`);
      return;
    }
    const cursor = params.get('cursor');
    if (cursor !== null && !/^\d{1,16}$/.test(cursor)) {
      sendError(res, 400, 'invalid_cursor', 'cursor must be a value returned as nextCursor');
      return;
    }
    const page = endpointsPage(pipeline.store, { statuses, limit, after: cursor === null ? null : Number(cursor) });
    sendJson(res, 200, { items: page.items.map((state) => endpointViewJson({ ...state, stale: pipeline.isStale(state.endpointId) })), nextCursor: page.nextCursor });
  };

  const streamTransitions = (res: ServerResponse, params: URLSearchParams): void => {
    // Checked like /endpoints?status=: a misspelt region would otherwise stream nothing, silently.
    const region = listParam(params, 'region', TRANSITION_REGIONS, 'invalid_region');
    const endpointId = idParam(params, 'endpoint', 'invalid_endpoint');
    for (const checked of [region, endpointId]) {
      if ('problem' in checked) {
        sendError(res, 400, checked.problem.code, checked.problem.message);
        return;
      }
    }
    const regions = 'values' in region ? region.values : new Set<string>();
    const endpoint = 'value' in endpointId ? endpointId.value : null;
    hub.attach(res, (t) => (regions.size === 0 || regions.has(t.region)) && (endpoint === null || t.endpointId === endpoint));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log(`simfleet serve: ${req.method} ${req.url} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      if (!res.headersSent) sendError(res, 500, 'internal_error', 'the server failed on this request');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  logger?.lifecycle('listening', { host: options.host, port: (server.address() as AddressInfo).port });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' || address.address.includes(':') ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve, reject) => {
        logger?.lifecycle('stopping', { sseClients: hub.size });
        pipeline.close();
        hub.close();
        server.close((err) => {
          const { received, applied } = pipeline.counters;
          logger?.lifecycle('stopped', { received, applied, endpoints: pipeline.store.endpointCount });
          if (err === undefined) resolve();
          else reject(err);
        });
        server.closeIdleConnections();
        // Requests still in flight get a moment to finish, then their sockets go too.
        setTimeout(() => server.closeAllConnections(), 1000).unref();
      });
      return closing;
    },
  };
}

type Route =
  | { name: 'events'; method: 'POST' }
  | { name: 'summary'; method: 'GET' }
  | { name: 'endpoints'; method: 'GET' }
  | { name: 'endpoint'; method: 'GET'; id: string }
  | { name: 'transitions'; method: 'GET' }
  | { name: 'metrics'; method: 'GET' };

function routeOf(path: string): Route | undefined {
  switch (path) {
    case '/events':
      return { name: 'events', method: 'POST' };
    case '/fleet/summary':
      return { name: 'summary', method: 'GET' };
    case '/endpoints':
      return { name: 'endpoints', method: 'GET' };
    case '/transitions':
      return { name: 'transitions', method: 'GET' };
    case '/metrics':
      return { name: 'metrics', method: 'GET' };
    default: {
      const match = /^\/endpoints\/([^/]+)$/.exec(path);
      return match === null ? undefined : { name: 'endpoint', method: 'GET', id: match[1] as string };
    }
  }
}
