import { CONNECTIVITY_STATES, ENDPOINT_STATUSES, type EndpointState, UNKNOWN_KEY } from '@simfleet/core';

/** Columns the endpoint table sorts by (the URL's `sort=`). */
export const SORT_KEYS = ['id', 'status', 'connectivity', 'operator', 'country', 'organisation', 'lastEvent', 'since'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

/** Page sizes offered (the URL's `per=`). */
export const PAGE_SIZES = [25, 50, 100, 200] as const;

/** The endpoint table's filters, sort and page, as the URL spells them. */
export interface EndpointQuery {
  readonly statuses: readonly string[];
  readonly connectivity: readonly string[];
  /** Operator name, or `unknown` for devices no event named an operator for. */
  readonly operator: string;
  /** ISO country code (lower case), or `unknown`. */
  readonly country: string;
  /** Organisation id, or `unknown`. */
  readonly organisation: string;
  /** Free text matched inside the id, ICCID, IMSI, IMEI and name. */
  readonly text: string;
  readonly sort: SortKey;
  readonly descending: boolean;
  /** 1-based. */
  readonly page: number;
  readonly per: number;
}

export type EndpointQueryResult = { ok: true; query: EndpointQuery } | { ok: false; message: string };

const listParam = (params: URLSearchParams, name: string): string[] =>
  params.getAll(name).flatMap((v) =>
    v
      .split(',')
      .map((s) => s.trim().toUpperCase())
      .filter((s) => s !== ''),
  );

/**
 * Reads the endpoint table's state from a query string. Unknown statuses, sort keys or page
 * sizes are errors (a link that silently showed something else would mislead); empty
 * values mean "no filter", which is what an unchanged `<select>` submits.
 *
 * @example
 * parseEndpointQuery(new URLSearchParams('status=OFFLINE&sort=lastEvent&dir=desc')).ok // true
 */
export function parseEndpointQuery(params: URLSearchParams): EndpointQueryResult {
  const statuses = listParam(params, 'status');
  for (const s of statuses) {
    if (!(ENDPOINT_STATUSES as readonly string[]).includes(s)) return { ok: false, message: `status must be one of ${ENDPOINT_STATUSES.join(', ')}, got ${s}` };
  }
  const connectivity = listParam(params, 'connectivity');
  for (const s of connectivity) {
    if (!(CONNECTIVITY_STATES as readonly string[]).includes(s))
      return { ok: false, message: `connectivity must be one of ${CONNECTIVITY_STATES.join(', ')}, got ${s}` };
  }
  const sortText = params.get('sort') || 'id';
  if (!(SORT_KEYS as readonly string[]).includes(sortText)) return { ok: false, message: `sort must be one of ${SORT_KEYS.join(', ')}, got ${sortText}` };
  const dir = params.get('dir') || 'asc';
  if (dir !== 'asc' && dir !== 'desc') return { ok: false, message: `dir must be asc or desc, got ${dir}` };
  const pageText = params.get('page') || '1';
  const page = Number(pageText);
  if (!/^\d{1,9}$/.test(pageText) || page < 1) return { ok: false, message: `page must be a positive integer, got ${pageText}` };
  const perText = params.get('per') || '50';
  const per = Number(perText);
  if (!(PAGE_SIZES as readonly number[]).includes(per) || !/^\d+$/.test(perText))
    return { ok: false, message: `per must be one of ${PAGE_SIZES.join(', ')}, got ${perText}` };
  return {
    ok: true,
    query: {
      statuses,
      connectivity,
      operator: (params.get('operator') ?? '').trim(),
      country: (params.get('country') ?? '').trim().toLowerCase(),
      organisation: (params.get('organisation') ?? '').trim(),
      text: (params.get('q') ?? '').trim(),
      sort: sortText as SortKey,
      descending: dir === 'desc',
      page,
      per,
    },
  };
}

/**
 * The query string of `query` with some fields replaced: how links (sort headers, pages,
 * CSV export) keep every other filter. Defaults are left out so URLs stay short.
 *
 * @example
 * endpointQueryString(query, { page: 2 }) // 'status=OFFLINE&page=2'
 */
export function endpointQueryString(query: EndpointQuery, change: Partial<EndpointQuery> = {}): string {
  const q = { ...query, ...change };
  const params = new URLSearchParams();
  if (q.statuses.length > 0) params.set('status', q.statuses.join(','));
  if (q.connectivity.length > 0) params.set('connectivity', q.connectivity.join(','));
  if (q.operator !== '') params.set('operator', q.operator);
  if (q.country !== '') params.set('country', q.country);
  if (q.organisation !== '') params.set('organisation', q.organisation);
  if (q.text !== '') params.set('q', q.text);
  if (q.sort !== 'id') params.set('sort', q.sort);
  if (q.descending) params.set('dir', 'desc');
  if (q.page !== 1) params.set('page', String(q.page));
  if (q.per !== 50) params.set('per', String(q.per));
  return params.toString();
}

/** Whether one endpoint passes the query's filters (sort and page aside). */
export function endpointMatches(state: EndpointState, query: EndpointQuery, textLower: string = query.text.toLowerCase()): boolean {
  if (query.statuses.length > 0 && !query.statuses.includes(state.status)) return false;
  if (query.connectivity.length > 0 && !query.connectivity.includes(state.connectivity)) return false;
  if (query.operator !== '' && (state.operator?.name ?? UNKNOWN_KEY) !== query.operator) return false;
  if (query.country !== '' && (state.operator?.country ?? UNKNOWN_KEY) !== query.country) return false;
  if (query.organisation !== '' && (state.organisationId === null ? UNKNOWN_KEY : String(state.organisationId)) !== query.organisation) return false;
  if (textLower !== '' && !textMatches(state, textLower)) return false;
  return true;
}

/**
 * Whether lower-case `textLower` occurs inside the endpoint's id, ICCID, IMSI, IMEI or name
 * (case-insensitive): the free-text search of the table and of `GET /endpoints?q=`.
 *
 * @example
 * textMatches(state, 'tracker') // true for an endpoint named "Tracker 12"
 */
export function textMatches(state: EndpointState, textLower: string): boolean {
  return (
    String(state.endpointId).includes(textLower) ||
    (state.iccid?.toLowerCase().includes(textLower) ?? false) ||
    (state.imsi?.toLowerCase().includes(textLower) ?? false) ||
    (state.imei?.toLowerCase().includes(textLower) ?? false) ||
    (state.name?.toLowerCase().includes(textLower) ?? false)
  );
}

type Compare = (a: EndpointState, b: EndpointState) => number;
const byText =
  (get: (s: EndpointState) => string | null): Compare =>
  (a, b) => {
    const x = get(a);
    const y = get(b);
    // Unknown values sort last in either direction would surprise; they sort as the empty string.
    return (x ?? '') < (y ?? '') ? -1 : (x ?? '') > (y ?? '') ? 1 : 0;
  };
const byNumber =
  (get: (s: EndpointState) => number | null): Compare =>
  (a, b) =>
    (get(a) ?? -Infinity) - (get(b) ?? -Infinity);
const STATUS_RANK = new Map<string, number>(ENDPOINT_STATUSES.map((s, i) => [s, i]));
const CONNECTIVITY_RANK = new Map<string, number>(CONNECTIVITY_STATES.map((s, i) => [s, i]));

const COMPARE: Record<SortKey, Compare> = {
  id: (a, b) => a.endpointId - b.endpointId,
  status: byNumber((s) => STATUS_RANK.get(s.status) ?? 0),
  connectivity: byNumber((s) => CONNECTIVITY_RANK.get(s.connectivity) ?? 0),
  operator: byText((s) => s.operator?.name ?? null),
  country: byText((s) => s.operator?.country ?? null),
  organisation: byNumber((s) => s.organisationId),
  lastEvent: byNumber((s) => s.lastEventAt),
  since: byNumber((s) => s.since),
};

/** One page of the filtered, sorted endpoints. */
export interface EndpointSelection {
  /** Endpoints that pass the filters (every page). */
  readonly matched: number;
  readonly pages: number;
  /** The requested page, clamped to the last one. */
  readonly page: number;
  readonly items: readonly EndpointState[];
}

/**
 * Filters, sorts (ties by id, so pages are stable) and pages `rows`.
 *
 * @example
 * selectEndpoints(rows, query).items.length // ≤ query.per
 */
export function selectEndpoints(rows: readonly EndpointState[], query: EndpointQuery): EndpointSelection {
  const matched = filterEndpoints(rows, query);
  const ordered = query.sort === 'id' && !query.descending ? matched : sortEndpoints(matched, query.sort, query.descending);
  return pageOf(ordered, query);
}

/**
 * Sorts `rows` in place by `sort` (ties by ascending id, so pages are stable) and returns them.
 *
 * @example
 * sortEndpoints([...rows], 'lastEvent', true)[0] // the endpoint heard from last
 */
export function sortEndpoints(rows: EndpointState[], sort: SortKey, descending: boolean): EndpointState[] {
  const compare = COMPARE[sort];
  const sign = descending ? -1 : 1;
  return rows.sort((a, b) => sign * compare(a, b) || a.endpointId - b.endpointId);
}

/**
 * The query's page of `ordered`, rows already in the query's sort order (a cached order):
 * filtering keeps that order, so no sort is needed.
 *
 * @example
 * selectSorted(rows.sorted('lastEvent', true), query) // equals selectEndpoints(rows.current(), query)
 */
export function selectSorted(ordered: readonly EndpointState[], query: EndpointQuery): EndpointSelection {
  return pageOf(filterEndpoints(ordered, query), query);
}

function pageOf(matched: readonly EndpointState[], query: EndpointQuery): EndpointSelection {
  const pages = Math.max(1, Math.ceil(matched.length / query.per));
  const page = Math.min(query.page, pages);
  return { matched: matched.length, pages, page, items: matched.slice((page - 1) * query.per, page * query.per) };
}

/**
 * Every endpoint that passes the filters, in `rows`' order (ascending id): the CSV export's set.
 *
 * @example
 * filterEndpoints(rows, { ...query, statuses: ['OFFLINE'] }).every((s) => s.status === 'OFFLINE') // true
 */
export function filterEndpoints(rows: readonly EndpointState[], query: EndpointQuery): EndpointState[] {
  const textLower = query.text.toLowerCase();
  const out: EndpointState[] = [];
  for (const state of rows) if (endpointMatches(state, query, textLower)) out.push(state);
  return out;
}
