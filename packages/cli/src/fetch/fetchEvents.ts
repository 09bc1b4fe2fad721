import type { Clock } from './clock.js';
import type { EventApiClient } from './EventApiClient.js';
import type { EventSink } from './EventSink.js';
import { FetchError } from './FetchError.js';
import type { Boundary, FetchProgressState, FetchQuery } from './FetchState.js';
import { eventQueryUrl } from './eventQueryUrl.js';
import { nextPageUrl } from './nextPageUrl.js';
import { type PageEvent, type SplitPage, splitPage } from './splitPage.js';

/** Running totals of one `fetchEvents` call. */
export interface FetchCounts {
  /** Pages read (each after its retries). */
  pages: number;
  /** Array elements received (every record, duplicates and rejects included). */
  received: number;
  /** New events handed to the sink. */
  delivered: number;
  /** Events seen before in this fetch (pages shift as events arrive) or at a saved boundary. */
  duplicates: number;
  /** Elements without a readable id or timestamp (each reported with its location). */
  rejected: number;
  /** Sweeps run (the first pass and every catch-up). */
  sweeps: number;
}

export interface FetchEventsOptions {
  readonly client: EventApiClient;
  readonly query: FetchQuery;
  readonly sink: EventSink;
  /** Where a previous run got to (`--state`), or `null` to start at `query.from`. */
  readonly state: FetchProgressState | null;
  /** Called with the new state after every delivered page (write it durably). */
  readonly saveState?: (state: FetchProgressState) => void;
  /** Poll again every `intervalMs` after catching up, until `signal` aborts (`--follow`). */
  readonly follow?: { readonly intervalMs: number };
  /** `per_page` asked for; the server may cap it (`X-Count-Per-Page`). */
  readonly perPage?: number;
  /**
   * `page` (default): each page's new events are delivered as read, newest first, and the
   * state saved after each page. `sweep`: a sweep's new events are held until it ends and
   * delivered oldest first, (timestamp, id) order, then the state is saved: for a sink that
   * places late events only within a bound (`simfleet serve`'s reorder horizon).
   */
  readonly deliverBy?: 'page' | 'sweep';
  /** Catch-up sweeps before a run without `follow` stops (the rest waits for the next run). */
  readonly maxSweeps?: number;
  readonly clock: Clock;
  readonly signal?: AbortSignal;
  /** After every page: the totals, and where the sweep is (`X-Current-Page` of `X-Total-Pages`). */
  readonly onPage?: (counts: Readonly<FetchCounts>, page: { readonly number: number; readonly totalPages: number | null }) => void;
  /** Each rejected element: the request that returned it, its 0-based index in the page, why, and its text. */
  readonly onReject?: (reject: { readonly request: string; readonly index: number; readonly reason: string; readonly raw: string }) => void;
}

/** How a fetch ended. */
export interface FetchOutcome {
  readonly counts: FetchCounts;
  readonly state: FetchProgressState;
  /** A sweep found nothing new (false: stopped after `maxSweeps` with events still arriving). */
  readonly caughtUp: boolean;
  /** Stopped by `signal` (follow mode's normal end; a cut-short run otherwise). */
  readonly interrupted: boolean;
}

const DEFAULT_PER_PAGE = 1000;
const DEFAULT_MAX_SWEEPS = 100;

/**
 * Fetches every event of `query` into `sink`, complete although the list changes while
 * it is read.
 *
 * The API lists newest first and new events arrive at the front, so while a sweep
 * pages down, older events shift to later pages: they are seen twice (dropped by id),
 * never missed; only events newer than the sweep's first page are missed, and a
 * catch-up sweep from the newest time of that first page (inclusive) fetches them. Sweeps repeat
 * until one finds nothing new. Each page's new events are delivered, then the state
 * is saved: `through` (all events up to it fetched) moves when a sweep completes;
 * a sweep cut short leaves `partial` (the span it covered), and the next run first
 * fills the gap below it, then catches up above it. Deduplication across runs needs
 * only the ids at those boundary times.
 *
 * @example
 * const outcome = await fetchEvents({ client, query, sink, state: null, clock: SYSTEM_CLOCK });
 * outcome.counts.delivered // events written
 */
export async function fetchEvents(options: FetchEventsOptions): Promise<FetchOutcome> {
  const run = new FetchRun(options);
  return run.run();
}

/**
 * What a sweep has covered: from `bottom` (the oldest time seen, with the ids seen at it)
 * up to `top`, the newest time on its **first** page. Every event that existed when the
 * first page was answered and lies strictly between the two has been seen: events only
 * move to later pages as new ones arrive, so one that was never on a page read is behind
 * the last of them. Later pages may also show events newer than `top` (arrivals that
 * shifted far): they are delivered, but not counted as covered, and their ids join `top`'s
 * (a boundary's ids are those of every event fetched at or after its time), so the
 * catch-up from `top` recognises them. When the first page is empty, nothing was
 * covered and every event seen is such an arrival (`ahead`).
 */
class SeenSpan {
  top: { timestamp: number; ids: Set<string> } | null = null;
  bottom: { timestamp: number; ids: Set<string> } | null = null;
  readonly ahead = new Set<string>();
  #pages = 0;

  /** Called with each page's events before they are added. */
  startPage(events: readonly PageEvent[]): void {
    this.#pages += 1;
    if (this.#pages === 1 && events.length > 0) this.top = { timestamp: Math.max(...events.map((e) => e.timestamp)), ids: new Set() };
  }

  add(event: PageEvent): void {
    if (this.top === null) {
      this.ahead.add(event.id);
      return;
    }
    if (event.timestamp >= this.top.timestamp) this.top.ids.add(event.id);
    if (event.timestamp > this.top.timestamp) return;
    if (this.bottom === null || event.timestamp < this.bottom.timestamp) this.bottom = { timestamp: event.timestamp, ids: new Set([event.id]) };
    else if (event.timestamp === this.bottom.timestamp) this.bottom.ids.add(event.id);
  }
}

class FetchRun {
  readonly #o: FetchEventsOptions;
  readonly counts: FetchCounts = { pages: 0, received: 0, delivered: 0, duplicates: 0, rejected: 0, sweeps: 0 };
  #state: FetchProgressState;
  /** Ids already delivered that later pages may show again. */
  #seen = new Set<string>();

  constructor(options: FetchEventsOptions) {
    this.#o = options;
    this.#state = options.state ?? { query: options.query, through: null, partial: null, delivered: 0 };
    for (const boundary of [this.#state.through, this.#state.partial?.top, this.#state.partial?.bottom]) {
      for (const id of boundary?.ids ?? []) this.#seen.add(id);
    }
  }

  async run(): Promise<FetchOutcome> {
    const maxSweeps = this.#o.maxSweeps ?? DEFAULT_MAX_SWEEPS;
    try {
      if (this.#state.partial !== null) await this.#fillGap();
      let sweepsSinceWait = 0;
      for (;;) {
        const found = await this.#catchUp();
        sweepsSinceWait += 1;
        if (found > 0 && sweepsSinceWait < maxSweeps) continue;
        if (this.#o.follow === undefined) return this.#outcome(found === 0, false);
        sweepsSinceWait = 0;
        await this.#o.clock.sleep(this.#o.follow.intervalMs, this.#o.signal);
      }
    } catch (error) {
      if (this.#o.signal?.aborted === true && (!(error instanceof FetchError) || error.code === 'interrupted')) return this.#outcome(false, true);
      throw error;
    }
  }

  #outcome(caughtUp: boolean, interrupted: boolean): FetchOutcome {
    return { counts: this.counts, state: this.#state, caughtUp, interrupted };
  }

  /**
   * A sweep over everything from `through` (or `query.from`) up: returns how many new
   * events it delivered. On completion `through` becomes the newest time of its first page.
   */
  async #catchUp(): Promise<number> {
    const lower = this.#state.through ?? (this.#o.query.from === null ? null : { timestamp: this.#o.query.from, ids: [] });
    const span = new SeenSpan();
    /** `through` once the sweep is complete (`partial` is what it covered so far). */
    const completed = (): Boundary | null => {
      if (span.top === null) return lower === null ? null : { timestamp: lower.timestamp, ids: [...new Set([...lower.ids, ...span.ahead])] };
      return withEdge(lower ?? boundaryOf(span.top), span.top, 'higher');
    };
    const delivered = await this.#sweep(lower?.timestamp ?? null, this.#o.query.until, span, () => {
      if (span.top === null || span.bottom === null) return { ...this.#state, through: completed(), partial: null };
      return { ...this.#state, partial: { top: boundaryOf(span.top), bottom: boundaryOf(span.bottom) } };
    });
    this.#commit({ ...this.#state, through: completed(), partial: null });
    return delivered;
  }

  /** After a run cut short: the span between `through` and the cut sweep's oldest time. */
  async #fillGap(): Promise<void> {
    const partial = this.#state.partial as NonNullable<FetchProgressState['partial']>;
    const lower = this.#state.through?.timestamp ?? this.#o.query.from;
    const span = new SeenSpan();
    // The gap sweep ends at the cut sweep's oldest time, inclusive: events it finds at that
    // time (or, when the cut sweep covered one instant only, at its newest) join the ids
    // of that boundary, or a later sweep would take them for new.
    const widened = (): NonNullable<FetchProgressState['partial']> => {
      const current = this.#state.partial as NonNullable<FetchProgressState['partial']>;
      return { top: withEdge(current.top, span.top, 'higher'), bottom: withEdge(current.bottom, span.bottom, 'lower') };
    };
    await this.#sweep(lower, partial.bottom.timestamp, span, () => ({ ...this.#state, partial: widened() }));
    this.#commit({ ...this.#state, through: widened().top, partial: null });
  }

  /**
   * Pages from page 1 of the window down to its last page, delivering new events and
   * saving `stateAfterPage()` after each page that held events.
   */
  async #sweep(from: number | null, until: number | null, span: SeenSpan, stateAfterPage: () => FetchProgressState): Promise<number> {
    this.counts.sweeps += 1;
    const perPage = this.#o.perPage ?? DEFAULT_PER_PAGE;
    let url: string | null = eventQueryUrl(this.#o.query, { from, until, perPage });
    let delivered = 0;
    let pageNumber = 0;
    const bySweep = this.#o.deliverBy === 'sweep';
    const held: PageEvent[] = [];
    while (url !== null) {
      pageNumber += 1;
      const page = await this.#o.client.getPage<Extract<SplitPage, { ok: true }>>(url, (body) => {
        const split = splitPage(body);
        return split.ok ? split : split.reason;
      });
      const { events, rejects } = page.value;
      this.counts.pages += 1;
      this.counts.received += events.length + rejects.length;
      for (const reject of rejects) {
        this.counts.rejected += 1;
        this.#o.onReject?.({ request: `GET ${page.url}`, index: reject.index, reason: reject.reason, raw: reject.text });
      }
      const fresh: PageEvent[] = [];
      span.startPage(events);
      for (const event of events) {
        span.add(event);
        if (this.#seen.has(event.id)) {
          this.counts.duplicates += 1;
          continue;
        }
        this.#seen.add(event.id);
        fresh.push(event);
      }
      if (bySweep) held.push(...fresh);
      else {
        await this.#o.sink.deliver(fresh.map((event) => event.line));
        delivered += fresh.length;
        this.counts.delivered += fresh.length;
        if (events.length > 0) this.#commit({ ...stateAfterPage(), delivered: this.#state.delivered + fresh.length });
      }
      this.#o.onPage?.(this.counts, { number: page.info.currentPage ?? pageNumber, totalPages: page.info.totalPages });
      url = nextPageUrl(page.url, page.info, events.length + rejects.length, perPage);
      if (this.#o.signal?.aborted === true) throw new FetchError('interrupted', page.url, 'stopped by a signal');
    }
    if (bySweep) {
      held.sort(byTimeThenId);
      await this.#o.sink.deliver(held.map((event) => event.line));
      delivered += held.length;
      this.counts.delivered += held.length;
      this.#state = { ...this.#state, delivered: this.#state.delivered + held.length };
    }
    return delivered;
  }

  #commit(state: FetchProgressState): void {
    this.#state = state;
    this.#o.saveState?.(state);
    if (state.partial === null) {
      // Later sweeps ask only for times from `through` on: the ids at `through` are all
      // that can come back, so the rest of the set can go (memory stays bounded in --follow).
      this.#seen = new Set(state.through?.ids ?? []);
    }
  }
}

/** (timestamp, id) ascending, ids compared as the integers they are. */
function byTimeThenId(a: PageEvent, b: PageEvent): number {
  if (a.timestamp !== b.timestamp) return a.timestamp - b.timestamp;
  if (a.id.length !== b.id.length) return a.id.length - b.id.length;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * A boundary moved to `edge` when that lies beyond it (`lower`: older, `higher`: newer),
 * or with `edge`'s ids added when both are the same instant.
 */
function withEdge(boundary: Boundary, edge: SeenSpan['top'], direction: 'lower' | 'higher'): Boundary {
  if (edge === null) return boundary;
  if (edge.timestamp === boundary.timestamp) return { timestamp: boundary.timestamp, ids: [...new Set([...boundary.ids, ...edge.ids])] };
  const beyond = direction === 'lower' ? edge.timestamp < boundary.timestamp : edge.timestamp > boundary.timestamp;
  return beyond ? boundaryOf(edge) : boundary;
}

function boundaryOf(edge: { timestamp: number; ids: Set<string> }): Boundary {
  return { timestamp: edge.timestamp, ids: [...edge.ids] };
}

/**
 * What the server counts for the whole query now (`X-Total-Count` of a one-event page):
 * the figure a finished fetch is checked against. `null` when the server sends none.
 *
 * @example
 * await countEvents(client, query) // 1234
 */
export async function countEvents(client: EventApiClient, query: FetchQuery): Promise<number | null> {
  const url = eventQueryUrl(query, { from: query.from, until: query.until, perPage: 1 });
  const page = await client.getPage(url, (body) => {
    const split = splitPage(body);
    return split.ok ? split : split.reason;
  });
  return page.info.totalCount;
}
