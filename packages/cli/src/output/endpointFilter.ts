import { ENDPOINT_STATUSES, type EndpointState, type EndpointStatus } from '@simfleet/core';
import { UsageError } from '../cliIo.js';

/** Which endpoints `replay --format ndjson|csv|table` prints; every given filter must match. */
export interface EndpointFilter {
  readonly statuses?: ReadonlySet<EndpointStatus>;
  readonly organisations?: ReadonlySet<number>;
  /** Operator names, lower-cased. */
  readonly operators?: ReadonlySet<string>;
  /** ISO country codes, lower-cased; `unknown` matches endpoints with no country. */
  readonly countries?: ReadonlySet<string>;
}

/** The filter flags as parseArgs returns them (each may be repeated). */
export interface EndpointFilterFlags {
  readonly status?: readonly string[] | undefined;
  readonly organisation?: readonly string[] | undefined;
  readonly operator?: readonly string[] | undefined;
  readonly country?: readonly string[] | undefined;
}

/** Help lines of the filter flags. */
export const FILTER_HELP = `  --status S        only endpoints with effective status S (${ENDPOINT_STATUSES.join(', ')})
  --organisation ID only endpoints of organisation ID
  --operator NAME   only endpoints on operator NAME (case-insensitive)
  --country CC      only endpoints whose operator's country is CC (ISO code; 'unknown' for none)
                    Filters apply to --format ndjson, csv and table; each may be repeated or
                    take a comma-separated list (--operator: repeat it); given filters must all match.`;

const list = (values: readonly string[] | undefined): string[] =>
  (values ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');

/**
 * The filter the flags describe (`undefined` when none is given), or a usage error naming
 * the flag and the value it cannot use.
 *
 * @example
 * parseEndpointFilter({ status: ['online,attached'], country: ['DE'] });
 * // { statuses: Set {'ONLINE','ATTACHED'}, countries: Set {'de'} }
 */
export function parseEndpointFilter(flags: EndpointFilterFlags): EndpointFilter | undefined {
  const filter: { -readonly [K in keyof EndpointFilter]: EndpointFilter[K] } = {};
  const statuses = list(flags.status).map((s) => s.toUpperCase());
  if (statuses.length > 0) {
    const unknown = statuses.filter((s) => !(ENDPOINT_STATUSES as readonly string[]).includes(s));
    if (unknown.length > 0) throw new UsageError(`--status expects one of ${ENDPOINT_STATUSES.join(', ')}, got '${unknown[0]}'`);
    filter.statuses = new Set(statuses as EndpointStatus[]);
  }
  const organisations = list(flags.organisation);
  if (organisations.length > 0) {
    const bad = organisations.find((o) => !/^\d+$/.test(o) || !Number.isSafeInteger(Number(o)));
    if (bad !== undefined) throw new UsageError(`--organisation expects an organisation id (an integer), got '${bad}'`);
    filter.organisations = new Set(organisations.map(Number));
  }
  const operators = (flags.operator ?? []).map((o) => o.trim().toLowerCase()).filter((o) => o !== '');
  if (operators.length > 0) filter.operators = new Set(operators);
  const countries = list(flags.country).map((c) => c.toLowerCase());
  if (countries.length > 0) {
    const bad = countries.find((c) => !/^[a-z]{2,3}$/.test(c) && c !== 'unknown');
    if (bad !== undefined) throw new UsageError(`--country expects an ISO country code like DE or 'unknown', got '${bad}'`);
    filter.countries = new Set(countries);
  }
  return Object.keys(filter).length === 0 ? undefined : filter;
}

/**
 * Whether an endpoint passes the filter.
 *
 * @example
 * matchesFilter(fleet.readEndpoint(42)!, { statuses: new Set(['ONLINE']) }); // true when 42 is ONLINE
 */
export function matchesFilter(state: EndpointState, filter: EndpointFilter): boolean {
  if (filter.statuses !== undefined && !filter.statuses.has(state.status)) return false;
  if (filter.organisations !== undefined && (state.organisationId === null || !filter.organisations.has(state.organisationId))) return false;
  if (filter.operators !== undefined && !filter.operators.has(state.operator?.name?.toLowerCase() ?? '')) return false;
  if (filter.countries !== undefined && !filter.countries.has(state.operator?.country?.toLowerCase() ?? 'unknown')) return false;
  return true;
}
