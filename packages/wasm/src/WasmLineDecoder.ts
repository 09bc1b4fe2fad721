/**
 * The typed boundary of the WebAssembly decoder: NDJSON bytes in (one call per chunk, never
 * one per line), rows out into `EventColumns`, strings interned in WASM memory and adopted
 * by the fleet's `StringPool` once per chunk.
 *
 * Each chunk the module decodes every complete line: a row (`STATUS_ROW`), or a status that
 * sends the line to the full decoder (`STATUS_FALLBACK`, `STATUS_INVALID`, `STATUS_HELD`),
 * or `STATUS_BLANK`. Its strings (ICCID, IMSI, IMEI, IP address, APN, operator parts) are
 * interned in pools in WASM memory, so a string seen before costs one hash and compare there
 * and nothing in JavaScript. After the chunk the boundary hands the strings that are new
 * since the last chunk to the fleet's pool in one `internStored` call (their bytes are read
 * in place), builds the key of each new operator once, writes the fleet references back into
 * the module's remap tables, and the module rewrites the chunk's rows with them. Rows are
 * then copied into `EventColumns` with one `set` per column.
 */
import { DATA_DISCONNECT_PREFIX, type EventColumns, REJECTION_PREFIX, REJECTION_REASON_CODES, rejectionReason, type StringPool } from '@simfleet/core';
import {
  concatPrefix,
  DEFAULT_MAX_LINE_BYTES,
  PLAN_OPERATOR_DETAIL,
  PLAN_RULE,
  PLAN_WHEN_FALSE,
  PLAN_WHEN_TRUE,
  SESSION_CREATED_CODE,
  SESSION_REJECTED_CODE,
  SESSION_UPDATED_CODE,
  TOO_LONG_HEAD_BYTES,
} from '@simfleet/core/columns';
import { LINE_COLUMNS, REASON_PENDING, ROW_COLUMNS, STATUS_FALLBACK, STATUS_TOO_LONG } from './layout.js';
import { type DecoderExports, instantiateDecoder } from './wasmModule.js';

/** The word `classifyEvent`'s deletion flag looks for (/delet/i), as core's fast path reads it. */
const DELETION_WORD = 'delet';
const STRINGS = 0;
const PARTS = 1;
const NO_ESCAPED: ReadonlyMap<number, string> = new Map();
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
const ascii = new TextDecoder('latin1');
/** Rejected sessions' descriptions whose reason code is remembered. */
const MAX_KNOWN_REASONS = 4096;
const encoder = new TextEncoder();

/** Options of a `WasmLineDecoder`. */
export interface WasmLineDecoderOptions {
  /** Bytes of input one chunk holds (a longer line goes to the full decoder); default 1 MiB. */
  readonly chunkBytes?: number;
  /** Lines one call decodes at most; default 8192. */
  readonly maxLines?: number;
  /** Rows later than this (epoch ms) are held for the full decoder (`STATUS_HELD`). */
  readonly until?: number;
  /** Rows of this endpoint are held for the full decoder (`STATUS_HELD`). */
  readonly watchEndpoint?: number;
  /**
   * Longest line in bytes without its newline (default core's `DEFAULT_MAX_LINE_BYTES`): a
   * longer one gets `STATUS_TOO_LONG` and is streamed past, never held whole.
   */
  readonly maxLineBytes?: number;
  /**
   * Strings the module's pool holds before it is emptied (after a chunk; default
   * `DEFAULT_MAX_POOL_STRINGS`). The fleet's pool keeps every string; the module's is a cache
   * in front of it, bounded so that WASM memory (which never shrinks) stays tens of MB on a
   * fleet of millions of devices instead of growing to ~200 B a string.
   */
  readonly maxPoolStrings?: number;
  /**
   * Bytes of strings the module's pool holds before it is emptied (default
   * `maxPoolStrings * POOL_BYTES_PER_STRING`): the same bound for fleets of long strings.
   */
  readonly maxPoolBytes?: number;
}

/**
 * `WasmLineDecoderOptions.maxPoolStrings` when not given. A string met again after the pool
 * was emptied is adopted into the fleet's pool once more (a lookup there, ~0.4 µs), so the
 * bound holds every string of a fleet of 100k devices (~5 strings each: ~500k) with room to
 * spare: such a replay adopts each string once. Its memory is set aside once (see
 * `MAX_RESERVED_STRINGS`): ≤ ~36 MB of WASM memory once full (a table of 2^20 16-byte slots,
 * 12 B a string and its bytes), touched only as strings come.
 */
export const DEFAULT_MAX_POOL_STRINGS = 700_000;

/** `maxPoolBytes` per string of `maxPoolStrings` when not given (ICCIDs, IMSIs, IMEIs, IP addresses: ~16). */
export const POOL_BYTES_PER_STRING = 32;

/**
 * Bounds up to which the module's pool memory is set aside at once (bigger ones, a test's
 * "no bound", let it grow as it goes instead of reserving address space it may never use).
 */
const MAX_RESERVED_STRINGS = 1 << 22;
const MAX_RESERVED_BYTES = 1 << 28;

type Column = Float64Array | Uint32Array | Uint8Array | Int16Array;
type RowName = (typeof ROW_COLUMNS)[number][0];
/** The columns `EventColumns` has (the module's first fifteen). */
const COPIED: readonly RowName[] = ROW_COLUMNS.map(([name]) => name).filter((n) => n !== 'descriptionStart' && n !== 'descriptionEnd');

/** One decoded chunk: views on WASM memory, valid until the next `decode`. */
export interface DecodedChunk {
  /** The chunk's input bytes; line offsets are indexes into it. */
  readonly bytes: Uint8Array;
  /** Input offset of `bytes[0]` (bytes consumed before this chunk). */
  readonly offset: number;
  /** Lines decoded. */
  readonly lines: number;
  /** Rows written (lines with `STATUS_ROW`). */
  readonly rows: number;
  /** Rows among them whose event has no endpoint. */
  readonly rowsWithoutEndpoint: number;
  /** Per line: a STATUS_ code. */
  readonly status: Uint8Array;
  /** Per line: index in `bytes` of its first byte. */
  readonly start: Uint32Array;
  /** Per line: index in `bytes` after its last byte (its newline not included). */
  readonly end: Uint32Array;
  /** Per line: its row (`STATUS_ROW`), else the number of rows before it. */
  readonly row: Uint32Array;
  /**
   * A line longer than the input, streamed past (`STATUS_TOO_LONG`): the chunk holds that one
   * line, its `bytes` are the line's first `TOO_LONG_HEAD_BYTES`, and this is its length in
   * bytes. 0 otherwise (a line's length is `end - start`).
   */
  readonly streamedBytes: number;
  /**
   * Appends rows [from, to) of the chunk to `columns` (whose pool must be the decoder's), one
   * `set` per column.
   */
  appendRows(columns: EventColumns, from: number, to: number): void;
}

/**
 * Decodes NDJSON chunks into `EventColumns` rows in WebAssembly.
 *
 * @example
 * const fleet = new FleetStore();
 * const columns = fleet.createColumns();
 * const decoder = new WasmLineDecoder(fleet.pool);
 * decoder.feed(bytes, true, (chunk) => {
 *   chunk.appendRows(columns, 0, chunk.rows); // the lines whose status is not STATUS_ROW go to the full decoder
 * });
 */
export class WasmLineDecoder {
  #pool: StringPool;
  readonly #ex: DecoderExports;
  readonly #capacity: number;
  readonly #maxLines: number;
  readonly #maxPoolStrings: number;
  readonly #maxPoolBytes: number;
  readonly #input: number;
  #buffer: ArrayBuffer | undefined;
  #heap = new Uint8Array(0);
  #rows: Record<RowName, Column> = {} as Record<RowName, Column>;
  #lineViews: { status: Uint8Array; start: Uint32Array; end: Uint32Array; row: Uint32Array } | undefined;
  /** Bytes held at the input's start (a partial line carried into the next chunk). */
  #held = 0;
  #offset = 0;
  #stringsAdopted = 1;
  #operatorsAdopted = 1;
  readonly #partText: (string | null)[] = [null];
  /** Reason code by rejected session's description. */
  readonly #reasons = new Map<string, number>();
  /** A line longer than the input: its bytes so far (none once it passed the bound), its length so far. */
  #long: Uint8Array[] | undefined;
  #longBytes = -1;
  #longOffset = 0;
  /** Its first bytes, once it passed the bound. */
  #longHead: Uint8Array = new Uint8Array(0);
  readonly #maxLine: number;
  /** The next bytes are the input's first: a byte-order mark there is dropped. */
  #atStart = false;

  constructor(pool: StringPool, options: WasmLineDecoderOptions = {}) {
    this.#pool = pool;
    this.#capacity = Math.max(1024, Math.floor(options.chunkBytes ?? 1 << 20));
    this.#maxLines = Math.max(1, Math.floor(options.maxLines ?? 8192));
    this.#maxPoolStrings = Math.max(1, Math.floor(options.maxPoolStrings ?? DEFAULT_MAX_POOL_STRINGS));
    this.#maxPoolBytes = Math.max(1, Math.floor(options.maxPoolBytes ?? this.#maxPoolStrings * POOL_BYTES_PER_STRING));
    const ex = instantiateDecoder();
    this.#ex = ex;
    ex.init(this.#capacity, this.#maxLines);
    if (this.#maxPoolStrings <= MAX_RESERVED_STRINGS && this.#maxPoolBytes <= MAX_RESERVED_BYTES) ex.reserveStrings(this.#maxPoolStrings, this.#maxPoolBytes);
    this.#input = ex.inputAddress();
    this.#refresh();
    const plan = ex.planAddress.value as number;
    this.#heap.set(PLAN_RULE, plan);
    this.#heap.set(PLAN_WHEN_TRUE, plan + 256);
    this.#heap.set(PLAN_WHEN_FALSE, plan + 512);
    this.#heap.set(PLAN_OPERATOR_DETAIL, plan + 768);
    const phrases = ex.phrasesAddress.value as number;
    const words = [DATA_DISCONNECT_PREFIX, REJECTION_PREFIX, DELETION_WORD].map((w) => encoder.encode(w.toLowerCase()));
    words.forEach((w, i) => {
      if (w.length > 64) throw new RangeError(`phrase too long for the decoder: ${w.length} bytes`);
      this.#heap.set(w, phrases + 64 * i);
    });
    ex.setPlanCodes(SESSION_CREATED_CODE, SESSION_UPDATED_CODE, SESSION_REJECTED_CODE, words[0]!.length, words[1]!.length, words[2]!.length);
    ex.setFilter(options.until ?? Number.POSITIVE_INFINITY, options.watchEndpoint ?? Number.NaN);
    this.#maxLine = Math.max(0, Math.floor(options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES));
    ex.setMaxLineBytes(Math.min(this.#maxLine, 0xffffffff));
  }

  /**
   * Starts a new input (a file, stdin): bytes of the last one not decoded are dropped (an
   * input that ended without `final`, a corrupt one), offsets count from 0 again. With
   * `atInputStart`, a byte-order mark at its first byte is dropped (the rule of core's
   * `NdjsonLines`); a worker's range that starts inside a file passes false.
   *
   * @example
   * decoder.startInput(true);
   * decoder.feed(wholeFile, true, onChunk);
   */
  startInput(atInputStart: boolean): void {
    this.#held = 0;
    this.#offset = 0;
    this.#long = undefined;
    this.#longBytes = -1;
    this.#atStart = atInputStart;
  }

  /** The pool rows reference (the fleet's). */
  get pool(): StringPool {
    return this.#pool;
  }

  /**
   * Interns into `pool` from the next chunk on, keeping the instance (its memory, set aside
   * once, and its compiled state): the module's strings, adopted into the last pool, are
   * forgotten, and its operators are adopted into `pool` again. A replay worker that starts
   * a new pool every million strings so keeps one instance, not one per pool (WASM memory is
   * freed only when the collector finds the instance).
   *
   * @example
   * decoder.retarget(StringPool.appendOnly());
   */
  retarget(pool: StringPool): void {
    if (pool === this.#pool) return;
    this.#pool = pool;
    this.#ex.clearStrings();
    this.#stringsAdopted = 1;
    this.#operatorsAdopted = 1;
  }

  /** Bytes of input one chunk holds. */
  get chunkBytes(): number {
    return this.#capacity;
  }

  /**
   * Where the next input bytes go (a view on WASM memory): write up to its length, then call
   * `decode(n, …)`. Reading a file straight into it saves a copy.
   *
   * @example
   * const n = readSync(fd, decoder.space());
   * decoder.decode(n, n === 0, onChunk);
   */
  space(): Uint8Array {
    return this.#heap.subarray(this.#input + this.#held, this.#input + this.#capacity);
  }

  /**
   * Decodes after `n` bytes were written into `space()`; `final` when no input follows (a
   * last line without a newline is decoded too). Calls `onChunk` once per decoded chunk.
   */
  decode(n: number, final: boolean, onChunk: (chunk: DecodedChunk) => void): void {
    let have = this.#held + n;
    if (this.#atStart) {
      const heap = this.#heap;
      const at = this.#input;
      // Fewer than 3 bytes that may begin a byte-order mark: wait for more (at the end they are the input).
      if (have < 3 && !final && isBomPrefix(heap, at, have)) {
        this.#held = have;
        return;
      }
      this.#atStart = false;
      if (have >= 3 && isBomPrefix(heap, at, 3)) {
        heap.copyWithin(at, at + 3, at + have);
        have -= 3;
        this.#offset += 3;
      }
    }
    for (;;) {
      if (this.#longBytes >= 0) {
        have = this.#continueLong(have, final, onChunk);
        if (this.#longBytes >= 0 || have === 0) {
          this.#held = have;
          return;
        }
      }
      const ex = this.#ex;
      const used = ex.decodeChunk(have, final ? 1 : 0);
      this.#refresh();
      const lines = ex.chunkLines();
      if (lines === 0) {
        if (have >= this.#capacity) {
          // No newline in a full input: a line longer than a chunk, for the full decoder (or too long).
          this.#long = [];
          this.#longBytes = 0;
          this.#longOffset = this.#offset;
          this.#collectLong(this.#heap.subarray(this.#input, this.#input + have));
          this.#offset += have;
          have = 0;
          continue;
        }
        this.#held = have;
        return;
      }
      this.#adopt();
      ex.finishChunk();
      // The chunk's rows hold fleet references now: the module's strings can go.
      if (ex.poolCount(STRINGS) > this.#maxPoolStrings || ex.poolUsed(STRINGS) > this.#maxPoolBytes) {
        ex.clearStrings();
        this.#stringsAdopted = 1;
      }
      onChunk(this.#chunk(lines, ex.chunkRows(), ex.chunkRowsWithoutEndpoint(), ex.chunkPendingReasons() > 0));
      this.#offset += used;
      // Lines left (the line capacity was reached, or the input's last line when final).
      const left = have - used;
      this.#heap.copyWithin(this.#input, this.#input + used, this.#input + have);
      have = left;
      // More lines to decode only when the line capacity stopped the call.
      if (left === 0 || lines < this.#maxLines) {
        this.#held = left;
        return;
      }
    }
  }

  /**
   * Decodes `bytes` (any piece of the input: lines may span calls), copying them into WASM
   * memory chunk by chunk; `final` on the last piece.
   *
   * @example
   * decoder.feed(buffer.subarray(0, n), false, onChunk);
   */
  feed(bytes: Uint8Array, final: boolean, onChunk: (chunk: DecodedChunk) => void): void {
    let at = 0;
    for (;;) {
      const space = this.space();
      const n = Math.min(space.length, bytes.length - at);
      space.set(bytes.subarray(at, at + n));
      at += n;
      const last = final && at === bytes.length;
      this.decode(n, last, onChunk);
      if (at === bytes.length) return;
    }
  }

  /** Views on WASM memory, made again when memory grew (its buffer changes). */
  #refresh(): void {
    const buffer = this.#ex.memory.buffer;
    if (buffer === this.#buffer) return;
    this.#buffer = buffer;
    this.#heap = new Uint8Array(buffer);
    const ex = this.#ex;
    const n = this.#maxLines;
    const views = {} as Record<RowName, Column>;
    ROW_COLUMNS.forEach(([name, kind], i) => {
      const at = ex.rowColumn(i);
      views[name] =
        kind === 'f64'
          ? new Float64Array(buffer, at, n)
          : kind === 'u32'
            ? new Uint32Array(buffer, at, n)
            : kind === 'i16'
              ? new Int16Array(buffer, at, n)
              : new Uint8Array(buffer, at, n);
    });
    this.#rows = views;
    const line = (name: (typeof LINE_COLUMNS)[number][0]): number => ex.lineColumn(LINE_COLUMNS.findIndex(([n]) => n === name));
    this.#lineViews = {
      status: new Uint8Array(buffer, line('status'), n),
      start: new Uint32Array(buffer, line('start'), n),
      end: new Uint32Array(buffer, line('end'), n),
      row: new Uint32Array(buffer, line('row'), n),
    };
  }

  /** The strings and operators new since the last chunk → the fleet's pool; their references → the module. */
  #adopt(): void {
    const ex = this.#ex;
    const count = ex.poolCount(STRINGS);
    if (count > this.#stringsAdopted) {
      const from = this.#stringsAdopted;
      const starts = new Uint32Array(this.#buffer!, ex.poolStarts(STRINGS), count);
      const bytes = ex.poolBytes(STRINGS);
      const remap = this.#pool.internStored({
        byteLengths: new Uint32Array(this.#buffer!, ex.poolLengths(STRINGS) + from * 4, count - from),
        bytes: this.#heap.subarray(bytes + starts[from]!, bytes + ex.poolUsed(STRINGS)),
        escaped: NO_ESCAPED,
      });
      new Uint32Array(this.#buffer!, ex.poolRemap(STRINGS), count).set(remap.subarray(1), from);
      this.#stringsAdopted = count;
    }
    const operators = ex.operatorCount();
    if (operators > this.#operatorsAdopted) {
      const parts = new Uint32Array(this.#buffer!, ex.operatorParts(), operators * 4);
      const remap = new Uint32Array(this.#buffer!, ex.operatorRemap(), operators);
      for (let op = this.#operatorsAdopted; op < operators; op++) {
        remap[op] = this.#pool.internOperator({
          name: this.#part(parts[op * 4]!),
          mcc: this.#part(parts[op * 4 + 1]!),
          mnc: this.#part(parts[op * 4 + 2]!),
          country: this.#part(parts[op * 4 + 3]!),
        });
      }
      this.#operatorsAdopted = operators;
    }
  }

  /** The text of an operator part (0: none). */
  #part(ref: number): string | null {
    const known = this.#partText[ref];
    if (known !== undefined) return known;
    const ex = this.#ex;
    const buffer = this.#buffer!;
    const count = ex.poolCount(PARTS);
    const start = new Uint32Array(buffer, ex.poolStarts(PARTS), count)[ref]!;
    const length = new Uint32Array(buffer, ex.poolLengths(PARTS), count)[ref]!;
    const at = ex.poolBytes(PARTS) + start;
    const text = utf8.decode(this.#heap.subarray(at, at + length));
    this.#partText[ref] = text;
    return text;
  }

  #chunk(lines: number, rows: number, withoutEndpoint: number, pending: boolean): DecodedChunk {
    const views = this.#lineViews!;
    const bytes = this.#heap.subarray(this.#input, this.#input + this.#capacity + 1);
    const sources = this.#rows;
    return {
      bytes,
      offset: this.#offset,
      lines,
      rows,
      rowsWithoutEndpoint: withoutEndpoint,
      status: views.status.subarray(0, lines),
      start: views.start.subarray(0, lines),
      end: views.end.subarray(0, lines),
      row: views.row.subarray(0, lines),
      streamedBytes: 0,
      appendRows: (columns, from, to) => {
        if (columns.pool !== this.#pool) throw new Error('the columns intern into another pool than the decoder');
        if (!(from >= 0 && from <= to && to <= rows)) throw new RangeError(`rows [${from}, ${to}) of a chunk of ${rows}`);
        const n = to - from;
        if (n === 0) return;
        const at = columns.length;
        columns.reserve(at + n);
        for (const name of COPIED) (columns[name as keyof EventColumns] as Column).set(sources[name].subarray(from, to), at);
        columns.length = at + n;
        if (pending) this.#fillReasons(columns, at, from, to, bytes);
      },
    };
  }

  /** A rejected session's reason, from its description (ASCII, no escapes: the module checked). */
  #fillReasons(columns: EventColumns, at: number, from: number, to: number, bytes: Uint8Array): void {
    const reasons = this.#rows.rejectionReason;
    const starts = this.#rows.descriptionStart;
    const ends = this.#rows.descriptionEnd;
    const known = this.#reasons;
    for (let r = from; r < to; r++) {
      if (reasons[r] !== REASON_PENDING) continue;
      // ASCII (the module checked): one string, no spread of the bytes into arguments.
      const text = ascii.decode(bytes.subarray(starts[r]!, ends[r]!));
      let code = known.get(text);
      if (code === undefined) {
        code = REJECTION_REASON_CODES.indexOf(rejectionReason(text));
        // Descriptions repeat a few phrasings: remember them, within a bound.
        if (known.size < MAX_KNOWN_REASONS) known.set(text, code);
      }
      columns.rejectionReason[at + r - from] = code;
    }
  }

  /** Adds a piece of the line longer than a chunk: kept while within the bound, then only counted (its head kept). */
  #collectLong(piece: Uint8Array): void {
    const long = this.#long;
    if (long !== undefined && this.#longBytes + piece.length > this.#maxLine) {
      long.push(piece.subarray(0, TOO_LONG_HEAD_BYTES));
      this.#longHead = concatPrefix(long, TOO_LONG_HEAD_BYTES);
      this.#long = undefined;
    } else if (long !== undefined) long.push(piece.slice());
    this.#longBytes += piece.length;
  }

  /** A line longer than a chunk: collects it up to its newline, then hands it on as a one-line chunk. */
  #continueLong(have: number, final: boolean, onChunk: (chunk: DecodedChunk) => void): number {
    const piece = this.#heap.subarray(this.#input, this.#input + have);
    const nl = piece.indexOf(0x0a);
    if (nl < 0 && !final) {
      this.#collectLong(piece);
      this.#offset += have;
      return 0;
    }
    const cut = nl < 0 ? have : nl;
    this.#collectLong(piece.subarray(0, cut));
    const long = this.#long;
    const total = this.#longBytes;
    this.#long = undefined;
    this.#longBytes = -1;
    // Too long: its first bytes only (and its length); else the whole line, for the full decoder.
    const line = long === undefined ? this.#longHead : concatPrefix(long, total);
    this.#longHead = new Uint8Array(0);
    onChunk({
      bytes: line,
      offset: this.#longOffset,
      lines: 1,
      rows: 0,
      rowsWithoutEndpoint: 0,
      status: Uint8Array.of(long === undefined ? STATUS_TOO_LONG : STATUS_FALLBACK),
      start: Uint32Array.of(0),
      end: Uint32Array.of(line.length),
      row: Uint32Array.of(0),
      streamedBytes: long === undefined ? total : 0,
      appendRows: (_columns, from, to) => {
        if (from !== 0 || to !== 0) throw new RangeError(`rows [${from}, ${to}) of a chunk of 0`);
      },
    });
    const used = nl < 0 ? have : nl + 1;
    this.#offset += used;
    this.#heap.copyWithin(this.#input, this.#input + used, this.#input + have);
    return have - used;
  }
}

/** Do heap[at, at + n) begin a UTF-8 byte-order mark (EF BB BF)? */
function isBomPrefix(heap: Uint8Array, at: number, n: number): boolean {
  const bom = [0xef, 0xbb, 0xbf];
  for (let i = 0; i < n && i < 3; i++) if (heap[at + i] !== bom[i]) return false;
  return true;
}
