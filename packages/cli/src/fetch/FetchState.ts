import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { formatTimestamp, parseTimestamp } from '@simfleet/core';

/** A point in event time and the ids of events already fetched around it. */
export interface Boundary {
  /** Epoch milliseconds. */
  readonly timestamp: number;
  /**
   * Ids (decimal digits) of the events already fetched at `timestamp` — and, for an upper
   * edge (`through`, `partial.top`), also after it — so a sweep that starts or ends at this
   * time recognises them.
   */
  readonly ids: readonly string[];
}

/** The query a state file belongs to: a state is only reused for the same query. */
export interface FetchQuery {
  readonly api: string;
  readonly endpoint: string | null;
  readonly types: readonly number[];
  /** Epoch ms or `null` (no bound). */
  readonly from: number | null;
  readonly until: number | null;
}

/**
 * How far a fetch got. Every event of the query with a time up to `through` has been
 * fetched (the ids fetched at or after `through` are listed, so a later event at that
 * same time is still recognised as new). A sweep that was cut short also covered the span
 * from `partial.bottom` to `partial.top`; what lies between `through` and
 * `partial.bottom` is still to fetch.
 */
export interface FetchProgressState {
  readonly query: FetchQuery;
  readonly through: Boundary | null;
  readonly partial: { readonly top: Boundary; readonly bottom: Boundary } | null;
  /** Events delivered over every run with this state. */
  readonly delivered: number;
}

const FORMAT = 'simfleet-fetch-state';
const VERSION = 1;

/**
 * Reads a state file; `null` when it does not exist. Throws an `Error` with a one-line
 * message when it exists but is not a state file this version wrote.
 *
 * @example
 * const state = loadFetchState('fetch.state.json'); // null on the first run
 */
export function loadFetchState(path: string): FetchProgressState | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`cannot read it: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error('not a simfleet fetch state file (not JSON)');
  }
  const doc = json as StateDocument | null;
  if (doc?.format !== FORMAT) throw new Error('not a simfleet fetch state file');
  if (doc.version !== VERSION) throw new Error(`state format version ${String(doc.version)} is not supported (this simfleet writes ${VERSION})`);
  try {
    const query = doc.query as NonNullable<StateDocument['query']>;
    const partial = doc.partial ?? null;
    return {
      query: {
        api: String(query.api),
        endpoint: query.endpoint === null || query.endpoint === undefined ? null : String(query.endpoint),
        types: (query.types as unknown[]).map(Number),
        from: optionalTime(query.from),
        until: optionalTime(query.until),
      },
      through: doc.through === null || doc.through === undefined ? null : boundaryOf(doc.through),
      partial: partial === null ? null : { top: boundaryOf(partial.top), bottom: boundaryOf(partial.bottom) },
      delivered: Number(doc.delivered),
    };
  } catch (error) {
    throw new Error(`damaged state file (${(error as Error).message})`);
  }
}

/** A state file as read, before it is checked. */
interface StateDocument {
  readonly format?: unknown;
  readonly version?: unknown;
  readonly query?: { readonly api?: unknown; readonly endpoint?: unknown; readonly types?: unknown; readonly from?: unknown; readonly until?: unknown };
  readonly through?: unknown;
  readonly partial?: { readonly top?: unknown; readonly bottom?: unknown } | null;
  readonly delivered?: unknown;
}

/**
 * Writes the state atomically: a temporary file beside it, flushed, then renamed over
 * it, so a crash leaves the old state or the new one, never half of either.
 *
 * @example
 * saveFetchState('fetch.state.json', { query, through: { timestamp, ids }, partial: null, delivered: 42 });
 */
export function saveFetchState(path: string, state: FetchProgressState): void {
  const doc = {
    format: FORMAT,
    version: VERSION,
    query: { ...state.query, from: timeOrNull(state.query.from), until: timeOrNull(state.query.until) },
    through: state.through === null ? null : boundaryJson(state.through),
    partial: state.partial === null ? null : { top: boundaryJson(state.partial.top), bottom: boundaryJson(state.partial.bottom) },
    delivered: state.delivered,
    savedAt: new Date().toISOString(),
  };
  const temporary = `${path}.tmp-${process.pid}`;
  const fd = openSync(temporary, 'w');
  try {
    writeSync(fd, `${JSON.stringify(doc, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}

/**
 * Whether two queries ask for the same events (the state of one may continue the other).
 *
 * @example
 * sameQuery(state.query, { ...state.query, types: [3] }) // false unless the state was for type 3 alone
 */
export function sameQuery(a: FetchQuery, b: FetchQuery): boolean {
  return (
    a.api.replace(/\/+$/, '') === b.api.replace(/\/+$/, '') &&
    a.endpoint === b.endpoint &&
    a.from === b.from &&
    a.until === b.until &&
    a.types.length === b.types.length &&
    a.types.every((t, i) => t === b.types[i])
  );
}

function boundaryJson(boundary: Boundary): { timestamp: string; ids: readonly string[] } {
  return { timestamp: formatTimestamp(boundary.timestamp), ids: boundary.ids };
}

function boundaryOf(value: unknown): Boundary {
  const doc = value as { timestamp?: unknown; ids?: unknown };
  const timestamp = typeof doc.timestamp === 'string' ? parseTimestamp(doc.timestamp) : null;
  if (timestamp === null) throw new Error('a boundary has no readable timestamp');
  if (!Array.isArray(doc.ids) || !doc.ids.every((id) => typeof id === 'string' && /^\d+$/.test(id))) throw new Error('a boundary has unreadable ids');
  return { timestamp, ids: doc.ids as string[] };
}

function optionalTime(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const ms = typeof value === 'string' ? parseTimestamp(value) : null;
  if (ms === null) throw new Error(`unreadable time ${JSON.stringify(value)}`);
  return ms;
}

function timeOrNull(ms: number | null): string | null {
  return ms === null ? null : formatTimestamp(ms);
}
