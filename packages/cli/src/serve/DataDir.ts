import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { classifyEvent, decodeEventText, type EmnifyEvent, encodeEvent, type EventColumns, stringifyJson } from '@simfleet/core';
import { decodeCheckpoint, encodeCheckpoint } from '@simfleet/core/checkpoint';
import {
  checkpointHasher,
  comparePositions,
  DirectoryCheckpointStore,
  formatPosition,
  InputError,
  Journal,
  type JournalPosition,
  type JournalState,
  LiveFleet,
  liveFromCheckpoint,
  ReplaySession,
} from '@simfleet/engine';
import { checkpointFileName, type DataDirCheckpoint, listCheckpoints, removeOlderCheckpoints } from './dataDirCheckpoints.js';

/** Options of `DataDir.open`. */
export interface DataDirOptions {
  /** The directory: the journal goes in `DIR/journal`, the checkpoints in `DIR`. */
  readonly dir: string;
  readonly reorderHorizonMs: number;
  readonly maxClockSkewMs: number;
  /** Seed an empty data directory with this checkpoint file (`--from`). */
  readonly from?: string;
  /** Checkpoint after this many journaled records since the last one. */
  readonly everyRecords?: number;
  /** Checkpoint after this many ms (on a timer) when records were journaled since the last one. */
  readonly intervalMs?: number;
  /** Journal segment size (tests; default the journal's). */
  readonly maxSegmentBytes?: number;
  readonly log: (message: string) => void;
}

/** Why a data directory cannot be used: one line for the user. */
export class DataDirError extends Error {
  override readonly name = 'DataDirError';
}

/** Journal records (requests) folded into a checkpoint between two yields to the event loop. */
const COMPACT_SLICE = 64;

/**
 * serve's durable state in one directory: a write-ahead journal of every record the engine
 * judged, and checkpoints that each cover the journal up to a position (in the file name).
 *
 * - `writeAhead` journals a request's records (fdatasync, group commit) *before* they are
 *   applied: nothing is in the live state, or acknowledged, that is not on disk, and a
 *   storage failure leaves the state untouched (the request gets a 503). One journal
 *   record per request (its events as NDJSON lines): the batch is kept as the engine saw
 *   it, since which events are too late depends on how they were batched.
 * - `open` recovers by itself: the newest checkpoint, then the journal after its position,
 *   batch by batch in journal order (the order the live state applied them), so every
 *   acknowledged event is in the state once, judged as it was.
 * - `checkpoint` folds the previous checkpoint and the journal after it into a new one (read
 *   back from disk: no copy of the records is kept in memory), then deletes the journal
 *   segments it covers.
 *
 * @example
 * const data = await DataDir.open({ dir: '/var/lib/simfleet', reorderHorizonMs, maxClockSkewMs, log });
 * const result = await data.writeAhead(events, () => live.ingest(events)); // durable, then applied
 * await data.close(); // final checkpoint
 */
export class DataDir {
  /** The live state, recovered. */
  readonly live: LiveFleet;
  readonly #dir: string;
  readonly #journal: Journal;
  readonly #store: DirectoryCheckpointStore;
  readonly #clock: { fixed: number | null };
  readonly #skew: number;
  readonly #scratch: EventColumns;
  readonly #everyRecords: number | undefined;
  readonly #timer: NodeJS.Timeout | undefined;
  readonly #log: (message: string) => void;
  #checkpoint: DataDirCheckpoint | null;
  #sinceLast = 0;
  #running: Promise<void> | null = null;
  #checkpoints = 0;

  private constructor(
    options: DataDirOptions,
    dir: string,
    journal: Journal,
    live: LiveFleet,
    clock: { fixed: number | null },
    checkpoint: DataDirCheckpoint | null,
  ) {
    this.#dir = dir;
    this.#journal = journal;
    this.live = live;
    this.#clock = clock;
    this.#checkpoint = checkpoint;
    this.#skew = options.maxClockSkewMs;
    this.#scratch = live.fleet.createColumns(1 << 10);
    this.#store = new DirectoryCheckpointStore(dir);
    this.#everyRecords = options.everyRecords;
    this.#log = options.log;
    if (options.intervalMs !== undefined) {
      this.#timer = setInterval(() => {
        if (this.#sinceLast > 0 && this.#running === null) this.#background();
      }, options.intervalMs);
      this.#timer.unref();
    }
  }

  /**
   * Opens (creating) the data directory and recovers the live state: the newest checkpoint,
   * then every journal record after it. Throws `DataDirError` (one line) when the directory
   * cannot be written, `--from` meets a directory that already holds state, or a checkpoint
   * or the journal is unusable.
   *
   * @example
   * const data = await DataDir.open({ dir: 'data', reorderHorizonMs: 864e5, maxClockSkewMs: 3e5, log: console.error });
   * data.live.fleet.endpointCount;
   */
  static async open(options: DataDirOptions): Promise<DataDir> {
    const dir = resolve(options.dir);
    let journal: Journal;
    try {
      journal = await Journal.open(join(dir, 'journal'), options.maxSegmentBytes === undefined ? {} : { maxSegmentBytes: options.maxSegmentBytes });
    } catch (err: unknown) {
      throw new DataDirError(`cannot use ${dir}: ${err instanceof Error ? err.message : String(err)}`);
    }
    try {
      return await DataDir.#recover(options, dir, journal);
    } catch (err: unknown) {
      await journal.close().catch(() => undefined);
      if (err instanceof DataDirError) throw err;
      throw new DataDirError(`cannot recover ${dir}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  static async #recover(options: DataDirOptions, dir: string, journal: Journal): Promise<DataDir> {
    const tail = journal.state.tornTail;
    if (tail !== null) {
      options.log(`simfleet serve: cut a torn write at the end of journal segment ${tail.segment} (${tail.bytes} bytes, ${tail.reason}): it was never acknowledged`);
    }
    let checkpoints = await listCheckpoints(dir);
    if (options.from !== undefined) {
      if (checkpoints.length > 0 || !(await isEmpty(journal))) {
        throw new DataDirError(`--from ${options.from}: ${dir} already holds a journal or checkpoints; start without --from to continue from them`);
      }
      // The seed becomes the first checkpoint, at the journal's start: recovery and compaction then treat it like any other.
      let bytes: Uint8Array;
      try {
        await liveFromCheckpoint(options.from);
        bytes = await readFile(options.from);
      } catch (err: unknown) {
        throw new DataDirError(`--from ${err instanceof InputError ? err.message : `${options.from}: ${String(err)}`}`);
      }
      await new DirectoryCheckpointStore(dir).write(checkpointFileName(journal.end), bytes);
      checkpoints = await listCheckpoints(dir);
    }
    const clock: { fixed: number | null } = { fixed: null };
    const liveOptions = { reorderHorizonMs: options.reorderHorizonMs, maxClockSkewMs: options.maxClockSkewMs, now: () => clock.fixed ?? Date.now() };
    const newest = checkpoints.at(-1) ?? null;
    let live: LiveFleet;
    if (newest === null) live = new LiveFleet(liveOptions);
    else {
      try {
        live = await liveFromCheckpoint(newest.path, liveOptions);
      } catch (err: unknown) {
        throw new DataDirError(`checkpoint ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    // Replayed in journal order, which is the order they were applied live; every one of them
    // passed the clock guard when it was journaled, so the guard is off meanwhile.
    clock.fixed = Number.POSITIVE_INFINITY;
    let events = 0;
    let accepted = 0;
    let duplicates = 0;
    let tooLate = 0;
    try {
      for await (const record of journal.read(newest?.position)) {
        const batch = journalBatch(record.payload, record.position);
        const result = live.ingest(batch);
        events += batch.length;
        accepted += result.accepted;
        duplicates += result.duplicates;
        tooLate += result.tooLate.length;
      }
    } finally {
      clock.fixed = null;
    }
    const from = newest === null ? 'no checkpoint' : `checkpoint ${newest.name}`;
    options.log(
      `simfleet serve: recovered ${dir}: ${from}, ${events} journaled event(s) replayed (${accepted} applied, ${duplicates} duplicates, ${tooLate} too late): ${live.fleet.endpointCount} endpoints`,
    );
    return new DataDir(options, dir, journal, live, clock, newest);
  }

  /** The journal's health (for `/healthz`). */
  get journalState(): JournalState {
    return this.#journal.state;
  }

  /** Checkpoints written since `open`. */
  get checkpointsWritten(): number {
    return this.#checkpoints;
  }

  /**
   * Journals the records of `events` the engine will judge (all but those it refuses: dated
   * past the clock guard, or unfit for its columns), waits until they are on stable storage,
   * then runs `apply` under the same clock, so the engine refuses exactly the ones left out.
   * Rejects with the `JournalError` when the storage refuses the write: nothing was applied.
   * `apply` may return `null` (the server is stopping): the records are durable all the same
   * and the next start applies them. `texts` (optional) are the records as received, one per
   * event, each decoding to its event (NDJSON lines): journaled as they are; otherwise the
   * journal holds `encodeEvent`'s canonical JSON, which decodes to the same event.
   *
   * @example
   * const result = await data.writeAhead(events, () => pipeline.ingest(events));
   */
  async writeAhead<R>(events: readonly EmnifyEvent[], apply: () => R, texts?: readonly string[]): Promise<R> {
    const at = Date.now();
    const limit = at + this.#skew;
    const scratch = this.#scratch;
    scratch.clear();
    const payloads: string[] = [];
    for (let i = 0; i < events.length; i++) {
      const event = events[i] as EmnifyEvent;
      const device = classifyEvent(event);
      if (device.at > limit || !scratch.push(device).ok) continue;
      payloads.push(texts?.[i] ?? stringifyJson(encodeEvent(event)));
    }
    scratch.clear();
    await this.#journal.append(payloads.length === 0 ? [] : [payloads.join('\n')]);
    // Applied right after the append resolved (no await between): appends resolve in journal order, so the live state applies in that order too.
    this.#clock.fixed = at;
    let result: R;
    try {
      result = apply();
    } finally {
      this.#clock.fixed = null;
    }
    this.#sinceLast += payloads.length;
    if (this.#everyRecords !== undefined && this.#sinceLast >= this.#everyRecords && this.#running === null) this.#background();
    return result;
  }

  /**
   * Writes a checkpoint covering the journal up to its current end (the previous checkpoint
   * and the journal after it, read back from disk), then deletes older checkpoints and the
   * journal segments it covers. One at a time; rejects when it could not be written.
   *
   * @example
   * await data.checkpoint();
   */
  async checkpoint(): Promise<void> {
    while (this.#running !== null) await this.#running.catch(() => undefined);
    const run = this.#compact();
    this.#running = run;
    try {
      await run;
    } finally {
      this.#running = null;
    }
  }

  /** Stops the timer, writes the final checkpoint (rejects if it fails: the journal still holds everything) and closes the journal. */
  async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    try {
      await this.checkpoint();
    } finally {
      await this.#journal.close();
    }
  }

  #background(): void {
    this.checkpoint().catch((err: unknown) => {
      this.#log(`simfleet serve: checkpoint not written (the journal keeps every record; retried at the next one): ${err instanceof Error ? err.message : String(err)}`);
    });
  }

  async #compact(): Promise<void> {
    const upTo = this.#journal.end;
    const previous = this.#checkpoint;
    if (previous !== null && comparePositions(previous.position, upTo) === 0) return;
    this.#sinceLast = 0;
    let session: ReplaySession;
    if (previous === null) session = new ReplaySession();
    else {
      const decoded = decodeCheckpoint(await readFile(previous.path), checkpointHasher);
      if (!decoded.ok) throw new Error(`${previous.path}: ${decoded.error.message}`);
      session = new ReplaySession({ pool: decoded.value.pool });
      session.restoreCheckpoint(decoded.value);
    }
    let n = 0;
    for await (const record of this.#journal.read(previous?.position)) {
      if (comparePositions(record.position, upTo) >= 0) break;
      for (const event of journalBatch(record.payload, record.position)) session.ingestEvent(event, 'serve', 0);
      // Requests keep being served while a large journal is folded in.
      if (++n % COMPACT_SLICE === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const { columns, account } = session.checkpointState();
    const bytes = encodeCheckpoint({ header: { createdAt: new Date().toISOString(), until: null, account, inputs: [] }, columns }, checkpointHasher);
    const name = checkpointFileName(upTo);
    await this.#store.write(name, bytes);
    this.#checkpoint = { name, path: join(this.#dir, name), position: upTo };
    this.#checkpoints++;
    await removeOlderCheckpoints(this.#dir, upTo);
    await this.#journal.truncateBefore(upTo);
  }
}

/** A journal record's events: one request's, as NDJSON lines (a JSON text never holds a raw newline). */
function journalBatch(payload: Buffer, position: JournalPosition): EmnifyEvent[] {
  const events: EmnifyEvent[] = [];
  for (const line of payload.toString('utf8').split('\n')) {
    const decoded = decodeEventText(line);
    if (!decoded.ok) throw new DataDirError(`journal record at ${formatPosition(position)} does not decode (${decoded.error.message}): the journal is damaged`);
    events.push(decoded.value);
  }
  return events;
}

/** Whether the journal holds no record at all. */
async function isEmpty(journal: Journal): Promise<boolean> {
  for await (const _ of journal.read()) return false;
  return true;
}
