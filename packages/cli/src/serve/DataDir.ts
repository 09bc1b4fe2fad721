import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { classifyEvent, decodeEventText, type EmnifyEvent, type EventColumns, encodeEvent, stringifyJson } from '@simfleet/core';
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
import { type BodyRows, LINE_ROW, RowBufferPool, RowCollector } from './BodyRows.js';
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
      // Preallocated segments: an acknowledgement waits for a data-only sync, not a metadata commit too.
      journal = await Journal.open(join(dir, 'journal'), {
        preallocate: true,
        ...(options.maxSegmentBytes === undefined ? {} : { maxSegmentBytes: options.maxSegmentBytes }),
      });
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
      options.log(
        `simfleet serve: cut a torn write at the end of journal segment ${tail.segment} (${tail.bytes} bytes, ${tail.reason}): it was never acknowledged`,
      );
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
    const buffers = new RowBufferPool(live.fleet);
    try {
      for await (const record of journal.read(newest?.position)) {
        const batch = journalRows(record.payload, record.position, buffers);
        const result = live.ingestColumns(batch.rows, batch);
        events += batch.records;
        batch.release();
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
    return this.#commit(payloads.length === 0 ? null : payloads.join('\n'), payloads.length, at, apply);
  }

  /**
   * `writeAhead` for a body decoded into rows (`decodeBodyRows`): journals the rows the clock
   * guard lets through, as the bytes they were received in (one slice of the body when it
   * is plain NDJSON), then runs `apply` under the same clock. Misfits are never journaled
   * (the engine refuses them).
   *
   * @example
   * const result = await data.writeAheadBody(body, () => pipeline.ingestBody(body));
   */
  async writeAheadBody<R>(body: BodyRows, apply: () => R): Promise<R> {
    const at = Date.now();
    const limit = at + this.#skew;
    const times = body.rows.at;
    let kept = 0;
    const payload = body.journalPayload((row) => {
      if ((times[row] as number) > limit) return false;
      kept++;
      return true;
    });
    return this.#commit(payload, kept, at, apply);
  }

  /** Journals `payload` (one record, or none), waits until it is durable, then applies under the clock `at`. */
  async #commit<R>(payload: Uint8Array | string | null, records: number, at: number, apply: () => R): Promise<R> {
    await this.#journal.append(payload === null ? [] : [payload]);
    // Applied right after the append resolved (no await between): appends resolve in journal order, so the live state applies in that order too.
    this.#clock.fixed = at;
    let result: R;
    try {
      result = apply();
    } finally {
      this.#clock.fixed = null;
    }
    this.#sinceLast += records;
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
      this.#log(
        `simfleet serve: checkpoint not written (the journal keeps every record; retried at the next one): ${err instanceof Error ? err.message : String(err)}`,
      );
    });
  }

  async #compact(): Promise<void> {
    const upTo = this.#journal.end;
    const previous = this.#checkpoint;
    if (previous !== null && comparePositions(previous.position, upTo) === 0) return;
    this.#sinceLast = 0;
    let session: ReplaySession;
    let rejectedBefore = 0;
    if (previous === null) session = new ReplaySession();
    else {
      const decoded = decodeCheckpoint(await readFile(previous.path), checkpointHasher);
      if (!decoded.ok) throw new Error(`${previous.path}: ${decoded.error.message}`);
      session = new ReplaySession({ pool: decoded.value.pool });
      session.restoreCheckpoint(decoded.value);
      rejectedBefore = decoded.value.header.account.rejected;
    }
    let n = 0;
    let first: JournalPosition | null = null;
    for await (const record of this.#journal.read(previous?.position)) {
      if (comparePositions(record.position, upTo) >= 0) break;
      first ??= record.position;
      // Replay's line route (its fast decoder first): the journal holds the lines as received.
      const payload = record.payload;
      for (let start = 0; start <= payload.length; ) {
        const nl = payload.indexOf(10, start);
        const end = nl === -1 ? payload.length : nl;
        session.ingestLine(payload, start, end, 'serve', 0);
        start = end + 1;
      }
      // Requests keep being served while a large journal is folded in.
      if (++n % COMPACT_SLICE === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const { columns, account } = session.checkpointState();
    // Every journaled line decoded when it was accepted: one refused now means damage (the CRCs passed, so not a torn write).
    if (account.rejected !== rejectedBefore) {
      throw new DataDirError(
        `the journal after ${first === null ? 'the checkpoint' : formatPosition(first)} holds ${account.rejected - rejectedBefore} line(s) that do not decode: the journal is damaged`,
      );
    }
    const bytes = encodeCheckpoint({ header: { createdAt: new Date().toISOString(), until: null, account, inputs: [] }, columns }, checkpointHasher);
    const name = checkpointFileName(upTo);
    await this.#store.write(name, bytes);
    this.#checkpoint = { name, path: join(this.#dir, name), position: upTo };
    this.#checkpoints++;
    await removeOlderCheckpoints(this.#dir, upTo);
    await this.#journal.truncateBefore(upTo);
  }
}

/**
 * A journal record's events as rows: one request's NDJSON lines (a JSON text never holds a
 * raw newline), through the fast decoder and, where it cannot be sure, the full one.
 */
function journalRows(payload: Buffer, position: JournalPosition, buffers: RowBufferPool): BodyRows {
  const rows = new RowCollector(buffers);
  let index = 0;
  for (let start = 0; start <= payload.length; index++) {
    const nl = payload.indexOf(10, start);
    const end = nl === -1 ? payload.length : nl;
    if (rows.fastLine(payload, start, end, index) !== LINE_ROW) {
      const decoded = decodeEventText(payload.toString('utf8', start, end));
      if (!decoded.ok)
        throw new DataDirError(`journal record at ${formatPosition(position)} does not decode (${decoded.error.message}): the journal is damaged`);
      rows.event(decoded.value, index);
    }
    start = end + 1;
  }
  return rows.result('ndjson', payload, { rejects: [], rejectCount: 0, rejectedRecords: 0, rejectsByCode: {} });
}

/** Whether the journal holds no record at all. */
async function isEmpty(journal: Journal): Promise<boolean> {
  for await (const _ of journal.read()) return false;
  return true;
}
