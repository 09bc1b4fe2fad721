/**
 * Checkpoints of one `simfleet replay` run: resuming from one (`--from`), writing them
 * during ingest (`--checkpoint-every`, `--checkpoint-interval`) and at the end
 * (`--checkpoint`).
 *
 * Why resuming is exact. A checkpoint holds the decoded rows read so far plus their
 * accounting (see @simfleet/core checkpoint/). Resuming loads them, skips the records of
 * inputs that were already read (the same, unchanged files named again), reads the rest,
 * and finishes as usual: deduplication and the (time, id) ordering then see every row,
 * old and new, so the result is byte-identical to replaying all logs at once — including
 * new events older than the checkpoint and duplicates across the split.
 *
 * Positions are counted in NDJSON lines (blank ones included) or JSON array elements,
 * from the start of each input. A periodic checkpoint is written between chunks of
 * input, so it may come a little after `--checkpoint-every` records. Standard input
 * cannot be re-read: its records are in the checkpoint, but `-` is never skipped.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type EventColumns, formatTimestamp, type StringPool } from '@simfleet/core';
import { type CheckpointAccount, type CheckpointInput, decodeCheckpoint, type DecodedCheckpoint, encodeCheckpoint } from '@simfleet/core/checkpoint';
import { InputError } from '../InputError.js';
import { ioErrorText } from '../io/ioErrorText.js';
import type { InputSource } from '../input/expandPaths.js';
import type { CheckpointStore } from './CheckpointStore.js';
import { checkpointHasher } from './checkpointHasher.js';

/** What a replay session exposes for checkpoints (ReplaySession implements it). */
export interface CheckpointableSession {
  /** The rows read so far and the counters `finish()` cannot recompute from them. */
  checkpointState(): { readonly columns: EventColumns; readonly account: CheckpointAccount };
  /** Takes a checkpoint's rows and counters as its own; before any record is read. */
  restoreCheckpoint(checkpoint: DecodedCheckpoint): void;
}

/** One checkpoint location: a store and a name in it, and how to name it to people. */
export interface CheckpointLocation {
  readonly store: CheckpointStore;
  readonly name: string;
  /** What messages call it (the path the user typed). */
  readonly label: string;
}

/** Options of `ReplayCheckpoints.open`. */
export interface ReplayCheckpointOptions {
  /** The run's inputs, in reading order. */
  readonly sources: readonly InputSource[];
  /** The run's `--until` (UTC epoch ms): a checkpoint must have been read with the same bound. */
  readonly until: number | undefined;
  /** Resume from this checkpoint. */
  readonly from?: CheckpointLocation | undefined;
  /** Write checkpoints here (periodic ones and the final one). */
  readonly out?: CheckpointLocation | undefined;
  /** Write a checkpoint after at least this many records since the last one. */
  readonly every?: number | undefined;
  /** Write a checkpoint after at least this many milliseconds since the last one. */
  readonly intervalMs?: number | undefined;
  /** Clock for `intervalMs` (tests). */
  readonly now?: () => number;
  /** One-line notices for people (stderr). */
  readonly warn?: (line: string) => void;
}

interface SourceState {
  readonly input: CheckpointInput;
  /** Leading units already in the loaded checkpoint. */
  readonly skip: number;
  position: number;
  complete: boolean;
}

/**
 * The checkpoint plan of one replay run.
 *
 * @example
 * const checkpoints = await ReplayCheckpoints.open({ sources, until, from, out, every: 1_000_000 });
 * checkpoints.resume(session);
 * // … for each source: skip `checkpoints.skipOf(source)` units, `await checkpoints.reached(…)` between chunks …
 * await checkpoints.final(session);
 */
export class ReplayCheckpoints {
  readonly #options: ReplayCheckpointOptions;
  readonly #loaded: DecodedCheckpoint | undefined;
  /** Inputs of the loaded checkpoint not named again: their rows stay, their entries are kept. */
  readonly #carried: readonly CheckpointInput[];
  readonly #states: Map<InputSource, SourceState>;
  readonly #now: () => number;
  #lastRecords = 0;
  #lastAt: number;
  #written = 0;

  private constructor(
    options: ReplayCheckpointOptions,
    loaded: DecodedCheckpoint | undefined,
    carried: CheckpointInput[],
    states: Map<InputSource, SourceState>,
  ) {
    this.#options = options;
    this.#loaded = loaded;
    this.#carried = carried;
    this.#states = states;
    this.#now = options.now ?? Date.now;
    this.#lastAt = this.#now();
  }

  /**
   * Loads and verifies `from` (if any) and matches its inputs with the run's. Throws a
   * `InputError` (exit 1) for a missing, refused or mismatched checkpoint, or an input that
   * changed since it was read.
   */
  static async open(options: ReplayCheckpointOptions): Promise<ReplayCheckpoints> {
    let loaded: DecodedCheckpoint | undefined;
    if (options.from !== undefined) {
      const { store, name, label } = options.from;
      const bytes = await store.read(name).catch((error: unknown) => {
        throw new InputError(`--from ${ioErrorText(error, label, 'read')}`);
      });
      if (bytes === undefined) throw new InputError(`--from ${label}: no such checkpoint`);
      const decoded = decodeCheckpoint(bytes, checkpointHasher);
      if (!decoded.ok) throw new InputError(`--from ${label}: ${decoded.error.message} [${decoded.error.code}]`);
      loaded = decoded.value;
      const broken = accountProblem(loaded);
      if (broken !== undefined)
        throw new InputError(
          `--from ${label}: the checkpoint's counts do not add up (${broken}): it was altered or written by a faulty program; replay from the logs`,
        );
      const until = options.until ?? null;
      if (loaded.header.until !== until) {
        throw new InputError(
          `--from ${label}: the checkpoint was read with --until ${describeUntil(loaded.header.until)}, this run has ${describeUntil(until)}: they must be the same`,
        );
      }
    }
    const previous = [...(loaded?.header.inputs ?? [])];
    const used = new Set<number>();
    const states = new Map<InputSource, SourceState>();
    for (const source of options.sources) {
      if (source.kind === 'stdin') {
        states.set(source, { input: { kind: 'stdin', path: null, size: 0, mtimeMs: 0, position: 0, complete: false }, skip: 0, position: 0, complete: false });
        continue;
      }
      const path = resolve(source.path);
      const info = await stat(path);
      const input: CheckpointInput = { kind: 'file', path, size: info.size, mtimeMs: info.mtimeMs, position: 0, complete: false };
      const index = previous.findIndex((p, i) => !used.has(i) && p.kind === 'file' && p.path === path);
      let skip = 0;
      let complete = false;
      if (index !== -1) {
        used.add(index);
        const before = previous[index]!;
        if (before.size !== info.size || before.mtimeMs !== info.mtimeMs) {
          throw new InputError(
            `--from ${options.from?.label}: '${source.path}' changed since the checkpoint read it (size ${before.size} → ${info.size} bytes, ` +
              `modified ${formatTimestamp(before.mtimeMs)} → ${formatTimestamp(info.mtimeMs)}): name only new logs, or replay from the logs`,
          );
        }
        skip = before.complete ? Number.POSITIVE_INFINITY : before.position;
        complete = before.complete;
      }
      states.set(source, { input, skip, position: complete ? previous[index]!.position : skip, complete });
    }
    const carried = previous.filter((_, i) => !used.has(i));
    for (const p of carried) {
      if (p.complete) continue;
      options.warn?.(
        p.kind === 'stdin'
          ? `simfleet: the checkpoint holds the first ${p.position} records of a standard input it did not finish; the rest cannot be resumed`
          : `simfleet: the checkpoint holds only the first ${p.position} lines or elements of '${p.path}'; name it again to read the rest`,
      );
    }
    return new ReplayCheckpoints(options, loaded, carried, states);
  }

  /** Checkpoints written so far by this run. */
  get written(): number {
    return this.#written;
  }

  /** The loaded checkpoint's string pool: create the session with it (`ReplayOptions.pool`) to adopt its rows as they are. */
  get pool(): StringPool | undefined {
    return this.#loaded?.pool;
  }

  /** Puts the loaded checkpoint (if any) into a fresh session. */
  resume(session: CheckpointableSession): void {
    if (this.#loaded !== undefined) session.restoreCheckpoint(this.#loaded);
  }

  /** Leading units of `source` already in the checkpoint: skip them; `Infinity` = the whole input. */
  skipOf(source: InputSource): number {
    return this.#states.get(source)?.skip ?? 0;
  }

  /**
   * Notes that `source` was read through `position` units (and `records` records in all
   * this run), and writes a periodic checkpoint when one is due.
   */
  async reached(session: CheckpointableSession, source: InputSource, position: number, records: number): Promise<void> {
    const state = this.#states.get(source);
    // While a resumed run passes over the lines its checkpoint holds, the reader's position is
    // still inside them: the checkpoint written now holds those lines too, so its position must
    // not fall behind them (a resume from it would read them again).
    if (state !== undefined && !state.complete) state.position = Math.max(position, state.skip);
    if (this.#due(records)) await this.#save(session, records);
  }

  /** Notes that every unit of `source` was read. */
  completed(source: InputSource, position: number): void {
    const state = this.#states.get(source);
    if (state === undefined) return;
    state.position = position;
    state.complete = true;
  }

  /** Writes the end-of-input checkpoint (before the session is finished), if asked for. */
  async final(session: CheckpointableSession): Promise<void> {
    if (this.#options.out !== undefined) await this.#save(session, this.#lastRecords);
  }

  #due(records: number): boolean {
    if (this.#options.out === undefined) return false;
    const { every, intervalMs } = this.#options;
    if (every !== undefined && records - this.#lastRecords >= every) return true;
    return intervalMs !== undefined && this.#now() - this.#lastAt >= intervalMs;
  }

  async #save(session: CheckpointableSession, records: number): Promise<void> {
    const out = this.#options.out;
    if (out === undefined) return;
    const { columns, account } = session.checkpointState();
    const inputs: CheckpointInput[] = [...this.#carried];
    for (const state of this.#states.values()) inputs.push({ ...state.input, position: state.position, complete: state.complete });
    const header = { createdAt: new Date(this.#now()).toISOString(), until: this.#options.until ?? null, account, inputs };
    await out.store.write(out.name, encodeCheckpoint({ header, columns }, checkpointHasher)).catch((error: unknown) => {
      throw new InputError(`--checkpoint ${ioErrorText(error, out.label, 'write')}`);
    });
    this.#written++;
    this.#lastRecords = records;
    this.#lastAt = this.#now();
  }
}

/**
 * Why a checkpoint's accounting cannot be true, or `undefined`. Every record read became a
 * row, a dropped duplicate row or a rejection, so `records = rows + duplicatesRemoved +
 * rejected`; the rejections by reason sum to `rejected`; unknown types and events without
 * an endpoint are counted among the rows. A header whose CRC was recomputed after its
 * counts were changed passes the CRC, but not these.
 *
 * @example
 * accountProblem(decoded) // 'records 10 ≠ rows 7 + duplicates removed 0 + rejected 2'
 */
export function accountProblem(checkpoint: DecodedCheckpoint): string | undefined {
  const a = checkpoint.header.account;
  const rows = checkpoint.rows.length;
  if (a.records !== rows + a.duplicatesRemoved + a.rejected) {
    return `records ${a.records} ≠ rows ${rows} + duplicates removed ${a.duplicatesRemoved} + rejected ${a.rejected}`;
  }
  const byReason = a.rejectedByReason.reduce((sum, [, n]) => sum + n, 0);
  if (byReason !== a.rejected) return `rejections by reason sum to ${byReason}, not rejected ${a.rejected}`;
  const unknown = a.unknownEventTypes.reduce((sum, [, n]) => sum + n, 0);
  if (unknown > a.records - a.rejected) return `${unknown} events of unknown types among ${a.records - a.rejected} accepted records`;
  if (a.eventsWithoutEndpoint > a.records - a.rejected) {
    return `${a.eventsWithoutEndpoint} events without an endpoint among ${a.records - a.rejected} accepted records`;
  }
  return undefined;
}

function describeUntil(until: number | null): string {
  return until === null ? 'none' : formatTimestamp(until);
}
