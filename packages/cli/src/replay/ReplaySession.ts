/**
 * One replay: records in, fleet state out, every record accounted for.
 *
 * Why two phases. The result must equal applying every valid event in (timestamp,
 * event id) order whatever the order of lines and files (Event API dumps are
 * newest-first, archives overlap). So records are first decoded into compact columns
 * (about 70 bytes an event instead of the ~1 KB of text), then deduplicated by event
 * id and applied in one sorted pass. Duplicates are chosen deterministically: among
 * the copies of an id, the earliest timestamp wins, then the smallest content; so
 * shuffled input gives byte-identical output.
 */
import {
  applyBatch,
  type BatchResult,
  classifyEvent,
  decodeEventText,
  type EventColumns,
  eventTypeById,
  FleetStore,
  type Transition,
} from '@simfleet/core';
import type { RawRecord } from '../input/readRecords.js';
import { compareRowContent, copyRow } from './rows.js';

/** A record that could not be applied, and why. */
export interface Rejection {
  readonly file: string;
  readonly line: number;
  /** Stable machine-readable code (`invalid_json`, `wrong_type`, `after_until`, …). */
  readonly code: string;
  /** What a person reads: the JSON path, what was expected and what was found. */
  readonly reason: string;
  readonly raw: string;
}

export interface ReplayOptions {
  /** Only events with timestamp ≤ this instant (UTC epoch ms) are applied. */
  readonly until?: number;
  /** Called for every rejected record, as soon as it is found. */
  readonly onReject?: (rejection: Rejection) => void;
  /** Called for every state change while the sorted events are applied. */
  readonly onTransition?: (transition: Transition) => void;
  /** Remember the type of the events of this endpoint (for `simfleet device`). */
  readonly watchEndpoint?: number;
}

/** What a finished replay tells besides the fleet state. */
export interface ReplayAccount {
  readonly records: number;
  readonly applied: number;
  readonly duplicates: number;
  readonly rejected: number;
  readonly rejectedByReason: Readonly<Record<string, number>>;
  readonly unknownEventTypes: Readonly<Record<string, number>>;
  readonly eventsWithoutEndpoint: number;
  /** UTC epoch ms of the newest applied event, or null. */
  readonly asOf: number | null;
}

/** Type ids and descriptions of the watched endpoint's events, by event id. */
export type WatchedEvents = Map<bigint, { readonly typeId: number; readonly description: string }>;

export class ReplaySession {
  readonly fleet = new FleetStore();
  readonly watched: WatchedEvents = new Map();
  readonly #options: ReplayOptions;
  readonly #columns: EventColumns;
  #records = 0;
  #rejected = 0;
  readonly #rejectedByReason = new Map<string, number>();
  readonly #unknownTypes = new Map<number, number>();
  #withoutEndpoint = 0;

  constructor(options: ReplayOptions = {}) {
    this.#options = options;
    this.#columns = this.fleet.createColumns(1 << 16);
  }

  /** Decodes one record into the pending columns, or rejects it with a reason. */
  ingest(record: RawRecord, file: string): void {
    this.#records++;
    if (record.framingError !== undefined) {
      this.#reject({ file, line: record.line, code: 'invalid_framing', reason: record.framingError, raw: record.text });
      return;
    }
    const decoded = decodeEventText(record.text, { line: record.line });
    if (!decoded.ok) {
      const error = decoded.error;
      this.#reject({ file, line: error.line ?? record.line, code: error.code, reason: error.message, raw: record.text });
      return;
    }
    const event = decoded.value;
    const until = this.#options.until;
    if (until !== undefined && event.timestamp > until) {
      this.#reject({ file, line: record.line, code: 'after_until', reason: `event time ${new Date(event.timestamp).toISOString()} is after --until`, raw: record.text });
      return;
    }
    const pushed = this.#columns.push(classifyEvent(event));
    if (!pushed.ok) {
      const error = pushed.error;
      this.#reject({ file, line: record.line, code: error.code, reason: error.message, raw: record.text });
      return;
    }
    if (event.type === 'unknown') this.#unknownTypes.set(event.typeId, (this.#unknownTypes.get(event.typeId) ?? 0) + 1);
    if (event.endpoint === null) this.#withoutEndpoint++;
    if (this.#options.watchEndpoint !== undefined && event.endpoint?.id === this.#options.watchEndpoint) {
      this.watched.set(event.id, { typeId: event.typeId, description: event.description });
    }
  }

  /**
   * Deduplicates by event id and applies every remaining event in (time, id) order.
   * Call once, after the last `ingest`.
   */
  finish(): ReplayAccount {
    const all = this.#columns;
    const n = all.length;
    const byId = new Uint32Array(n);
    for (let i = 0; i < n; i++) byId[i] = i;
    // Copies of one id sit together; the first of each group is the one applied.
    byId.sort((a, b) => all.idHi[a]! - all.idHi[b]! || all.idLo[a]! - all.idLo[b]! || all.at[a]! - all.at[b]! || compareRowContent(all, a, b));
    const kept = this.fleet.createColumns(Math.max(1, n));
    let duplicates = 0;
    for (let k = 0; k < n; k++) {
      const row = byId[k]!;
      const previous = k > 0 ? byId[k - 1]! : -1;
      if (previous !== -1 && all.idHi[previous] === all.idHi[row] && all.idLo[previous] === all.idLo[row]) {
        duplicates++;
        continue;
      }
      copyRow(all, row, kept);
    }
    all.clear();
    const onTransition = this.#options.onTransition;
    const result: BatchResult = applyBatch(this.fleet, kept, onTransition === undefined ? {} : { onTransition });
    let asOf: number | null = null;
    for (let i = 0; i < kept.length; i++) if (asOf === null || kept.at[i]! > asOf) asOf = kept.at[i]!;
    return {
      records: this.#records,
      applied: result.applied,
      // Per-device duplicates cannot remain after the id pass; count them anyway.
      duplicates: duplicates + result.duplicates,
      rejected: this.#rejected + result.late,
      rejectedByReason: sortedCounts(this.#rejectedByReason),
      unknownEventTypes: sortedCounts(this.#unknownTypes),
      eventsWithoutEndpoint: this.#withoutEndpoint,
      asOf,
    };
  }

  #reject(rejection: Rejection): void {
    this.#rejected++;
    this.#rejectedByReason.set(rejection.code, (this.#rejectedByReason.get(rejection.code) ?? 0) + 1);
    this.#options.onReject?.(rejection);
  }
}

function sortedCounts<K extends string | number>(counts: Map<K, number>): Record<string, number> {
  const keys = [...counts.keys()].sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : 1));
  const out: Record<string, number> = {};
  for (const key of keys) out[String(key)] = counts.get(key) ?? 0;
  return out;
}

/** Catalog name of a type id, for people. */
export function eventTypeName(typeId: number): string {
  return eventTypeById(typeId)?.name ?? `unknown type ${typeId}`;
}
