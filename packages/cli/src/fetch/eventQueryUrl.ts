import { formatTimestamp } from '@simfleet/core';
import type { FetchQuery } from './FetchState.js';

/**
 * The first page's URL for events of `query` between `from` and `until` (epoch ms,
 * both inclusive, `null` for no bound): `GET /api/v1/event`, or
 * `/api/v1/endpoint/{id}/event` for one endpoint, with `page`, `per_page` and the
 * `q` filter (`from:…,until:…,type:…`; one `type:` term per event type id).
 *
 * @example
 * eventQueryUrl(query, { from: null, until: null, perPage: 1000 }) // 'https://cdn.emnify.net/api/v1/event?page=1&per_page=1000'
 */
export function eventQueryUrl(query: FetchQuery, window: { from: number | null; until: number | null; perPage: number }): string {
  const base = query.api.replace(/\/+$/, '');
  const path = query.endpoint === null ? '/api/v1/event' : `/api/v1/endpoint/${encodeURIComponent(query.endpoint)}/event`;
  const url = new URL(`${base}${path}`);
  url.searchParams.set('page', '1');
  url.searchParams.set('per_page', String(window.perPage));
  const terms: string[] = [];
  if (window.from !== null) terms.push(`from:${formatTimestamp(window.from)}`);
  if (window.until !== null) terms.push(`until:${formatTimestamp(window.until)}`);
  for (const type of query.types) terms.push(`type:${type}`);
  if (terms.length > 0) url.searchParams.set('q', terms.join(','));
  return url.href;
}
