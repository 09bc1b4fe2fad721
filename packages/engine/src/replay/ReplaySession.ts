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
 *
 * Why memory is bounded. When the pending rows reach `maxRowsInMemory` they are sorted by
 * event id and spilled to a temporary file as a run (SpillFile.ts); `finish` then merges
 * the runs twice — dropping duplicate ids, then applying in (time, id) order
 * (externalFinish.ts) — so memory holds about the budget's rows plus the devices and
 * their strings, and the result is byte-identical to the in-memory path.
 */
import {
  applyBatch,
  type BatchResult,
  classifyEvent,
  decodeEventText,
  type EmnifyEvent,
  type EventColumns,
  eventTypeById,
  FleetStore,
  type OrganisationTransition,
  type StringPool,
  type Transition,
} from '@simfleet/core';
import { type CheckpointAccount, type DecodedCheckpoint, restoreColumns } from '@simfleet/core/checkpoint';
import { dropDuplicateIds, POOL_COLUMNS, ROW_COLUMNS } from '@simfleet/core/columns';
import type { WasmLineDecoder } from '@simfleet/wasm';
import { lineRecord, type RawRecord, tooLongRecord } from '../input/readRecords.js';
import { externalFinish } from './externalFinish.js';
import { orderById } from './orderById.js';
import type { RangeResult } from './RangeIngest.js';
import { RowSpill } from './RowSpill.js';
import { type ChunkSink, rowsWithoutEndpoint, WasmLines, type WasmLinesOptions, wasmDecoderFor } from './WasmLines.js';

/** Options of `ReplaySession.wasmLines`: the input's (`WasmLinesOptions`) and the decoder's. */
export interface SessionLinesOptions extends WasmLinesOptions {
  /** Longest line in bytes (default 16 MiB): a longer one is rejected as `line_too_long`. */
  readonly maxLineBytes?: number | undefined;
  /** Input bytes one WebAssembly call decodes (default 1 MiB; a longer line is collected apart). */
  readonly chunkBytes?: number | undefined;
}

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
  /** Called once per organisation change that reaches members, instead of once per member (`ApplyBatchOptions.onOrganisationTransition`). */
  readonly onOrganisationTransition?: (change: OrganisationTransition) => void;
  /** Remember the type of the events of this endpoint (for `simfleet device`). */
  readonly watchEndpoint?: number;
  /** The pool the fleet interns into: a resumed checkpoint's (`DecodedCheckpoint.pool`), so its rows are adopted as they are. */
  readonly pool?: StringPool | undefined;
  /**
   * Rows kept in memory before they are spilled to disk as a sorted run (default 2^20,
   * 80 MB of rows: a 1M-event log stays in memory, a million-device fleet's rows cost less
   * than its devices, and the doubling buffers end exactly at it): memory is about this ×
   * 76 B plus the devices.
   */
  readonly maxRowsInMemory?: number | undefined;
  /** Where spill files go (a fresh directory is made inside it and removed); default: the OS temp directory. */
  readonly spillDirectory?: string | undefined;
  /** Rows per block of a spill file (tests; default 8192). */
  readonly spillBlockRows?: number | undefined;
}

/** `ReplayOptions.maxRowsInMemory` when not given. */
export const DEFAULT_MAX_ROWS_IN_MEMORY = 1 << 20;

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
  readonly fleet: FleetStore;
  readonly watched: WatchedEvents = new Map();
  readonly #options: ReplayOptions;
  readonly #columns: EventColumns;
  #wasm: WasmLineDecoder | undefined;
  /** The line bound and chunk size `#wasm` was made with. */
  #wasmKey = '';
  #records = 0;
  #rejected = 0;
  readonly #rejectedByReason = new Map<string, number>();
  /**
   * Event id (decimal) → type id of the accepted events of unknown types. The report counts
   * events, not copies: a re-sent line is one event (the smallest type id when copies differ).
   */
  readonly #unknownById = new Map<string, number>();
  /** Unknown-type counts of a resumed checkpoint that has no ids (an older version). */
  readonly #legacyUnknown = new Map<number, number>();
  /** Accepted records without an endpoint, copies included: the checkpoint header's count (the report's comes from the rows). */
  #withoutEndpoint = 0;
  /** Duplicate rows a checkpoint dropped before it was written (checkpoint/). */
  #duplicatesRemoved = 0;
  /** Per worker pool (RangeResult.strings.pool): its references → this fleet pool's. */
  readonly #workerRemaps = new Map<number, { remap: Uint32Array; size: number }>();
  /** Rows pending in memory that trigger a spill. */
  readonly #budget: number;
  /** The spilled runs, once there are some. */
  #spill: RowSpill | undefined;

  constructor(options: ReplayOptions = {}) {
    this.#options = options;
    this.#budget = Math.max(1, Math.floor(options.maxRowsInMemory ?? DEFAULT_MAX_ROWS_IN_MEMORY));
    this.fleet = new FleetStore(options.pool === undefined ? {} : { pool: options.pool });
    this.#columns = this.fleet.createColumns(1 << 16);
  }

  /**
   * Ingests one NDJSON line given as bytes (`bytes[start, end)`, no newline in it) through the
   * WebAssembly decoder, the full decoder where it cannot be sure: the route of a replayed
   * file, for a caller that has its lines one by one (a journal's records). A file or a chunk
   * of lines is faster through `wasmLines` (one call for all of its lines).
   *
   * @example
   * session.ingestLine(payload, 0, payload.length, 'serve', 0);
   */
  ingestLine(bytes: Uint8Array, start: number, end: number, file: string, line: number): void {
    const lines = this.wasmLines(file, { firstLine: line });
    lines.push(bytes.subarray(start, end));
    lines.end();
  }

  /** A line for the full decoder (as text): one the WebAssembly decoder did not decode. */
  ingestFullLine(bytes: Uint8Array, start: number, end: number, file: string, line: number): void {
    const record = lineRecord(bytes.subarray(start, end), line);
    if (record !== undefined) this.ingest(record, file);
  }

  /**
   * The lines of NDJSON `file` through the WebAssembly decoder (one per session, so its
   * interned strings carry over from file to file). `maxLineBytes` bounds a line (default
   * 16 MiB): a longer one is rejected as `line_too_long`.
   *
   * @example
   * const lines = session.wasmLines('log.ndjson', { atInputStart: true });
   * for await (const chunk of chunks) lines.push(chunk);
   * lines.end();
   */
  wasmLines(file: string, options: SessionLinesOptions = {}): WasmLines {
    const key = `${options.maxLineBytes}/${options.chunkBytes}`;
    if (this.#wasm === undefined || this.#wasmKey !== key) {
      this.#wasm = wasmDecoderFor(this.#columns, { ...this.#options, maxLineBytes: options.maxLineBytes }, options.chunkBytes);
      this.#wasmKey = key;
    }
    return new WasmLines(this.chunkSink(file, options.maxLineBytes), this.#wasm, options);
  }

  /**
   * The WebAssembly route's sink for `file` (see WasmLines.ts): rows of a chunk are appended
   * in runs that never pass the row budget (a spill comes exactly where the line-by-line
   * route would make it), other lines go through the full decoder.
   */
  chunkSink(file: string, maxLineBytes?: number): ChunkSink {
    const columns = this.#columns;
    return {
      columns,
      rows: (chunk, from, to) => {
        while (from < to) {
          const n = Math.min(to - from, Math.max(1, this.#budget - columns.length));
          const at = columns.length;
          chunk.appendRows(columns, from, from + n);
          this.#records += n;
          this.#withoutEndpoint += rowsWithoutEndpoint(columns, at, at + n);
          from += n;
          if (columns.length >= this.#budget) this.#spillPending();
        }
      },
      line: (bytes, start, end, line) => this.ingestFullLine(bytes, start, end, file, line),
      tooLong: (line, bytes, head) => this.ingest(tooLongRecord(line, bytes, head, maxLineBytes), file),
    };
  }

  /**
   * Merges what a worker decoded from a byte range of `file` whose first line is
   * `firstLine`: its rows (string references remapped into this fleet's pool), its
   * counts, then the lines it deferred, ingested here in line order. `remap` is what
   * `adoptWorkerStrings` gave for this result (by default it is called now: right when a
   * worker's results merge in the order it made them).
   */
  mergeRange(result: RangeResult, file: string, firstLine: number, remap: Uint32Array = this.adoptWorkerStrings(result.strings)): void {
    const from = result.columns;
    const to = this.#columns;
    const n = from.length;
    // Spill first when the range would overflow the budget: the columns then never grow
    // past max(budget, one range) (growing past the budget doubles them, ~70 B a row).
    if (to.length > 0 && to.length + n > this.#budget) this.#spillPending();
    const base = to.length;
    to.reserve(base + n);
    // String columns hold the worker's pool references: remap them into this pool.
    for (const [name] of ROW_COLUMNS) {
      if (POOL_REFS.has(name)) remapInto(to[name] as Uint32Array, base, from[name] as Uint32Array, n, remap);
      else to[name].set(from[name].subarray(0, n) as never, base);
    }
    to.length = base + n;
    this.#records += result.records;
    this.#withoutEndpoint += result.withoutEndpoint;
    for (const [id, typeId] of result.unknownTypes) this.#noteUnknown(id, typeId);
    for (const d of result.deferred) this.ingest({ ...d, line: d.line + firstLine - 1 }, file);
    this.#spillIfFull();
  }

  /**
   * Worker pool reference → this pool's, extended by the strings a result brings (from
   * their bytes: no JS string is made). Call it for each worker's results in the order
   * that worker made them (each delta starts where the last one ended); rows may then
   * merge in another order (`mergeRange(result, file, line, remap)`). The array returned
   * stays valid for that result even when the worker later retires its pool.
   *
   * @example
   * const remap = session.adoptWorkerStrings(result.strings); // as results arrive
   * session.mergeRange(result, 'log.ndjson', firstLine, remap); // in file order
   */
  adoptWorkerStrings(strings: RangeResult['strings']): Uint32Array {
    if (strings.retired !== undefined) this.#workerRemaps.delete(strings.retired);
    let known = this.#workerRemaps.get(strings.pool);
    if (known === undefined) {
      if (strings.after !== 0) throw new Error(`worker pool ${strings.pool} continues from string ${strings.after}, but none was merged`);
      known = { remap: new Uint32Array(1 << 12), size: 0 };
      this.#workerRemaps.set(strings.pool, known);
    }
    if (strings.after !== known.size) throw new Error(`worker pool ${strings.pool} continues from string ${strings.after}, not ${known.size}`);
    const local = this.fleet.pool.internStored(strings);
    const size = known.size + local.length - 1;
    if (size + 1 > known.remap.length) {
      const grown = new Uint32Array(Math.max(size + 1, known.remap.length * 2));
      grown.set(known.remap);
      known.remap = grown;
    }
    known.remap.set(local.subarray(1), known.size + 1);
    known.size = size;
    return known.remap;
  }

  /**
   * Makes room at once for about `rows` more rows (within the row budget): a caller that can
   * estimate them (a file's size over its bytes per line so far) spares the columns their
   * doublings, each a copy of every row so far. Rows past the estimate still fit (the columns
   * grow as before); room never used costs address space, not memory (untouched pages).
   *
   * @example
   * session.expectRows(Math.ceil((fileBytes - bytesRead) * (linesRead / bytesRead)));
   */
  expectRows(rows: number): void {
    if (!(rows > 0)) return;
    const columns = this.#columns;
    columns.reserve(Math.min(this.#budget, columns.length + Math.ceil(rows * 1.02)));
  }

  /** Decodes one record into the pending columns, or rejects it with a reason. */
  ingest(record: RawRecord, file: string): void {
    this.#records++;
    if (record.framingError !== undefined) {
      this.#reject({ file, line: record.line, code: record.code ?? 'invalid_framing', reason: record.framingError, raw: record.text });
      return;
    }
    const decoded = decodeEventText(record.text, { line: record.line });
    if (!decoded.ok) {
      const error = decoded.error;
      this.#reject({ file, line: error.line ?? record.line, code: error.code, reason: error.message, raw: record.text });
      return;
    }
    this.#ingestDecoded(decoded.value, file, record.line, record.text);
  }

  /**
   * Ingests a record that is already decoded (the webhook service's journal, which keeps
   * what it received in the replay's form so that its checkpoints resume exactly).
   */
  ingestEvent(event: EmnifyEvent, file: string, line: number): void {
    this.#records++;
    this.#ingestDecoded(event, file, line, '');
  }

  #ingestDecoded(event: EmnifyEvent, file: string, line: number, raw: string): void {
    const until = this.#options.until;
    if (until !== undefined && event.timestamp > until) {
      this.#reject({ file, line, code: 'after_until', reason: `event time ${new Date(event.timestamp).toISOString()} is after --until`, raw });
      return;
    }
    const pushed = this.#columns.push(classifyEvent(event));
    if (!pushed.ok) {
      const error = pushed.error;
      this.#reject({ file, line, code: error.code, reason: error.message, raw });
      return;
    }
    if (event.type === 'unknown') this.#noteUnknown(event.id.toString(), event.typeId);
    if (event.endpoint === null) this.#withoutEndpoint++;
    if (this.#options.watchEndpoint !== undefined && event.endpoint?.id === this.#options.watchEndpoint) {
      this.watched.set(event.id, { typeId: event.typeId, description: event.description });
    }
    this.#spillIfFull();
  }

  #noteUnknown(id: string, typeId: number): void {
    const known = this.#unknownById.get(id);
    if (known === undefined || typeId < known) this.#unknownById.set(id, typeId);
  }

  /** Events of unknown types by type id: one per event id, plus an older checkpoint's counts. */
  #unknownCounts(): Map<number, number> {
    const counts = new Map(this.#legacyUnknown);
    for (const typeId of this.#unknownById.values()) counts.set(typeId, (counts.get(typeId) ?? 0) + 1);
    return counts;
  }

  #spillIfFull(): void {
    if (this.#columns.length >= this.#budget) this.#spillPending();
  }

  /**
   * Writes the pending rows as one run in (id, time, content) order and empties them.
   * Copies of an id inside the run are adjacent and the first is the one `finish` keeps,
   * so the others are dropped here already and counted (as a checkpoint's
   * `duplicatesRemoved`: the rows it describes no longer hold them).
   */
  #spillPending(): void {
    const c = this.#columns;
    if (c.length === 0) return;
    this.#spill ??= RowSpill.create(this.#options.spillDirectory, this.#options.spillBlockRows);
    const order = orderById(c, this.fleet.pool);
    const writer = this.#spill.runs.writer();
    let lastHi = -1;
    let lastLo = -1;
    for (let i = 0; i < order.length; i++) {
      const row = order[i]!;
      const hi = c.idHi[row]!;
      const lo = c.idLo[row]!;
      if (hi === lastHi && lo === lastLo) {
        this.#duplicatesRemoved++;
        continue;
      }
      lastHi = hi;
      lastLo = lo;
      writer.push(c, row);
    }
    this.#spill.add(writer.end());
    c.clear();
  }

  /** Whether rows were spilled to disk (the budget was reached). */
  get spilled(): boolean {
    return this.#spill !== undefined;
  }

  /**
   * Removes the spill files and their directory, if any (`finish` does it; call it when a
   * replay is abandoned). Idempotent.
   */
  dispose(): void {
    this.#spill?.dispose();
    this.#spill = undefined;
  }

  /**
   * Deduplicates by event id and applies every remaining event in (time, id) order.
   * Call once, after the last `ingest`.
   */
  finish(): ReplayAccount {
    // Nothing is decoded or interned from here on: the decoder's WASM memory and the pool's
    // lookup index go (a million-device replay peaks while its devices are built, below).
    this.#wasm = undefined;
    this.#wasmKey = '';
    this.fleet.pool.releaseIndex();
    if (this.#spill !== undefined) return this.#finishSpilled(this.#spill);
    const all = this.#columns;
    // One row per event id (compacted in place: no second copy of the rows).
    const duplicates = dropDuplicateIds(all);
    // Counted on the rows left, one per event id: a re-sent copy is not another event.
    let withoutEndpoint = 0;
    for (let i = 0; i < all.length; i++) if (Number.isNaN(all.endpointId[i]!)) withoutEndpoint++;
    const { onTransition, onOrganisationTransition } = this.#options;
    const result: BatchResult = applyBatch(this.fleet, all, {
      ...(onTransition === undefined ? {} : { onTransition }),
      ...(onOrganisationTransition === undefined ? {} : { onOrganisationTransition }),
    });
    let asOf: number | null = null;
    for (let i = 0; i < all.length; i++) if (asOf === null || all.at[i]! > asOf) asOf = all.at[i]!;
    all.clear();
    return {
      records: this.#records,
      applied: result.applied,
      // Per-device duplicates cannot remain after the id pass; count them anyway.
      duplicates: duplicates + result.duplicates + this.#duplicatesRemoved,
      rejected: this.#rejected + result.late,
      rejectedByReason: sortedCounts(this.#rejectedByReason),
      unknownEventTypes: sortedCounts(this.#unknownCounts()),
      eventsWithoutEndpoint: withoutEndpoint,
      asOf,
    };
  }

  #finishSpilled(spill: RowSpill): ReplayAccount {
    try {
      this.#spillPending();
      const onTransition = this.#options.onTransition;
      const result = externalFinish({
        fleet: this.fleet,
        source: spill.runs,
        runs: spill.list,
        target: spill.secondFile(),
        buffer: this.#columns,
        budget: this.#budget,
        onTransition,
        onOrganisationTransition: this.#options.onOrganisationTransition,
      });
      return {
        records: this.#records,
        applied: result.applied,
        duplicates: result.duplicates + result.batchDuplicates + this.#duplicatesRemoved,
        rejected: this.#rejected + result.late,
        rejectedByReason: sortedCounts(this.#rejectedByReason),
        unknownEventTypes: sortedCounts(this.#unknownCounts()),
        eventsWithoutEndpoint: result.withoutEndpoint,
        asOf: result.asOf,
      };
    } finally {
      this.dispose();
    }
  }

  /**
   * The resumable state for a checkpoint (checkpoint/ReplayCheckpoints.ts): the rows read
   * so far and the counters `finish` cannot recompute from them. Only before `finish`.
   */
  checkpointState(): { readonly columns: EventColumns; readonly account: CheckpointAccount } {
    return {
      // Spilled runs are read back: the checkpoint holds every row (a memory spike of all rows).
      columns: this.#spill === undefined ? this.#columns : this.#spill.readAll(this.#columns),
      account: {
        records: this.#records,
        rejected: this.#rejected,
        rejectedByReason: [...this.#rejectedByReason].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)),
        unknownEventTypes: [...this.#unknownCounts()].sort((a, b) => a[0] - b[0]),
        unknownEventIds: [...this.#unknownById].sort((a, b) => (BigInt(a[0]) < BigInt(b[0]) ? -1 : BigInt(a[0]) > BigInt(b[0]) ? 1 : 0)),
        eventsWithoutEndpoint: this.#withoutEndpoint,
        duplicatesRemoved: this.#duplicatesRemoved,
      },
    };
  }

  /** Continues from a checkpoint: its rows and counters are added to this session's (call before reading). */
  restoreCheckpoint(checkpoint: DecodedCheckpoint): void {
    restoreColumns(checkpoint, this.#columns);
    this.#spillIfFull();
    const a = checkpoint.header.account;
    this.#records += a.records;
    this.#rejected += a.rejected;
    for (const [code, n] of a.rejectedByReason) this.#rejectedByReason.set(code, (this.#rejectedByReason.get(code) ?? 0) + n);
    if (a.unknownEventIds === undefined) {
      for (const [typeId, n] of a.unknownEventTypes) this.#legacyUnknown.set(typeId, (this.#legacyUnknown.get(typeId) ?? 0) + n);
    } else {
      for (const [id, typeId] of a.unknownEventIds) this.#noteUnknown(id, typeId);
    }
    this.#withoutEndpoint += a.eventsWithoutEndpoint;
    this.#duplicatesRemoved += a.duplicatesRemoved;
  }

  #reject(rejection: Rejection): void {
    this.#rejected++;
    this.#rejectedByReason.set(rejection.code, (this.#rejectedByReason.get(rejection.code) ?? 0) + 1);
    this.#options.onReject?.(rejection);
  }
}

/** The row columns that hold string pool references. */
const POOL_REFS: ReadonlySet<string> = new Set(POOL_COLUMNS);

/**
 * `to[at + i] = remap[from[i]]` for i < n: one monomorphic loop (Uint32Array only), so V8
 * keeps it tight whichever column it is called for.
 */
function remapInto(to: Uint32Array, at: number, from: Uint32Array, n: number, remap: Uint32Array): void {
  for (let i = 0; i < n; i++) to[at + i] = remap[from[i] as number] as number;
}

/** Counts as a plain object with its keys in ascending order (stable snapshot bytes). */
export function sortedCounts<K extends string | number>(counts: Map<K, number>): Record<string, number> {
  const keys = [...counts.keys()].sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : 1));
  const out: Record<string, number> = {};
  for (const key of keys) out[String(key)] = counts.get(key) ?? 0;
  return out;
}

/** Catalog name of a type id, for people. */
export function eventTypeName(typeId: number): string {
  return eventTypeById(typeId)?.name ?? `unknown type ${typeId}`;
}
