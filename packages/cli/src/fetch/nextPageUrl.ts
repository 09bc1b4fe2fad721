import type { PageInfo } from './pageHeaders.js';

/**
 * The page after the one just read, from its own headers (they describe the list as it
 * is now, after any events that arrived at the front): the `Link` `next` relation;
 * without `Link`, page + 1 while `X-Current-Page` < `X-Total-Pages`; without either, page + 1
 * while pages come back full. `null` at the end.
 *
 * @example
 * nextPageUrl(url, info, 100, 100) // info.links.get('next') when present
 */
export function nextPageUrl(url: string, info: PageInfo, received: number, requestedPerPage: number): string | null {
  if (info.links.size > 0) {
    const next = info.links.get('next');
    return next === undefined || next === url ? null : next;
  }
  const current = new URL(url);
  const page = info.currentPage ?? Number(current.searchParams.get('page') ?? '1');
  if (info.totalPages !== null) {
    if (page >= info.totalPages) return null;
  } else if (received === 0 || received < (info.perPage ?? requestedPerPage)) {
    return null;
  }
  current.searchParams.set('page', String(page + 1));
  return current.href;
}
