import { DEVICE_REGIONS } from '@simfleet/core';

/** Regions a `GET /transitions?region=` may name: the device's regions, its effective status, its activity. */
export const TRANSITION_REGIONS: readonly string[] = [...DEVICE_REGIONS, 'status', 'activity'];

/** The query parameters each route takes; any other is refused. */
export const ROUTE_PARAMS = {
  events: [],
  summary: [],
  snapshot: [],
  endpoint: [],
  endpoints: ['status', 'limit', 'cursor', 'q'],
  transitions: ['region', 'endpoint'],
  metrics: [],
} as const satisfies Readonly<Record<string, readonly string[]>>;

/** A refused query: the error code and message of the 400 reply. */
export interface QueryProblem {
  readonly code: string;
  readonly message: string;
}

/**
 * The parameters a route does not take, named in one 400, or `undefined` when all are known.
 *
 * @example
 * unknownParams(new URLSearchParams('statuss=ONLINE'), ROUTE_PARAMS.endpoints);
 * // { code: 'unknown_parameter', message: 'unknown query parameter statuss (this route takes status, limit, cursor)' }
 */
export function unknownParams(params: URLSearchParams, allowed: readonly string[]): QueryProblem | undefined {
  const unknown = [...new Set(params.keys())].filter((name) => !allowed.includes(name));
  if (unknown.length === 0) return undefined;
  const takes = allowed.length === 0 ? 'this route takes no query parameters' : `this route takes ${allowed.join(', ')}`;
  return { code: 'unknown_parameter', message: `unknown query parameter${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (${takes})` };
}

/**
 * Comma-separated, repeatable values of one parameter, each checked against the allowed
 * set the way `/endpoints?status=` is: `values` or the problem with the first bad one.
 *
 * @example
 * listParam(new URLSearchParams('region=sim,block'), 'region', TRANSITION_REGIONS, 'invalid_region');
 * // { values: Set { 'sim', 'block' } }
 */
export function listParam(
  params: URLSearchParams,
  name: string,
  allowed: readonly string[],
  code: string,
  normalise: (value: string) => string = (value) => value,
): { readonly values: Set<string> } | { readonly problem: QueryProblem } {
  const values = new Set<string>();
  for (const value of params.getAll(name)) {
    for (const item of value.split(',')) {
      const normalised = normalise(item.trim());
      if (normalised === '') continue;
      if (!allowed.includes(normalised)) return { problem: { code, message: `${name} must be one of ${allowed.join(', ')}, got ${item}` } };
      values.add(normalised);
    }
  }
  return { values };
}

/**
 * An optional integer id parameter (`endpoint=`, `cursor=`): `null` when absent.
 *
 * @example
 * idParam(new URLSearchParams('endpoint=42'), 'endpoint', 'invalid_endpoint'); // { value: 42 }
 */
export function idParam(params: URLSearchParams, name: string, code: string): { readonly value: number | null } | { readonly problem: QueryProblem } {
  const text = params.get(name);
  if (text === null) return { value: null };
  if (!/^\d{1,16}$/.test(text) || !Number.isSafeInteger(Number(text))) {
    return { problem: { code, message: `${name} must be a non-negative integer, got ${text}` } };
  }
  return { value: Number(text) };
}
