import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { stringifyJson } from '@simfleet/core';
import type { FleetQueries } from '@simfleet/postgres';
import type { FleetTransition } from '@simfleet/stream';
import { bearerAuth } from '../bearerAuth.js';
import { sendError } from '../httpReply.js';
import type { IngestPipeline } from '../IngestPipeline.js';
import type { SseHub } from '../SseHub.js';
import type { EventTypeLookup } from './bodyEventTypes.js';
import { DashboardSessions } from './DashboardSessions.js';
import { dashboardAsset } from './dashboardAssets.js';
import { devicePage } from './devicePage.js';
import { parseEndpointQuery } from './endpointQuery.js';
import { CSV_HEADER, endpointCsvLine } from './endpointsCsv.js';
import { endpointsTablePage } from './endpointsTablePage.js';
import { type FleetReader, memoryReader, postgresReader } from './FleetReader.js';
import { FleetRows } from './FleetRows.js';
import { html } from './html.js';
import { DASHBOARD, page } from './layout.js';
import { overviewPage, RECENT_ROWS } from './overviewPage.js';
import { signInPage } from './signInPage.js';
import { TransitionRing } from './TransitionRing.js';

export interface DashboardOptions {
  /** The server's pipeline: its store, counters, inactivity flags and transitions. */
  readonly pipeline: Pick<IngestPipeline, 'store' | 'counters' | 'eventTime' | 'staleCount' | 'isStale' | 'transitions$'>;
  /** The server's transition stream: live pages subscribe to it. */
  readonly hub: SseHub<FleetTransition>;
  /** The API's bearer token: accepted in the Authorization header, and by the sign-in form. */
  readonly token: string;
  /** How many recent transitions to keep for the chart and timelines (default 50 000). */
  readonly historySize?: number;
  /** Browser sign-ins (default: in memory, 12 hours). */
  readonly sessions?: DashboardSessions;
  /**
   * Read the pages from these PostgreSQL tables instead of the live store (`serve --pg`):
   * `settled` resolves once the tables hold what was ingested so far (or after a bounded wait).
   */
  readonly postgres?: { readonly queries: FleetQueries; readonly settled?: () => Promise<void> };
}

/**
 * Answers a request if it is the dashboard's (then resolves true), else leaves it alone
 * (resolves false) for the API's routes.
 */
export type DashboardHandler = (req: IncomingMessage, res: ServerResponse, url: URL, path: string) => Promise<boolean>;

/** The dashboard as the server holds it: its request handler, and a hook around each ingest. */
export interface Dashboard extends DashboardHandler {
  /**
   * Runs `apply` (the pipeline's synchronous ingest of a batch) with the batch's event types
   * at hand (`bodyEventTypes`): the transitions it emits are kept with their event's catalog
   * type, which the transition stream does not carry.
   */
  ingesting<R>(types: EventTypeLookup, apply: () => R): R;
}

/** Headers of every dashboard page: no caching of fleet data, only our own scripts and styles. */
const PAGE_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};

const FORM_LIMIT = 4096;

/**
 * The fleet dashboard on the server's routes: `GET /` (overview), `/dashboard/endpoints`
 * (table; `.csv` for the export), `/dashboard/endpoints/:id` (device page),
 * `/dashboard/live` (the transition stream for signed-in pages), sign-in and sign-out, and
 * `/dashboard/assets/*`. Every page accepts the API's bearer token in the Authorization
 * header or a session cookie from the sign-in form; the API's own routes are not touched
 * (they keep requiring the header). It starts keeping recent transitions as it is mounted.
 *
 * @example
 * const dashboard = mountDashboard({ pipeline, hub, token });
 * // in the request handler, before the API's routes:
 * if (await dashboard(req, res, url, path)) return;
 * // each ingest, so the timelines can name each change's event type:
 * const result = dashboard.ingesting(bodyEventTypes(body), () => pipeline.ingestBody(body, onChange));
 */
export function mountDashboard(options: DashboardOptions): Dashboard {
  const { pipeline, hub } = options;
  const bearer = bearerAuth(options.token);
  const expected = createHash('sha256').update(options.token, 'utf8').digest();
  const tokenMatches = (text: string): boolean => timingSafeEqual(createHash('sha256').update(text, 'utf8').digest(), expected);
  const sessions = options.sessions ?? new DashboardSessions();
  const ring = new TransitionRing(options.historySize ?? 50_000);
  // The event types of the batch being ingested (unset between batches).
  let typeOf: EventTypeLookup | undefined;
  pipeline.transitions$.subscribe((t) => ring.push(t, typeOf?.(t.eventId)));
  const ingesting = <R>(types: EventTypeLookup, apply: () => R): R => {
    typeOf = types;
    try {
      return apply();
    } finally {
      typeOf = undefined;
    }
  };
  // Any applied event or re-fold changes some row: the cache is good until either moves.
  const rows = new FleetRows(pipeline.store, () => pipeline.counters.applied + pipeline.counters.refolded);
  const reader: FleetReader =
    options.postgres === undefined
      ? memoryReader({ store: pipeline.store, eventTime: () => pipeline.eventTime, rows, ring })
      : postgresReader(options.postgres.queries, options.postgres.settled === undefined ? {} : { settled: options.postgres.settled });
  const eventTypeOf = (eventId: bigint): number | undefined => ring.eventTypeOf(eventId);

  const sendPage = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': String(Buffer.byteLength(body)), ...PAGE_HEADERS, ...headers });
    res.end(body);
  };
  const problemPage = (res: ServerResponse, status: number, title: string, message: string): void =>
    sendPage(
      res,
      status,
      page(
        { title, signedIn: true },
        html`<h1>${title}</h1><p role="alert">${message}</p><p><a href="${DASHBOARD}/endpoints">All endpoints</a> · <a href="/">Overview</a></p>`,
      ),
    );

  const refuse = (req: IncomingMessage, res: ServerResponse, url: URL): void => {
    const accept = req.headers.accept ?? '';
    if ((req.method === 'GET' || req.method === 'HEAD') && accept.includes('text/html')) {
      // A browser without a session goes to the form, and comes back where it was going.
      const next = `${url.pathname}${url.search}`;
      res.writeHead(303, { location: `${DASHBOARD}/sign-in?next=${encodeURIComponent(next)}`, 'cache-control': 'no-store' });
      res.end();
      return;
    }
    sendError(res, 401, 'unauthorized', 'send Authorization: Bearer <token> or sign in at /dashboard/sign-in', {
      'www-authenticate': 'Bearer realm="simfleet"',
    });
  };

  const overview = async (res: ServerResponse): Promise<void> => {
    const [summary, eventTime, chart, recent] = await Promise.all([reader.counts(), reader.eventTime(), reader.chart(), reader.recent(RECENT_ROWS)]);
    sendPage(
      res,
      200,
      overviewPage({ summary, eventTime, stale: pipeline.staleCount, chart, recent, eventTypeOf, source: reader.source, noRecent: reader.noRecent }),
    );
    // Someone is looking: read the table's rows now, after the reply, so the first click
    // into the table does not wait for them (0.2-0.6 s at 100k endpoints).
    if (options.postgres === undefined) setImmediate(() => rows.current());
  };

  const endpoints = async (res: ServerResponse, url: URL, csv: boolean): Promise<void> => {
    const parsed = parseEndpointQuery(url.searchParams);
    if (!parsed.ok) {
      problemPage(res, 400, 'Bad filter', parsed.message);
      return;
    }
    const isStale = (id: number): boolean => pipeline.isStale(id);
    if (csv) {
      const batches = reader.matching(parsed.query)[Symbol.asyncIterator]();
      // The first batch before the headers: a failing read still gets its error status.
      let next = await batches.next();
      res.writeHead(200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': 'attachment; filename="simfleet-endpoints.csv"',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      });
      // In chunks of a few thousand lines: one string for 100k rows would be tens of MiB.
      let chunk = CSV_HEADER;
      try {
        while (next.done !== true) {
          for (const state of next.value) {
            chunk += endpointCsvLine(state, isStale(state.endpointId));
            if (chunk.length > 1 << 20) {
              if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
              chunk = '';
            }
          }
          next = await batches.next();
        }
      } catch (error) {
        // Half a file must not pass for the whole set: the download fails instead.
        res.destroy(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      res.end(chunk);
      return;
    }
    const [selection, summary] = await Promise.all([reader.page(parsed.query), reader.counts()]);
    sendPage(res, 200, endpointsTablePage({ query: parsed.query, selection, summary, isStale, source: reader.source }));
  };

  const device = async (res: ServerResponse, idText: string): Promise<void> => {
    const id = Number(idText);
    if (!/^\d{1,16}$/.test(idText) || !Number.isSafeInteger(id)) {
      problemPage(res, 400, 'Bad endpoint id', `an endpoint id is a non-negative integer, got ${idText}`);
      return;
    }
    const [state, history, eventTime] = await Promise.all([reader.endpoint(id), reader.history(id), reader.eventTime()]);
    if (state === undefined) {
      problemPage(res, 404, 'Unknown endpoint', `no event has been seen for endpoint ${id}`);
      return;
    }
    sendPage(
      res,
      200,
      devicePage({
        state,
        stale: pipeline.isStale(id),
        transitions: history.transitions,
        eventTime,
        historyCut: history.cut,
        eventTypeOf,
        source: reader.source,
      }),
    );
  };

  const live = (res: ServerResponse, url: URL): void => {
    const endpointText = url.searchParams.get('endpoint');
    if (endpointText !== null && !/^\d{1,16}$/.test(endpointText)) {
      sendError(res, 400, 'invalid_endpoint', `endpoint must be an integer id, got ${endpointText}`);
      return;
    }
    const endpoint = endpointText === null ? null : Number(endpointText);
    // A page that falls behind gets the summary instead of the transitions it missed.
    hub.attach(res, {
      ...(endpoint === null ? {} : { accept: (t: FleetTransition) => t.endpointId === endpoint }),
      resync: () => stringifyJson({ reason: 'fell_behind', summary: { ...pipeline.store.summary() } }),
    });
  };

  const signIn = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    if (req.method !== 'POST') {
      sendPage(res, 200, signInPage({ next: safeNext(url.searchParams.get('next')), error: null, signedOut: url.searchParams.has('signed-out') }));
      return;
    }
    const form = await readForm(req);
    if (form === undefined) {
      sendPage(res, 413, signInPage({ next: '/', error: 'The form was too large.' }), { connection: 'close' });
      return;
    }
    const next = safeNext(form.get('next'));
    const token = form.get('token') ?? '';
    if (token === '' || !tokenMatches(token)) {
      sendPage(res, 401, signInPage({ next, error: 'That is not this server’s API token.' }));
      return;
    }
    res.writeHead(303, { location: next, 'set-cookie': sessions.cookie(req, sessions.create()), 'cache-control': 'no-store' });
    res.end();
  };

  const signOut = (req: IncomingMessage, res: ServerResponse): void => {
    sessions.end(req);
    res.writeHead(303, { location: `${DASHBOARD}/sign-in?signed-out`, 'set-cookie': sessions.clearCookie(req), 'cache-control': 'no-store' });
    res.end();
  };

  const handle: DashboardHandler = async (req, res, url, path) => {
    const route = dashboardRoute(path);
    if (route === undefined) return false;
    const method = req.method ?? 'GET';
    // Credentials first: without them a client learns nothing of the routes (no 404 or 405
    // for it), as on the API. Public are only the sign-in form, the assets (no fleet data in
    // them) and POST sign-out (clearing a session needs none: an expired one still signs out).
    const isPublic = route.name === 'sign-in' || route.name === 'asset' || (route.name === 'sign-out' && method === 'POST');
    if (!isPublic && !bearer(req) && !sessions.valid(req)) {
      refuse(req, res, url);
      return true;
    }
    const allowed = route.name === 'sign-in' ? ['GET', 'HEAD', 'POST'] : route.name === 'sign-out' ? ['POST'] : ['GET', 'HEAD'];
    if (!allowed.includes(method)) {
      sendError(res, 405, 'method_not_allowed', `${path} accepts ${allowed.join(', ')}`, { allow: allowed.join(', ') });
      return true;
    }
    if (route.name === 'asset') {
      const asset = dashboardAsset(route.file);
      if (asset === undefined) {
        sendError(res, 404, 'not_found', `no dashboard asset ${route.file}`);
        return true;
      }
      const { body, type } = await asset;
      res.writeHead(200, {
        'content-type': type,
        'content-length': String(body.length),
        'cache-control': 'public, max-age=3600',
        'x-content-type-options': 'nosniff',
      });
      res.end(body);
      return true;
    }
    if (route.name === 'sign-in') {
      await signIn(req, res, url);
      return true;
    }
    if (route.name === 'sign-out') {
      signOut(req, res);
      return true;
    }
    try {
      switch (route.name) {
        case 'overview':
          await overview(res);
          break;
        case 'endpoints':
          await endpoints(res, url, false);
          break;
        case 'csv':
          await endpoints(res, url, true);
          break;
        case 'device':
          await device(res, route.id);
          break;
        case 'live':
          live(res, url);
          break;
      }
    } catch (error) {
      // The tables cannot be read (server down, statement timeout): say so, in one line.
      if (!(error instanceof Error && error.name === 'PgFleetError') || res.headersSent) throw error;
      problemPage(res, 503, 'PostgreSQL cannot be read', `${error.message}; the server keeps ingesting, and the page works again once the database answers`);
    }
    return true;
  };
  return Object.assign(handle, { ingesting });
}

type DashboardRoute =
  | { name: 'overview' | 'endpoints' | 'csv' | 'live' | 'sign-in' | 'sign-out' }
  | { name: 'device'; id: string }
  | { name: 'asset'; file: string };

function dashboardRoute(path: string): DashboardRoute | undefined {
  switch (path) {
    case '/':
      return { name: 'overview' };
    case `${DASHBOARD}/endpoints`:
      return { name: 'endpoints' };
    case `${DASHBOARD}/endpoints.csv`:
      return { name: 'csv' };
    case `${DASHBOARD}/live`:
      return { name: 'live' };
    case `${DASHBOARD}/sign-in`:
      return { name: 'sign-in' };
    case `${DASHBOARD}/sign-out`:
      return { name: 'sign-out' };
  }
  const device = /^\/dashboard\/endpoints\/([^/]+)$/.exec(path);
  if (device !== null) return { name: 'device', id: device[1] as string };
  const asset = /^\/dashboard\/assets\/([A-Za-z0-9.]+)$/.exec(path);
  if (asset !== null) return { name: 'asset', file: asset[1] as string };
  return undefined;
}

/** Where to go after signing in: a path on this server only (no `//host`, no scheme). */
function safeNext(next: string | null | undefined): string {
  if (next === null || next === undefined || !next.startsWith('/') || next.startsWith('//') || next.includes('\\')) return '/';
  return next;
}

/** A small `application/x-www-form-urlencoded` body, or undefined when it is too large. */
async function readForm(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > FORM_LIMIT) return undefined;
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
