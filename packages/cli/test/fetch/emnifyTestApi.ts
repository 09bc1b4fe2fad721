/**
 * A local stand-in for emnify's REST Event API, as its documentation describes it, for
 * the fetch tests: `POST /api/v1/authenticate` (application token in, JWT with `iat`/`exp`
 * out, 401 for a wrong token), `GET /api/v1/event` and `/api/v1/endpoint/{id}/event`
 * (newest first, `page`, `per_page` capped by the server, `q=from:…,until:…,type:…`,
 * `Link` first/prev/next/last, `X-Total-Count`, `X-Total-Pages`, `X-Current-Page`,
 * `X-Count-Per-Page`), 401 for a missing, unknown or expired token, and the documented
 * rate limits answered with 429 + `Retry-After`. Tests add events while a client pages
 * (they appear at the front) and script faults for chosen requests: 429, 5xx, a
 * malformed body, a body cut off mid-way, a revoked token, a 4xx.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const APP_TOKEN = 'app-token-for-tests';

/** One stored event: its id, time and JSON text. */
export interface StoredEvent {
  readonly id: bigint;
  readonly timestamp: number;
  readonly endpointId: number | null;
  readonly typeId: number | null;
  readonly text: string;
}

/** What one request looked like and how it was answered. */
export interface LoggedRequest {
  readonly method: string;
  readonly path: string;
  readonly params: URLSearchParams;
  readonly authorization: string | undefined;
  /** `Date.now()` when it arrived. */
  readonly at: number;
  status: number;
  /** Set for scripted faults and rate-limit answers. */
  fault?: string;
}

export type FaultKind =
  | 'http429'
  | 'http500'
  | 'http502'
  | 'http503'
  | 'http422'
  | 'malformedHtml'
  | 'malformedJson'
  | 'notAnArray'
  | 'truncated'
  | 'revokeTokens'
  | 'dropConnection'
  | 'stall';

/** A fault answered instead of the normal page for requests `match` picks. */
export interface Fault {
  readonly kind: FaultKind;
  /** Which requests (to the event list unless it says otherwise) get it; `times` of them. */
  readonly match: (request: LoggedRequest, eventRequestNumber: number) => boolean;
  times: number;
  /** For 429: the Retry-After header value (seconds). */
  readonly retryAfter?: string;
}

export interface TestApiOptions {
  /** Largest page the server hands out, whatever `per_page` asks (default 10). */
  readonly perPageCap?: number;
  /** `per_page` when the client sends none (default 10). */
  readonly defaultPerPage?: number;
  /** JWT lifetime in seconds (default 3600). */
  readonly tokenTtlSeconds?: number;
  /** Pretty-print pages (line breaks inside elements). */
  readonly pretty?: boolean;
  /** Called before each event-list request is answered (e.g. to add events at the front). */
  readonly beforeEventRequest?: (api: EmnifyTestApi, eventRequestNumber: number) => void;
  /** Documented limits (defaults as emnify's docs: 10/s burst 5, 2,000 per 5 min, 100 authentications per 5 min). */
  readonly limits?: {
    readonly eventsPerSecond: number;
    readonly eventsBurst: number;
    readonly perIp: number;
    readonly authenticate: number;
    readonly windowMs: number;
  };
}

const SECRET = 'test-api-signing-key';

/** Events of a generated NDJSON log, with their ids and times read from the text. */
export function storedEvents(lines: readonly string[]): StoredEvent[] {
  return lines.map((text) => {
    const id = /,"id":(\d+),"event_type"/.exec(text)?.[1] ?? /"id":(\d+)/.exec(text)?.[1];
    const timestamp = /"timestamp":"([^"]+)"/.exec(text)?.[1];
    if (id === undefined || timestamp === undefined) throw new Error(`not an event line: ${text.slice(0, 80)}`);
    const endpoint = /"endpoint":\{"id":(\d+)/.exec(text)?.[1];
    const type = /"event_type":\{"id":(\d+)/.exec(text)?.[1];
    return {
      id: BigInt(id),
      timestamp: Date.parse(timestamp),
      endpointId: endpoint === undefined ? null : Number(endpoint),
      typeId: type === undefined ? null : Number(type),
      text,
    };
  });
}

/**
 * The test API server on 127.0.0.1 and a free port.
 *
 * @example
 * const api = await EmnifyTestApi.start({ perPageCap: 10 }); api.add(events); … await api.close();
 */
export class EmnifyTestApi {
  readonly requests: LoggedRequest[] = [];
  readonly faults: Fault[] = [];
  /** Newest first: (timestamp, id) descending. */
  #events: StoredEvent[] = [];
  readonly #tokens = new Map<string, number>();
  readonly #options: TestApiOptions;
  #server!: Server;
  #eventRequests = 0;
  #bucket: { tokens: number; at: number };
  readonly #windows = { all: [] as number[], auth: [] as number[] };
  url = '';
  /** 429s the documented rate limits caused (not scripted ones). */
  limitAnswers = 0;
  authentications = 0;

  private constructor(options: TestApiOptions) {
    this.#options = options;
    this.#bucket = { tokens: this.#limits.eventsBurst, at: Date.now() };
  }

  static async start(options: TestApiOptions = {}): Promise<EmnifyTestApi> {
    const api = new EmnifyTestApi(options);
    api.#server = createServer((req, res) => {
      api.#handle(req, res).catch((error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      });
    });
    await new Promise<void>((resolve) => api.#server.listen(0, '127.0.0.1', resolve));
    api.url = `http://127.0.0.1:${(api.#server.address() as AddressInfo).port}`;
    return api;
  }

  get #limits(): NonNullable<TestApiOptions['limits']> {
    return this.#options.limits ?? { eventsPerSecond: 10, eventsBurst: 5, perIp: 2000, authenticate: 100, windowMs: 5 * 60_000 };
  }

  /** Events the server holds, newest first. */
  get events(): readonly StoredEvent[] {
    return this.#events;
  }

  /** Adds events (newer ones land at the front of the list, as on the real API). */
  add(events: readonly StoredEvent[]): void {
    this.#events = [...this.#events, ...events].sort((a, b) => b.timestamp - a.timestamp || (b.id > a.id ? 1 : b.id < a.id ? -1 : 0));
  }

  /** Answers the next `times` matching event-list requests with `kind`. */
  fault(kind: FaultKind, match: Fault['match'], times = 1, retryAfter?: string): void {
    this.faults.push({ kind, match, times, ...(retryAfter === undefined ? {} : { retryAfter }) });
  }

  /** Requests to the event list, in arrival order. */
  get eventRequests(): LoggedRequest[] {
    return this.requests.filter((r) => r.path.endsWith('/event'));
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const logged: LoggedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      params: url.searchParams,
      authorization: req.headers.authorization,
      at: Date.now(),
      status: 0,
    };
    this.requests.push(logged);
    const body = await readAll(req);
    const reply = (status: number, payload: string, headers: Record<string, string> = {}): void => {
      logged.status = status;
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(payload);
    };
    if (this.#overWindow(this.#windows.all, this.#limits.perIp)) {
      this.limitAnswers += 1;
      logged.fault = 'limit';
      reply(429, '{"error":"too many requests"}', { 'retry-after': '1' });
      return;
    }
    if (req.method === 'POST' && url.pathname === '/api/v1/authenticate') {
      if (this.#overWindow(this.#windows.auth, this.#limits.authenticate)) {
        this.limitAnswers += 1;
        logged.fault = 'limit';
        reply(429, '{"error":"too many authentications"}', { 'retry-after': '1' });
        return;
      }
      let token: unknown;
      try {
        token = (JSON.parse(body) as { application_token?: unknown }).application_token;
      } catch {
        reply(400, '{"error":"invalid JSON"}');
        return;
      }
      if (token !== APP_TOKEN) {
        reply(401, '{"error_code":1001,"error_token":"invalid application token"}');
        return;
      }
      this.authentications += 1;
      reply(200, JSON.stringify({ auth_token: this.#issue() }));
      return;
    }
    const route = /^\/api\/v1\/(?:endpoint\/(\d+)\/)?event$/.exec(url.pathname);
    if (req.method !== 'GET' || route === null) {
      reply(404, '{"error":"not found"}');
      return;
    }
    const jwt = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const expiresAt = jwt === undefined ? undefined : this.#tokens.get(jwt);
    if (expiresAt === undefined || Date.now() >= expiresAt) {
      reply(401, '{"error":"invalid or expired token"}');
      return;
    }
    if (!this.#takeBucket()) {
      this.limitAnswers += 1;
      logged.fault = 'limit';
      reply(429, '{"error":"too many requests"}', { 'retry-after': '1' });
      return;
    }
    this.#eventRequests += 1;
    const number = this.#eventRequests;
    this.#options.beforeEventRequest?.(this, number);
    const fault = this.faults.find((f) => f.times > 0 && f.match(logged, number));
    if (fault !== undefined) {
      fault.times -= 1;
      logged.fault = fault.kind;
      if (this.#answerFault(fault, res, reply)) return;
    }
    this.#answerPage(url, route[1] ?? null, res, logged);
  }

  /** Answers a scripted fault; false when the request then goes on normally (revoked tokens). */
  #answerFault(fault: Fault, res: ServerResponse, reply: (status: number, payload: string, headers?: Record<string, string>) => void): boolean {
    switch (fault.kind) {
      case 'http429':
        reply(429, '{"error":"too many requests"}', fault.retryAfter === undefined ? {} : { 'retry-after': fault.retryAfter });
        return true;
      case 'http500':
      case 'http502':
      case 'http503':
        reply(Number(fault.kind.slice(4)), '<html><body>upstream error</body></html>', { 'content-type': 'text/html' });
        return true;
      case 'http422':
        reply(422, '{"error_code":422,"error_token":"invalid filter","message":"q: unknown filter"}');
        return true;
      case 'malformedHtml':
        reply(200, '<html><body>Service temporarily unavailable</body></html>', { 'content-type': 'text/html' });
        return true;
      case 'malformedJson':
        reply(200, '[{"id": 1, "timestamp": "2021-10-27T00:00:00.000Z"},');
        return true;
      case 'notAnArray':
        reply(200, '{"error":"maintenance"}');
        return true;
      case 'truncated': {
        // A Content-Length for the whole page, half of it sent, then the connection closes.
        const payload = JSON.stringify(this.#events.slice(0, 5).map((e) => JSON.parse(e.text) as unknown));
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) });
        res.write(payload.slice(0, Math.floor(payload.length / 2)));
        setTimeout(() => res.destroy(), 10);
        return true;
      }
      case 'dropConnection':
        res.socket?.destroy();
        return true;
      case 'stall':
        // Headers and part of a body, then nothing: the connection stays open.
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('[');
        return true;
      case 'revokeTokens':
        this.#tokens.clear();
        reply(401, '{"error":"invalid or expired token"}');
        return true;
    }
  }

  #answerPage(url: URL, endpoint: string | null, res: ServerResponse, logged: LoggedRequest): void {
    const params = url.searchParams;
    const filter = parseQ(params.get('q'));
    if (filter === null) {
      logged.status = 422;
      res.writeHead(422, { 'content-type': 'application/json' });
      res.end('{"error":"invalid q"}');
      return;
    }
    const matching = this.#events.filter(
      (e) =>
        (endpoint === null || e.endpointId === Number(endpoint)) &&
        (filter.from === null || e.timestamp >= filter.from) &&
        (filter.until === null || e.timestamp <= filter.until) &&
        (filter.types.length === 0 || (e.typeId !== null && filter.types.includes(e.typeId))),
    );
    const cap = this.#options.perPageCap ?? 10;
    const perPage = Math.min(cap, Math.max(1, Number(params.get('per_page') ?? this.#options.defaultPerPage ?? 10) || 10));
    const page = Math.max(1, Number(params.get('page') ?? '1') || 1);
    const totalPages = Math.max(1, Math.ceil(matching.length / perPage));
    const slice = matching.slice((page - 1) * perPage, page * perPage);
    const link = (n: number): string => {
      const target = new URL(url.href);
      target.searchParams.set('page', String(n));
      target.searchParams.set('per_page', String(perPage));
      return `${target.pathname}${target.search}`;
    };
    const links = [`<${link(1)}>; rel="first"`];
    if (page > 1) links.push(`<${link(page - 1)}>; rel="prev"`);
    if (page < totalPages) links.push(`<${link(page + 1)}>; rel="next"`);
    links.push(`<${link(totalPages)}>; rel="last"`);
    const texts = slice.map((e) => (this.#options.pretty === true ? prettyText(e.text) : e.text));
    const payload = this.#options.pretty === true ? `[\n${texts.join(',\n')}\n]` : `[${texts.join(',')}]`;
    logged.status = 200;
    res.writeHead(200, {
      'content-type': 'application/json',
      link: links.join(', '),
      'x-total-count': String(matching.length),
      'x-total-pages': String(totalPages),
      'x-current-page': String(page),
      'x-count-per-page': String(perPage),
    });
    res.end(payload);
  }

  #issue(): string {
    const now = Date.now();
    const iat = Math.floor(now / 1000);
    const ttl = this.#options.tokenTtlSeconds ?? 3600;
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify({ sub: 'test', iat, exp: iat + ttl, jti: this.authentications })).toString('base64url');
    const signature = createHmac('sha256', SECRET).update(`${header}.${payload}`).digest('base64url');
    const jwt = `${header}.${payload}.${signature}`;
    this.#tokens.set(jwt, (iat + ttl) * 1000);
    return jwt;
  }

  #takeBucket(): boolean {
    const now = Date.now();
    const { eventsPerSecond, eventsBurst } = this.#limits;
    this.#bucket.tokens = Math.min(eventsBurst, this.#bucket.tokens + ((now - this.#bucket.at) * eventsPerSecond) / 1000);
    this.#bucket.at = now;
    if (this.#bucket.tokens < 1) return false;
    this.#bucket.tokens -= 1;
    return true;
  }

  #overWindow(window: number[], limit: number): boolean {
    const now = Date.now();
    while (window.length > 0 && (window[0] as number) <= now - this.#limits.windowMs) window.shift();
    if (window.length >= limit) return true;
    window.push(now);
    return false;
  }
}

/** `q=from:…,until:…,type:…` (one `type:` term per id); `null` when unreadable. */
function parseQ(q: string | null): { from: number | null; until: number | null; types: number[] } | null {
  const filter = { from: null as number | null, until: null as number | null, types: [] as number[] };
  if (q === null || q === '') return filter;
  for (const term of q.split(',')) {
    const colon = term.indexOf(':');
    if (colon === -1) return null;
    const key = term.slice(0, colon);
    const value = term.slice(colon + 1);
    if (key === 'from' || key === 'until') {
      const ms = Date.parse(value);
      if (Number.isNaN(ms)) return null;
      filter[key] = ms;
    } else if (key === 'type' && /^\d+$/.test(value)) filter.types.push(Number(value));
    else return null;
  }
  return filter;
}

/** Line breaks and indentation between tokens, from the text itself (a parse would round big ids). */
function prettyText(text: string): string {
  let out = '  ';
  let depth = 1;
  let inString = false;
  let escaped = false;
  for (const char of text) {
    if (inString) {
      out += char;
      if (escaped) escaped = false;
      else if (char === '\\') escaped = true;
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') inString = true;
    if (char === '}' || char === ']') {
      depth -= 1;
      out += `\n${'  '.repeat(depth)}${char}`;
    } else if (char === '{' || char === '[') {
      depth += 1;
      out += `${char}\n${'  '.repeat(depth)}`;
    } else if (char === ',') out += `,\n${'  '.repeat(depth)}`;
    else if (char === ':') out += ': ';
    else out += char;
  }
  return out;
}

function readAll(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
