import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type EmnifyEvent, ENDPOINT_STATUSES, formatTimestamp, type JsonValue, stringifyJson } from '@simfleet/core';
import {
  DEFAULT_MAX_CLOCK_SKEW_MS,
  DEFAULT_REORDER_HORIZON_MS,
  JournalError,
  LIVE_REJECTED,
  type LiveBatchResult,
  type LiveFleet,
  type LiveTransition,
  snapshotChunks,
} from '@simfleet/engine';
import type { FleetQueries } from '@simfleet/postgres';
import type { FleetTransition, InactivityRule } from '@simfleet/stream';
import { type BodyRows, RowBufferPool } from './BodyRows.js';
import { bearerAuth } from './bearerAuth.js';
import { bodyEventTypes } from './dashboard/bodyEventTypes.js';
import { writerSettled } from './dashboard/FleetReader.js';
import { mountDashboard } from './dashboard/mountDashboard.js';
import { endpointsPage } from './endpointsPage.js';
import { sendError, sendJson } from './httpReply.js';
import { IngestPipeline } from './IngestPipeline.js';
import { ServeMetrics } from './metrics.js';
import { decodeBodyRows } from './parseEventsBody.js';
import { idParam, listParam, ROUTE_PARAMS, TRANSITION_REGIONS, unknownParams } from './queryParams.js';
import { readBody } from './readBody.js';
import { ingestReply, mergeRejects } from './rejectReply.js';
import type { ServeLogger } from './requestLog.js';
import { SseHub } from './SseHub.js';
import { applyServerLimits, httpServerOptions, type ServerLimits, serverLimits } from './serverLimits.js';
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
  /**
   * Event time (ms) a late event may be behind its device's newest event and still be
   * placed exactly (default 24 h); older ones are reported `too_late` (and journaled).
   */
  readonly reorderHorizonMs?: number;
  /** How far (ms) a record may be dated after this machine's clock (default 5 minutes); later ones are refused `future_timestamp`. */
  readonly maxClockSkewMs?: number;
  /** The receiving clock (tests; default `Date.now`). */
  readonly now?: () => number;
  /** Mark connected devices stale after a silence (event time). */
  readonly inactivity?: InactivityRule;
  /** An SSE client with more than this many bytes waiting is behind: it gets a `resync` event when it drains (default 4 MiB). */
  readonly maxSseBufferBytes?: number;
  /** Header, request, keep-alive and idle timeouts and the connection cap (`serverLimits` defaults). */
  readonly limits?: Partial<ServerLimits>;
  /** Reasons listed in full in a 400 reply to `POST /events` (default 100; all are counted). */
  readonly maxListedRejects?: number;
  /** SSE heartbeat comment interval, ms (default 15 000). */
  readonly heartbeatMs?: number;
  /**
   * Start from this live fleet instead of an empty one (`liveFromCheckpoint`, what
   * `--from CHECKPOINT` does); live events continue it.
   */
  readonly live?: LiveFleet;
  /** Told every batch of records the engine took or judged (accepted, duplicates, too late): the checkpoint journal. */
  readonly onAccepted?: (events: readonly EmnifyEvent[]) => void;
  /**
   * Kept current after every POST's ingest (`serve --pg`: the PostgreSQL tables); its
   * status shows under its name in `/healthz` and `/fleet/summary`, and while it is
   * `refusing`, `POST /events` answers 503.
   */
  readonly sink?: IngestSink;
  /**
   * `serve --pg`: the dashboard reads its pages from these tables (the ones `sink` keeps
   * current; each read waits, briefly, for the sink's pending write). The caller closes it.
   */
  readonly dashboardQueries?: FleetQueries;
  /**
   * Write-ahead (`--data-dir`): given a request's decoded records and the ingest to run, makes
   * the records durable first and then runs it (`DataDir.writeAheadBody`). A rejection (a
   * `JournalError`: disk full, read-only…) answers 503 with `Retry-After`, nothing applied.
   */
  readonly writeAhead?: <R>(body: BodyRows, apply: () => R) => Promise<R>;
  /** What `writeAhead` makes records durable in, as the 503 names it (default 'the journal'; 'JetStream' under `--nats`). */
  readonly writeAheadStore?: string;
  /** What `/healthz` adds to its reply (the journal's state); `ok: false` answers 503. */
  readonly health?: () => { readonly ok: boolean } & Record<string, unknown>;
  /** Where to report pipeline failures (default: stderr). */
  readonly log?: (message: string) => void;
  /** Structured request and lifecycle log (requestLog.ts); none when absent. */
  readonly logger?: ServeLogger;
}

/** What a sink kept current by the server needs (`ServePostgres`). */
export interface IngestSink {
  readonly name: string;
  /** Why `POST /events` should be refused now (a backlog full), or undefined. */
  readonly refusing: string | undefined;
  ingested(batch: {
    fleet: LiveFleet['fleet'];
    events: readonly EmnifyEvent[];
    transitions: readonly LiveTransition[];
    account: ReturnType<LiveFleet['account']>;
  }): void;
  status(): object;
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
 * per-record reasons), `GET /fleet/summary`, `GET /fleet/snapshot`, `GET /endpoints/:id`,
 * `GET /endpoints?status=OFFLINE&q=TEXT&limit=…&cursor=…`, `GET /transitions` (SSE) and
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
  const limits = serverLimits(options.limits);
  const maxListed = options.maxListedRejects ?? 100;
  const pipeline = new IngestPipeline({
    reorderHorizonMs: options.reorderHorizonMs ?? DEFAULT_REORDER_HORIZON_MS,
    maxClockSkewMs: options.maxClockSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_MS,
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.inactivity === undefined ? {} : { inactivity: options.inactivity }),
    ...(options.live === undefined ? {} : { live: options.live }),
  });
  const hub = new SseHub<FleetTransition | LiveTransition>({
    maxBufferedBytes: options.maxSseBufferBytes ?? 4 * 1024 * 1024,
    heartbeatMs: options.heartbeatMs ?? 15_000,
    serialize: (t) => stringifyJson(transitionJson(t)),
  });
  pipeline.transitions$.subscribe((t) => hub.publish(t));
  /** Row buffers of bodies being decoded, reused from request to request. */
  const rowBuffers = new RowBufferPool(pipeline.store);
  const pgReads =
    options.dashboardQueries === undefined
      ? {}
      : {
          postgres: {
            queries: options.dashboardQueries,
            ...(options.sink === undefined ? {} : { settled: writerSettled(() => (options.sink as IngestSink).status()) }),
          },
        };
  const dashboard = mountDashboard({ pipeline, hub, token: options.token, ...pgReads });
  const metrics = new ServeMetrics({
    counters: () => pipeline.counters,
    sseClients: () => hub.size,
    endpointsByStatus: () => pipeline.store.summary().byStatus,
  });
  const logger = options.logger;

  /** Whether the newest write-ahead failed (logged once per failing spell, not once per request). */
  let journalFailing = false;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    const method = req.method ?? 'GET';
    if (logger !== undefined) {
      const started = performance.now();
      res.once('close', () => logger.request({ method, path, status: res.statusCode, ms: performance.now() - started }));
    }
    if (path === '/healthz') {
      const health = { ...(options.health?.() ?? { ok: true }), ...(options.sink === undefined ? {} : { [options.sink.name]: options.sink.status() }) };
      // Plain data (strings, numbers, nested objects): JSON as it is.
      sendJson(res, health.ok ? 200 : 503, health as unknown as JsonValue);
      return;
    }
    if (await dashboard(req, res, url, path)) return;
    // The dashboard answers its own routes (sign-in is public); for the API, authentication comes
    // first: an unauthenticated client learns nothing of the routes (no 404 / 405 for it).
    if (!authorized(req)) {
      sendError(res, 401, 'unauthorized', 'send Authorization: Bearer <token>', { 'www-authenticate': 'Bearer realm="simfleet"' });
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
          reorderHorizonMs: pipeline.live.reorderHorizonMs,
          retainedEvents: pipeline.live.retainedEvents,
          pipeline: { ...pipeline.counters },
          transitionStreams: { clients: hub.size, dropped: hub.dropped, resyncs: hub.resyncs },
          ...(options.sink === undefined ? {} : { [options.sink.name]: options.sink.status() }),
        });
      case 'endpoint':
        return getEndpoint(res, route.id);
      case 'endpoints':
        return listEndpoints(res, url.searchParams);
      case 'transitions':
        return streamTransitions(res, url.searchParams);
      case 'snapshot':
        return sendSnapshot(res);
      case 'metrics': {
        const { contentType, text } = await metrics.exposition();
        res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
        res.end(text);
        return;
      }
    }
  };

  /** The live state as the replay snapshot (simfleet/snapshot@1): the same bytes `simfleet replay` writes for the records accepted. */
  const sendSnapshot = async (res: ServerResponse): Promise<void> => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    for (const chunk of snapshotChunks(pipeline.store, pipeline.live.account())) {
      if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
    }
    res.end();
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
    // Decoded once, into the engine's rows, in slices: a huge body never holds the event loop for more than a few ms at a time.
    const parsed = await decodeBodyRows(body.body, req.headers['content-type'], rowBuffers, { maxListedRejects: maxListed });
    try {
      await ingestBody(parsed, body.body.length, res, started);
    } finally {
      parsed.release();
    }
  };

  /** The decoded body through the journal (when durable) and the engine, then the reply. */
  const ingestBody = async (parsed: BodyRows, requestBytes: number, res: ServerResponse, started: number): Promise<void> => {
    if (pipeline.closed) {
      sendError(res, 503, 'shutting_down', 'the server is stopping; send again later', { 'retry-after': '5' });
      return;
    }
    const refusing = options.sink?.refusing;
    if (refusing !== undefined) {
      sendError(res, 503, 'backlog_full', refusing, { 'retry-after': '5' });
      return;
    }
    const changes: LiveTransition[] = [];
    const onChange = options.sink === undefined ? undefined : (t: LiveTransition): number => changes.push(t);
    let result: LiveBatchResult;
    // The dashboard is told each row's event type: the transitions name their event by it.
    const types = bodyEventTypes(parsed);
    if (options.writeAhead === undefined) result = dashboard.ingesting(types, () => pipeline.ingestBody(parsed, onChange));
    else {
      // Durable first, then applied: the live state never holds a record the journal lacks.
      const written = await options
        .writeAhead(parsed, () => (pipeline.closed ? null : dashboard.ingesting(types, () => pipeline.ingestBody(parsed, onChange))))
        .then(
          (r) => ({ ok: true as const, r }),
          (err: unknown) => ({ ok: false as const, err }),
        );
      if (!written.ok) {
        const err = written.err;
        if (!(err instanceof JournalError)) throw err;
        if (!journalFailing) log(`simfleet serve: POST /events answered 503, nothing acknowledged: ${err.message}`);
        journalFailing = true;
        sendError(
          res,
          503,
          'storage_unavailable',
          `${options.writeAheadStore ?? 'the journal'} cannot take writes (${err.code}): nothing of this request was acknowledged; send it again later`,
          { 'retry-after': '5' },
        );
        return;
      }
      if (journalFailing) log(`simfleet serve: ${options.writeAheadStore ?? 'the journal'} takes writes again`);
      journalFailing = false;
      if (written.r === null) {
        // Durable but not applied here: the next start replays it (a copy sent again is a duplicate).
        sendError(res, 503, 'shutting_down', 'the server is stopping; send again later', { 'retry-after': '5' });
        return;
      }
      result = written.r;
    }
    if (options.onAccepted !== undefined || options.sink !== undefined) {
      // The journal keeps every record the engine judged (too late ones too: a replay of it is exact).
      // Event objects only here: the rows are batch records 0…n-1 (misfits after them are always refused).
      const kept = parsed.events().filter((_, i) => result.outcomes[i] !== LIVE_REJECTED);
      if (kept.length > 0 && options.onAccepted !== undefined) {
        options.onAccepted(kept);
        metrics.journaled(kept.length);
      }
      if (kept.length > 0) options.sink?.ingested({ fleet: pipeline.store, events: kept, transitions: changes, account: pipeline.live.account() });
    }
    pipeline.counters.rejected += parsed.rejectedRecords;
    const refused = result.rejected.map((r) => ({
      index: parsed.bodyIndex(r.index),
      line: null,
      column: null,
      code: r.code,
      path: '$.timestamp',
      message: r.reason,
    }));
    const tooLate = result.tooLate.map((t) => ({ index: parsed.bodyIndex(t.index), eventId: t.eventId, endpointId: t.endpointId, behindMs: t.behindMs }));
    if (tooLate.length > 0) {
      log(
        `simfleet serve: ${tooLate.length} event(s) too late to place (beyond the ${pipeline.live.reorderHorizonMs / 3_600_000} h reorder horizon), journaled, not applied: ${tooLate
          .slice(0, 5)
          .map((t) => `${t.eventId} of endpoint ${t.endpointId} (${Math.round(t.behindMs / 1000)} s behind)`)
          .join(', ')}${tooLate.length > 5 ? ', …' : ''}`,
      );
    }
    const merged = mergeRejects(parsed, refused);
    for (const [code, n] of Object.entries(merged.rejectsByCode)) metrics.rejected(code, n);
    metrics.ingestLatency((performance.now() - started) / 1000);
    const reply = ingestReply(
      {
        accepted: result.accepted,
        duplicates: result.duplicates,
        tooLate,
        ...merged,
      },
      requestBytes,
      maxListed,
    );
    sendJson(res, parsed.rejectCount + refused.length === 0 ? 202 : 400, reply);
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
    const text = (params.get('q') ?? '').trim();
    const page = endpointsPage(pipeline.store, { statuses, text, limit, after: cursor === null ? null : Number(cursor) });
    sendJson(res, 200, {
      items: page.items.map((state) => endpointViewJson({ ...state, stale: pipeline.isStale(state.endpointId) })),
      nextCursor: page.nextCursor,
    });
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
    const regions: ReadonlySet<string> = 'values' in region ? region.values : new Set<string>();
    const endpoint = 'value' in endpointId ? endpointId.value : null;
    const everything = regions.size === 0 && endpoint === null;
    hub.attach(res, {
      ...(everything
        ? {}
        : { accept: (t: FleetTransition) => (regions.size === 0 || regions.has(t.region)) && (endpoint === null || t.endpointId === endpoint) }),
      resync: () => stringifyJson(resyncJson(regions, endpoint)),
    });
  };

  /** What a `resync` event carries: the state of what the stream watches (the endpoint, or the summary). */
  const resyncJson = (regions: ReadonlySet<string>, endpoint: number | null) => {
    const state = endpoint === null ? undefined : pipeline.store.readEndpoint(endpoint);
    return {
      reason: 'fell_behind',
      eventTime: pipeline.eventTime === null ? null : formatTimestamp(pipeline.eventTime),
      ...(endpoint === null ? {} : { endpoint: state === undefined ? null : endpointViewJson({ ...state, stale: pipeline.isStale(endpoint) }) }),
      ...(regions.size === 0 ? {} : { regions: [...regions] }),
      summary: { ...pipeline.store.summary() },
    };
  };

  const server = createServer(httpServerOptions(limits), (req, res) => {
    handle(req, res).catch((err: unknown) => {
      log(`simfleet serve: ${req.method} ${req.url} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      if (!res.headersSent) sendError(res, 500, 'internal_error', 'the server failed on this request');
      else res.destroy();
    });
  });
  applyServerLimits(server, limits);
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
  | { name: 'snapshot'; method: 'GET' }
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
    case '/fleet/snapshot':
      return { name: 'snapshot', method: 'GET' };
    case '/metrics':
      return { name: 'metrics', method: 'GET' };
    default: {
      const match = /^\/endpoints\/([^/]+)$/.exec(path);
      return match === null ? undefined : { name: 'endpoint', method: 'GET', id: match[1] as string };
    }
  }
}
