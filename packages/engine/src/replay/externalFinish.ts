/**
 * The end of a replay whose rows were spilled to disk (ReplaySession `maxRowsInMemory`):
 * the same result as `dropDuplicateIds` + one `applyBatch` over every row, with at most
 * about `budget` rows in memory.
 *
 * - Pass 1 merges the runs (each sorted by (id, time, content): orderById.ts) with a
 *   binary heap over their heads. Copies of an id come out adjacent and the first is the
 *   one the in-memory path keeps, so every row whose id equals the previous kept row's is
 *   a duplicate. Kept rows are buffered up to the budget, sorted by (time, id) and spilled
 *   again as new runs.
 * - Pass 2 merges those runs by (time, id) — ids are unique now, so that order is total
 *   and global — and feeds `applyBatch` in chunks: each chunk is in order and after every
 *   earlier chunk, so no event is late and the fleet ends as one sorted batch leaves it.
 *   When the kept rows fit in the budget they are applied straight from memory.
 */
import { applyBatch, type EventColumns, type FleetStore, type OrganisationTransition, type StringPool, type Transition } from '@simfleet/core';
import { appendRow, compareRowsContent, type RowArrays, sortBatch } from '@simfleet/core/columns';
import type { RunReader, SpillFile, SpillRun } from './SpillFile.js';

/** Rows per `applyBatch` call in pass 2. */
const APPLY_CHUNK = 1 << 16;

/** What the two passes found. */
export interface ExternalFinishResult {
  /** Rows dropped because their id was kept from another row. */
  readonly duplicates: number;
  readonly applied: number;
  /** `applyBatch`'s own per-device duplicates and late events (none expected). */
  readonly batchDuplicates: number;
  readonly late: number;
  readonly asOf: number | null;
  /** Kept rows (one per event id) without an endpoint. */
  readonly withoutEndpoint: number;
}

/** Where the passes work. */
export interface ExternalFinishInput {
  readonly fleet: FleetStore;
  /** The spilled runs, each in (id, time, content) order. */
  readonly source: SpillFile;
  readonly runs: readonly SpillRun[];
  /** An empty file for pass 1's output runs. */
  readonly target: SpillFile;
  /** Empty columns (the fleet's pool) that may hold up to `budget` rows. */
  readonly buffer: EventColumns;
  readonly budget: number;
  readonly onTransition?: ((transition: Transition) => void) | undefined;
  readonly onOrganisationTransition?: ((change: OrganisationTransition) => void) | undefined;
}

/**
 * Runs both passes.
 *
 * @example
 * const result = externalFinish({ fleet, source, runs, target, buffer: columns, budget: 4_000_000 });
 */
export function externalFinish(input: ExternalFinishInput): ExternalFinishResult {
  const { fleet, source, runs, target, buffer, budget } = input;
  const pool = fleet.pool;

  // Pass 1: drop duplicate ids, spill the kept rows as (time, id) runs.
  const kept: SpillRun[] = [];
  const spillKept = (): void => {
    if (buffer.length === 0) return;
    const order = sortBatch(buffer);
    const writer = target.writer();
    for (let i = 0; i < order.length; i++) writer.push(buffer, order[i]!);
    kept.push(writer.end());
    buffer.clear();
  };
  let duplicates = 0;
  let withoutEndpoint = 0;
  let lastHi = -1;
  let lastLo = -1;
  const byId = new RunHeap(
    runs.map((run) => source.reader(run)),
    (a, b) => compareById(pool, a, b),
  );
  for (let top = byId.top(); top !== undefined; top = byId.advance()) {
    const block = top.block;
    const row = top.row;
    const hi = block.idHi[row]!;
    const lo = block.idLo[row]!;
    if (hi === lastHi && lo === lastLo) {
      duplicates++;
      continue;
    }
    lastHi = hi;
    lastLo = lo;
    if (Number.isNaN(block.endpointId[row]!)) withoutEndpoint++;
    if (buffer.length >= budget) spillKept();
    buffer.reserve(buffer.length + 1);
    appendTo(block, row, buffer);
  }

  const { onTransition, onOrganisationTransition } = input;
  const options = {
    ...(onTransition === undefined ? {} : { onTransition }),
    ...(onOrganisationTransition === undefined ? {} : { onOrganisationTransition }),
  };
  if (kept.length === 0) {
    // Everything kept fits: one batch, exactly as the in-memory path.
    const result = applyBatch(fleet, buffer, options);
    let asOf: number | null = null;
    for (let i = 0; i < buffer.length; i++) if (asOf === null || buffer.at[i]! > asOf) asOf = buffer.at[i]!;
    buffer.clear();
    return { duplicates, applied: result.applied, batchDuplicates: result.duplicates, late: result.late, asOf, withoutEndpoint };
  }
  spillKept();
  // Pass 2 reads blocks and applies chunks: the budget's buffers (~76 B a row) can go.
  buffer.release();

  // Pass 2: merge by (time, id) into in-order chunks.
  let applied = 0;
  let batchDuplicates = 0;
  let late = 0;
  let asOf: number | null = null;
  const chunk = fleet.createColumns(APPLY_CHUNK);
  const flush = (): void => {
    if (chunk.length === 0) return;
    const result = applyBatch(fleet, chunk, options);
    applied += result.applied;
    batchDuplicates += result.duplicates;
    late += result.late;
    asOf = chunk.at[chunk.length - 1]!;
    chunk.clear();
  };
  const byTime = new RunHeap(
    kept.map((run) => target.reader(run)),
    compareByTime,
  );
  for (let top = byTime.top(); top !== undefined; top = byTime.advance()) {
    appendTo(top.block, top.row, chunk);
    if (chunk.length === APPLY_CHUNK) flush();
  }
  flush();
  return { duplicates, applied, batchDuplicates, late, asOf, withoutEndpoint };
}

function appendTo(from: RowArrays, row: number, to: EventColumns): void {
  to.reserve(to.length + 1);
  appendRow(from, row, to);
}

/** (id, time, content) of two run heads. */
function compareById(pool: StringPool, a: RunReader, b: RunReader): number {
  const x = a.block;
  const y = b.block;
  const i = a.row;
  const j = b.row;
  return x.idHi[i]! - y.idHi[j]! || x.idLo[i]! - y.idLo[j]! || x.at[i]! - y.at[j]! || compareRowsContent(pool, x, i, y, j);
}

/** (time, id) of two run heads. */
function compareByTime(a: RunReader, b: RunReader): number {
  const x = a.block;
  const y = b.block;
  const i = a.row;
  const j = b.row;
  return x.at[i]! - y.at[j]! || x.idHi[i]! - y.idHi[j]! || x.idLo[i]! - y.idLo[j]!;
}

/**
 * A binary min-heap of run readers keyed by their current row. Ties between runs are
 * broken by run index, so the merge is deterministic.
 */
class RunHeap {
  readonly #heap: RunReader[];
  readonly #index: Map<RunReader, number>;
  readonly #compare: (a: RunReader, b: RunReader) => number;

  constructor(readers: readonly RunReader[], compare: (a: RunReader, b: RunReader) => number) {
    this.#index = new Map(readers.map((r, i) => [r, i]));
    this.#compare = compare;
    this.#heap = readers.filter((r) => r.row >= 0);
    for (let i = (this.#heap.length >> 1) - 1; i >= 0; i--) this.#down(i);
  }

  /** The reader with the smallest current row. */
  top(): RunReader | undefined {
    return this.#heap[0];
  }

  /** Moves the top reader to its next row; returns the new top. */
  advance(): RunReader | undefined {
    const heap = this.#heap;
    const top = heap[0];
    if (top === undefined) return undefined;
    if (!top.next()) {
      const last = heap.pop()!;
      if (heap.length === 0) return undefined;
      heap[0] = last;
    }
    this.#down(0);
    return heap[0];
  }

  #less(a: RunReader, b: RunReader): boolean {
    const c = this.#compare(a, b);
    return c < 0 || (c === 0 && this.#index.get(a)! < this.#index.get(b)!);
  }

  #down(i: number): void {
    const heap = this.#heap;
    const n = heap.length;
    const item = heap[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const child = r < n && this.#less(heap[r]!, heap[l]!) ? r : l;
      if (!this.#less(heap[child]!, item)) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = item;
  }
}
