import type { EndpointState, FleetStore } from '@simfleet/core';
import { textMatches } from './dashboard/endpointQuery.js';

export interface EndpointsPageQuery {
  /** Only devices with one of these statuses (all when empty). */
  readonly statuses: ReadonlySet<string>;
  /** Only devices whose id, ICCID, IMSI, IMEI or name contains this text, case-insensitive (all when empty or absent). */
  readonly text?: string;
  readonly limit: number;
  /** Start after this endpoint id (the previous page's cursor). */
  readonly after: number | null;
}

export interface EndpointsPage {
  readonly items: readonly EndpointState[];
  /** Pass as `cursor` for the next page; `null` when this page reached the end. */
  readonly nextCursor: string | null;
}

/**
 * One page of endpoints in ascending id order, filtered by status and free text. The cursor is the
 * last id of the page, so paging stays consistent while new devices appear: a device
 * with a lower id than the cursor is simply not on later pages.
 *
 * @example
 * endpointsPage(store, { statuses: new Set(['OFFLINE']), limit: 50, after: null })
 */
export function endpointsPage(store: FleetStore, query: EndpointsPageQuery): EndpointsPage {
  const ids = store.endpointIds();
  let start = 0;
  if (query.after !== null) {
    // First id strictly greater than the cursor (ids are sorted ascending).
    let lo = 0;
    let hi = ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((ids[mid] as number) <= query.after) lo = mid + 1;
      else hi = mid;
    }
    start = lo;
  }
  const items: EndpointState[] = [];
  const textLower = (query.text ?? '').toLowerCase();
  let i = start;
  for (; i < ids.length && items.length < query.limit; i++) {
    const state = store.readEndpoint(ids[i] as number);
    if (state === undefined) continue;
    if (query.statuses.size > 0 && !query.statuses.has(state.status)) continue;
    if (textLower !== '' && !textMatches(state, textLower)) continue;
    items.push(state);
  }
  const last = items[items.length - 1];
  const nextCursor = items.length === query.limit && i < ids.length && last !== undefined ? String(last.endpointId) : null;
  return { items, nextCursor };
}
