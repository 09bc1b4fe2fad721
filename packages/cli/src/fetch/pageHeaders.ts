/** What an Event API page says about the list around it. */
export interface PageInfo {
  /** `Link` relations (`first`, `prev`, `next`, `last`) as absolute URLs. */
  readonly links: ReadonlyMap<string, string>;
  /** `X-Total-Count`: events matching the query when this page was answered. */
  readonly totalCount: number | null;
  readonly totalPages: number | null;
  readonly currentPage: number | null;
  /** `X-Count-Per-Page`: the page size actually used (the server caps `per_page`). */
  readonly perPage: number | null;
}

/**
 * Reads the paging headers of an Event API answer. `Link` follows RFC 8288
 * (`<url>; rel="next", <url>; rel="last"`); relative targets resolve against the
 * request URL. Unreadable numbers are `null`, never guessed.
 *
 * @example
 * pageInfo(response.headers, response.url).links.get('next') // 'https://…/api/v1/event?page=3&per_page=100'
 */
export function pageInfo(headers: Headers, requestUrl: string): PageInfo {
  return {
    links: parseLinkHeader(headers.get('link'), requestUrl),
    totalCount: count(headers.get('x-total-count')),
    totalPages: count(headers.get('x-total-pages')),
    currentPage: count(headers.get('x-current-page')),
    perPage: count(headers.get('x-count-per-page')),
  };
}

/**
 * The relations of a `Link` header. A comma may appear inside `<…>`, so entries are
 * matched as `<target>` followed by parameters rather than split on commas.
 *
 * @example
 * parseLinkHeader('<?page=2>; rel="next"', 'https://api.example/v1/event?page=1').get('next') // 'https://api.example/v1/event?page=2'
 */
export function parseLinkHeader(header: string | null, base: string): Map<string, string> {
  const links = new Map<string, string>();
  if (header === null) return links;
  for (const match of header.matchAll(/<([^>]*)>((?:\s*;\s*[^;,]+)*)/g)) {
    const target = match[1] as string;
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(match[2] ?? '');
    const names = (rel?.[1] ?? rel?.[2] ?? '').split(/\s+/).filter((name) => name !== '');
    let url: string;
    try {
      url = new URL(target, base).href;
    } catch {
      continue;
    }
    for (const name of names) if (!links.has(name.toLowerCase())) links.set(name.toLowerCase(), url);
  }
  return links;
}

function count(text: string | null): number | null {
  if (text === null || !/^\s*\d+\s*$/.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : null;
}
