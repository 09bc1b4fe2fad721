/**
 * The worker-thread half of a parallel replay: decodes the lines of one byte range of
 * an NDJSON file into its own columns and string pool, and hands back everything the
 * main thread needs to merge it as if it had read the lines itself.
 *
 * What a worker cannot decide alone it defers: a line the full decoder rejects, one
 * after `--until`, or one of the watched endpoint goes back to the main thread as
 * (local line number, text), and the main thread ingests it through
 * `ReplaySession.ingest` once it knows the range's first line number. So rejects,
 * their reasons and line numbers, and the watched timeline are produced by exactly
 * the code that produces them single-threaded, in the same order.
 */
import {
  classifyEvent,
  decodeEventText,
  EventColumns,
  FAST_BLANK,
  FastLineDecoder,
  type RowArrays,
  type StoredStrings,
  StringPool,
} from '@simfleet/core';
import { lineRecord } from '../input/readRecords.js';

/** Options a range needs (the replay's, minus callbacks). */
export interface RangeOptions {
  readonly until?: number | undefined;
  readonly watchEndpoint?: number | undefined;
}

/** The columns of a range, as transferable typed arrays cut to their length. */
export type RangeColumns = Readonly<RowArrays>;

/** What a worker returns for one range. */
export interface RangeResult {
  /** Records accounted for in the range (not counting deferred lines). */
  readonly records: number;
  readonly withoutEndpoint: number;
  /** [type id, count] of events of unknown types. */
  readonly unknownTypes: readonly (readonly [number, number])[];
  /** Lines the main thread must ingest itself, with line numbers local to the range (1-based). */
  readonly deferred: readonly { readonly line: number; readonly text: string }[];
  /** Lines in the range (its `\n`s, plus a last unterminated one). */
  readonly lines: number;
  /**
   * The strings the range's pool gained during this range, as bytes (transferable copies;
   * no index): references `strings.after + 1 …` of pool `strings.pool`. A worker keeps
   * its pool across ranges, so a string seen in an earlier range is not sent again; the
   * main thread keeps one remap per worker pool and extends it (`ReplaySession.mergeRange`).
   */
  readonly strings: StoredStrings & { readonly pool: number; readonly after: number; readonly retired?: number | undefined };
  readonly columns: RangeColumns;
}

/**
 * Decodes one range's lines (fast path first, the full decoder on fallback).
 *
 * @example
 * const ingest = new RangeIngest({});
 * lines.push(chunk, (b, s, e, line) => ingest.ingestLine(b, s, e, line));
 * const result = ingest.result(lines.nextLine - 1);
 */
export class RangeIngest {
  readonly #pool: StringPool;
  readonly #poolId: number;
  readonly #retired: number | undefined;
  readonly #after: number;
  readonly #columns: EventColumns;
  readonly #fast: FastLineDecoder;
  readonly #options: RangeOptions;
  #records = 0;
  #withoutEndpoint = 0;
  readonly #unknown = new Map<number, number>();
  readonly #deferred: { line: number; text: string }[] = [];

  /**
   * `pool` (with its id, unique in the replay) may hold an earlier range's strings: only
   * new ones are sent. `retired`: a pool this worker dropped, whose remap the main thread can drop.
   */
  constructor(
    options: RangeOptions,
    pool: { readonly pool: StringPool; readonly id: number; readonly retired?: number | undefined } = { pool: new StringPool(), id: 0 },
  ) {
    this.#options = options;
    this.#pool = pool.pool;
    this.#poolId = pool.id;
    this.#retired = pool.retired;
    this.#after = pool.pool.size;
    this.#columns = new EventColumns(this.#pool, 1 << 16);
    this.#fast = new FastLineDecoder(this.#columns);
  }

  ingestLine(bytes: Buffer, start: number, end: number, line: number): void {
    const c = this.#columns;
    const row = this.#fast.decodeLine(bytes, start, end);
    if (row === FAST_BLANK) return;
    const until = this.#options.until;
    const watch = this.#options.watchEndpoint;
    if (row >= 0) {
      if ((until === undefined || (c.at[row] as number) <= until) && (watch === undefined || c.endpointId[row] !== watch)) {
        if (Number.isNaN(c.endpointId[row] as number)) this.#withoutEndpoint++;
        this.#records++;
        return;
      }
      c.length = row;
    }
    const record = lineRecord(bytes.subarray(start, end), line);
    if (record === undefined) return;
    const decoded = decodeEventText(record.text, { line });
    if (!decoded.ok) {
      this.#defer(record.text, line);
      return;
    }
    const event = decoded.value;
    if ((until !== undefined && event.timestamp > until) || (watch !== undefined && event.endpoint?.id === watch)) {
      this.#defer(record.text, line);
      return;
    }
    if (!c.push(classifyEvent(event)).ok) {
      this.#defer(record.text, line);
      return;
    }
    if (event.type === 'unknown') this.#unknown.set(event.typeId, (this.#unknown.get(event.typeId) ?? 0) + 1);
    if (event.endpoint === null) this.#withoutEndpoint++;
    this.#records++;
  }

  #defer(text: string, line: number): void {
    this.#deferred.push({ line, text });
  }

  /** The result, after the last line; `lines` is the number of lines the range held. */
  result(lines: number): RangeResult {
    const c = this.#columns;
    const n = c.length;
    const delta = this.#pool.storedSince(this.#after);
    const strings = {
      byteLengths: delta.byteLengths.slice(),
      bytes: delta.bytes.slice(),
      escaped: delta.escaped,
      pool: this.#poolId,
      after: this.#after,
      retired: this.#retired,
    };
    return {
      records: this.#records,
      withoutEndpoint: this.#withoutEndpoint,
      unknownTypes: [...this.#unknown],
      deferred: this.#deferred,
      lines,
      strings,
      columns: {
        length: n,
        at: c.at.slice(0, n),
        idHi: c.idHi.slice(0, n),
        idLo: c.idLo.slice(0, n),
        endpointId: c.endpointId.slice(0, n),
        type: c.type.slice(0, n),
        organisationId: c.organisationId.slice(0, n),
        simId: c.simId.slice(0, n),
        iccid: c.iccid.slice(0, n),
        imsi: c.imsi.slice(0, n),
        imei: c.imei.slice(0, n),
        ipAddress: c.ipAddress.slice(0, n),
        apn: c.apn.slice(0, n),
        operator: c.operator.slice(0, n),
        ratType: c.ratType.slice(0, n),
        rejectionReason: c.rejectionReason.slice(0, n),
      },
    };
  }
}

/** The buffers of a result's columns, to transfer instead of copy. */
export function transferList(result: RangeResult): ArrayBuffer[] {
  const columns = Object.values(result.columns)
    .filter((v): v is Exclude<RangeColumns[keyof RangeColumns], number> => typeof v !== 'number')
    .map((a) => a.buffer as ArrayBuffer);
  return [...columns, result.strings.bytes.buffer as ArrayBuffer, result.strings.byteLengths.buffer as ArrayBuffer];
}
