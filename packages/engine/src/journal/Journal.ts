import { mkdir, open as openFile, readFile, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { closeFd, datasyncFd, O_DSYNC, openFd, segmentFlags, syncDirectory, truncateFd, writeAllAt } from './fileOps.js';
import { allZeroFrom, encodeFrameParts, type FrameParts, isSegmentHeader, readFrame, SEGMENT_HEADER_BYTES, SEGMENT_MAGIC, segmentHeader } from './frame.js';
import { JournalError, type JournalErrorCode, journalErrorFrom } from './JournalError.js';
import { comparePositions, formatPosition, type JournalPosition } from './JournalPosition.js';
import { removeSpares, SpareSegment } from './SpareSegment.js';
import { scanSegment } from './scanSegment.js';
import { listSegments, segmentFileName } from './segmentFiles.js';

/** Options of `Journal.open`. */
export interface JournalOptions {
  /**
   * A segment is closed and a new one started once an append would take it past this
   * many bytes (default 64 MiB). One append larger than this gets a segment of its own.
   */
  readonly maxSegmentBytes?: number;
  /**
   * Writes (each with its own `fdatasync`) that may be in flight at once (default 2; 1 is
   * strict one-sync-at-a-time group commit). Acknowledgements stay in file order.
   */
  readonly maxConcurrentSyncs?: number;
  /**
   * Write each new segment full of zeros (synced) before records go in (default false).
   * A record then overwrites bytes the file already has instead of growing it, so its sync
   * carries the data alone, not the file system's metadata commit for a new size: on
   * ext4 that is a half to a third of the sync time. The next segment is zeroed in the
   * background while the current one fills, a step at a time in the gaps between record
   * writes; a roll that comes before it is whole takes a plain segment (that one grows)
   * rather than wait. Zeros after the last frame are the segment's free space, never a
   * torn tail. Skipped (segments grow as they fill) when the file system has less than
   * four segments of free space.
   */
  readonly preallocate?: boolean;
}

/** One record read back, with where it is and where the next one starts. */
export interface JournalRecord {
  readonly position: JournalPosition;
  /** The position just after this record: pass it to `read` to continue after it. */
  readonly next: JournalPosition;
  readonly payload: Buffer;
}

/** What `open` cut from the end of the newest segment (the remains of a write a crash interrupted). */
export interface TornTail {
  readonly segment: number;
  /** Where the valid frames end (the segment's new length). */
  readonly offset: number;
  /** Bytes cut. */
  readonly bytes: number;
  /** `partial_header`, `partial_frame`, `bad_checksum`, `bad_length` or `partial_segment_header`. */
  readonly reason: string;
}

/** The journal's health, for `/healthz` and the summary. */
export interface JournalState {
  readonly dir: string;
  /** `ok`; `failing` while the storage refuses writes (the newest append failed); `closed`. */
  readonly status: 'ok' | 'failing' | 'closed';
  /** The position after the newest durable record. */
  readonly end: JournalPosition;
  readonly firstSegment: number;
  readonly segments: number;
  /** Records waiting for the next sync. */
  readonly pendingRecords: number;
  /** Records acknowledged (durable) since `open`. */
  readonly durableRecords: number;
  /** `fdatasync` calls since `open` (group commit: many appends share one). */
  readonly syncs: number;
  /** Mean and longest time from a write's start to the end of its sync, ms (0 before the first). */
  readonly meanSyncMs: number;
  readonly maxSyncMs: number;
  /** The newest append failure, or null once an append succeeded after it. */
  readonly lastError: { readonly code: JournalErrorCode; readonly message: string; readonly at: string } | null;
  /** The torn tail `open` cut, if any. */
  readonly tornTail: TornTail | null;
  /** Whether the segment being written was zeroed ahead (`preallocate`). */
  readonly preallocated: boolean;
  /**
   * The next segment zeroed ahead (`preallocate`): `zeroing`; `ready` (whole, being renamed
   * into place); `installed` (on disk as the next segment, empty: the roll takes it with no
   * I/O); or `none`.
   */
  readonly spare: 'none' | 'zeroing' | 'ready' | 'installed';
}

interface Flush {
  readonly entries: Pending[];
  readonly segment: number;
  /** The segment offset after this write's frames. */
  readonly end: number;
  state: 'running' | 'synced' | 'failed';
  error: JournalError | null;
  /** An earlier (or this) write failed: not acknowledged even if its own sync succeeded. */
  poisoned: boolean;
  readonly startedAt: number;
}

interface Pending {
  /** The frames' buffers (a byte record is not copied) and their length. */
  readonly frames: FrameParts;
  readonly records: number;
  readonly resolve: (end: JournalPosition) => void;
  readonly reject: (err: JournalError) => void;
}

const DEFAULT_MAX_SEGMENT_BYTES = 64 * 1024 * 1024;
/**
 * The longest a step of the spare's zeroing waits for a moment with no record write in
 * flight. A journal that is never idle still gets spares (up to 256 KiB per 10 ms, ~26 MB/s:
 * a 64 MiB spare in 2.6 s; records coming faster get some plain segments between), and each
 * of its record syncs shares the device with at most one 256 KiB step.
 */
const ZERO_YIELD_MS = 10;

/**
 * A write-ahead journal of accepted records in a directory of bounded segment files.
 *
 * Each record is a frame (length, CRC-32, bytes); `append` resolves only after the
 * frames are written and on stable storage (segments are opened with `O_DSYNC`, so each
 * write returns only once its data is durable, as `write` + `fdatasync` would, in one
 * system call; where the platform has no `O_DSYNC`, an explicit `fdatasync` follows each
 * write), so a resolved append survives a crash or a power cut. Group commit: appends that arrive while syncs are in flight are written and
 * synced together by the next one, so many concurrent appends cost one sync (up to
 * `maxConcurrentSyncs` writes run at once; acknowledgements stay in file order). `open`
 * cuts a torn tail (the remains of a write a crash interrupted) and reports it in
 * `state.tornTail`; damage before the tail is a `JournalError` with code `corrupt` and
 * the position. Storage failures (disk full, read-only, permission) reject the append
 * with a retryable `JournalError`, acknowledge nothing of it, and leave the journal
 * usable: the next append first cuts whatever the failed one left behind.
 *
 * @example
 * const journal = await Journal.open('/var/lib/simfleet/journal');
 * for await (const { payload, next } of journal.read()) replayLine(payload, next);
 * const end = await journal.append(['{"id":1,…}', '{"id":2,…}']); // on disk now
 * await journal.truncateBefore(checkpointPosition);
 * await journal.close();
 */
export class Journal {
  readonly #dir: string;
  readonly #maxSegmentBytes: number;
  #firstSegment: number;
  #segment: number;
  #fd: number;
  /** Bytes of the active segment that are durable; everything past it is not acknowledged. */
  #durable: number;
  /** Where the next write goes: past `#durable` by what is being written and synced right now. */
  #written: number;
  /** A failed write may have left bytes past `#durable`: cut them before the next write. */
  #dirty = false;
  readonly #maxConcurrentSyncs: number;
  #pending: Pending[] = [];
  #pendingRecords = 0;
  /** Writes issued and not yet settled, in file order. */
  #inFlight: Flush[] = [];
  /** A truncate or a segment roll is running: no write starts meanwhile. */
  #busy = false;
  /** Set when a write failed while others were in flight: no write starts until they all settle. */
  #failure: JournalError | null = null;
  #scheduled = false;
  #idleWaiters: (() => void)[] = [];
  #closed = false;
  #syncs = 0;
  #syncMsTotal = 0;
  #syncMsMax = 0;
  #durableRecords = 0;
  #lastError: JournalState['lastError'] = null;
  readonly #tornTail: TornTail | null;
  readonly #preallocate: boolean;
  /** Whether the active segment was zeroed ahead. */
  #preallocated: boolean;
  /** The next segment, being zeroed ahead (`preallocate`). */
  #spare: SpareSegment | null = null;
  /** The spare's zeroing waiting for a moment with no record write in flight. */
  #quietWaiters: (() => void)[] = [];
  /** The whole spare being renamed into place as the next segment: a roll waits for it. */
  #installing: Promise<void> | null = null;

  private constructor(
    dir: string,
    options: JournalOptions,
    firstSegment: number,
    segment: number,
    fd: number,
    durable: number,
    tornTail: TornTail | null,
    preallocated: boolean,
  ) {
    this.#dir = dir;
    this.#preallocate = options.preallocate === true;
    this.#preallocated = preallocated;
    this.#maxSegmentBytes = options.maxSegmentBytes ?? DEFAULT_MAX_SEGMENT_BYTES;
    this.#maxConcurrentSyncs = options.maxConcurrentSyncs ?? 2;
    this.#written = durable;
    this.#firstSegment = firstSegment;
    this.#segment = segment;
    this.#fd = fd;
    this.#durable = durable;
    this.#tornTail = tornTail;
    if (this.#preallocate) this.#spare = this.#startSpare(segment + 1);
  }

  /**
   * Opens (creating if needed) the journal in `dir`. Fails with a `JournalError` when the
   * directory cannot be written (read-only, permission, full): check before serving.
   * A torn tail in the newest segment is cut and reported in `state.tornTail`.
   *
   * @example
   * const journal = await Journal.open(join(dataDir, 'journal'), { maxSegmentBytes: 16 << 20 });
   * if (journal.state.tornTail) log(`cut ${journal.state.tornTail.bytes} bytes of a torn write`);
   */
  static async open(dir: string, options: JournalOptions = {}): Promise<Journal> {
    const root = resolve(dir);
    const maxSegmentBytes = options.maxSegmentBytes ?? DEFAULT_MAX_SEGMENT_BYTES;
    if (!(maxSegmentBytes > SEGMENT_HEADER_BYTES)) throw new RangeError(`journal: maxSegmentBytes must exceed ${SEGMENT_HEADER_BYTES}, got ${maxSegmentBytes}`);
    const syncs = options.maxConcurrentSyncs ?? 2;
    if (!Number.isInteger(syncs) || syncs < 1) throw new RangeError(`journal: maxConcurrentSyncs must be a positive integer, got ${syncs}`);
    try {
      await mkdir(root, { recursive: true });
    } catch (err) {
      // A recursive mkdir reports ENOENT where the parent refuses (EROFS, EACCES): ask again plainly for the real reason.
      const plain = await mkdir(root).then(
        () => err,
        (again: unknown) => again,
      );
      throw journalErrorFrom(plain, 'cannot create the directory', root);
    }
    await probeWritable(root);
    await removeSpares(root);
    const segments = await listSegments(root);
    for (let i = 1; i < segments.length; i++) {
      if (segments[i] !== (segments[i - 1] as number) + 1) {
        const missing = (segments[i - 1] as number) + 1;
        throw new JournalError(
          'corrupt',
          `journal: segment ${missing} is missing from ${root} (${segmentFileName(missing)}): records between ${segments[i - 1]} and ${segments[i]} are lost`,
          {
            path: join(root, segmentFileName(missing)),
            position: { segment: missing, offset: 0 },
          },
        );
      }
    }
    const preallocate = options.preallocate === true;
    if (segments.length === 0) {
      // The first segment is zeroed before anything is served: nothing to yield to yet.
      const spare = preallocate ? SpareSegment.start(root, 1, maxSegmentBytes, () => Promise.resolve()) : null;
      await spare?.done;
      const created = await nextSegment(root, spare, 1);
      return new Journal(root, options, 1, 1, created.fd, SEGMENT_HEADER_BYTES, null, created.preallocated);
    }
    const first = segments[0] as number;
    const last = segments[segments.length - 1] as number;
    const path = join(root, segmentFileName(last));
    const recovered = await recoverTail(path, last, preallocate);
    const { end, remainsEnd, size } = recovered;
    let tornTail = recovered.tornTail;
    let fd: number;
    try {
      fd = await openFd(path, segmentFlags(false));
      if (tornTail !== null) await cutTail(fd, last, tornTail, remainsEnd, size, preallocate);
    } catch (err) {
      throw journalErrorFrom(err, 'cannot cut the torn tail of', path);
    }
    if (tornTail === null && end === SEGMENT_HEADER_BYTES && segments.length > 1) {
      // An empty newest segment may be a spare installed while records still went to the one
      // before it: a crash then may have torn that one's last write. Nothing was written after it.
      const previous = last - 1;
      const previousPath = join(root, segmentFileName(previous));
      const before = await recoverTail(previousPath, previous, preallocate);
      if (before.tornTail !== null) {
        tornTail = before.tornTail;
        let previousFd: number | undefined;
        try {
          previousFd = await openFd(previousPath, segmentFlags(false));
          await cutTail(previousFd, previous, before.tornTail, before.remainsEnd, before.size, preallocate);
        } catch (err) {
          throw journalErrorFrom(err, 'cannot cut the torn tail of', previousPath);
        } finally {
          if (previousFd !== undefined) await closeFd(previousFd).catch(() => undefined);
        }
      }
    }
    return new Journal(root, options, first, last, fd, end, tornTail, preallocate && size >= maxSegmentBytes);
  }

  /** The position after the newest durable record (where the next append will start, unless it rolls over). */
  get end(): JournalPosition {
    return { segment: this.#segment, offset: this.#durable };
  }

  /** Health and counters, cheap to read (for `/healthz`). */
  get state(): JournalState {
    return {
      dir: this.#dir,
      status: this.#closed ? 'closed' : this.#lastError === null ? 'ok' : 'failing',
      end: this.end,
      firstSegment: this.#firstSegment,
      segments: this.#segment - this.#firstSegment + 1,
      pendingRecords: this.#pendingRecords,
      durableRecords: this.#durableRecords,
      syncs: this.#syncs,
      meanSyncMs: this.#syncs === 0 ? 0 : this.#syncMsTotal / this.#syncs,
      maxSyncMs: this.#syncMsMax,
      lastError: this.#lastError,
      tornTail: this.#tornTail,
      preallocated: this.#preallocated,
      spare: this.#spare === null || this.#spare.state === 'failed' ? 'none' : this.#spare.state,
    };
  }

  /**
   * Appends records (strings are written as UTF-8) and resolves with the position after the
   * last of them once they are on stable storage. Rejects with a `JournalError` (nothing of
   * this call acknowledged) when the storage refuses the write. Byte records are written
   * from where they are (no copy): they must not change until the promise settles.
   *
   * @example
   * const end = await journal.append(lines); // a checkpoint taken after applying `lines` covers `end`
   */
  append(records: readonly (Uint8Array | string)[]): Promise<JournalPosition> {
    if (this.#closed) return Promise.reject(new JournalError('closed', `journal: ${this.#dir} is closed`, { path: this.#dir }));
    // Nothing to make durable: no write, no sync.
    if (records.length === 0) return Promise.resolve(this.end);
    let frames: FrameParts;
    try {
      frames = encodeFrameParts(records);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise<JournalPosition>((resolve, reject) => {
      this.#pending.push({ frames, records: records.length, resolve, reject });
      this.#pendingRecords += records.length;
      this.#schedule();
    });
  }

  /**
   * The durable records from `from` (a position `append` or `read` returned; default: the
   * oldest record kept), in append order. Records appended after the call are not included.
   * A damaged frame is a `JournalError` with code `corrupt` and its position.
   *
   * @example
   * for await (const record of journal.read(checkpoint.journalPosition)) engine.ingestLine(record.payload);
   */
  async *read(from?: JournalPosition): AsyncGenerator<JournalRecord> {
    const stop = this.end;
    const start = from ?? { segment: this.#firstSegment, offset: SEGMENT_HEADER_BYTES };
    if (start.segment < this.#firstSegment) {
      throw new JournalError('corrupt', `journal: ${formatPosition(start)} was truncated (the oldest segment kept is ${this.#firstSegment})`, {
        path: this.#dir,
        position: start,
      });
    }
    if (comparePositions(start, stop) > 0) throw new RangeError(`journal: ${formatPosition(start)} is past the journal's end (${formatPosition(stop)})`);
    for (let segment = start.segment; segment <= stop.segment; segment++) {
      const path = join(this.#dir, segmentFileName(segment));
      let bytes: Buffer;
      try {
        bytes = await readFile(path);
      } catch (err) {
        throw journalErrorFrom(err, 'cannot read', path);
      }
      if (segment === stop.segment) bytes = bytes.subarray(0, stop.offset);
      if (!isSegmentHeader(bytes, segment)) throw notAJournal(path);
      let offset = segment === start.segment ? Math.max(start.offset, SEGMENT_HEADER_BYTES) : SEGMENT_HEADER_BYTES;
      for (;;) {
        const frame = readFrame(bytes, offset);
        if (frame.kind === 'end') break;
        // A preallocated segment's free space: zeros are never a frame.
        if (frame.kind === 'bad' && allZeroFrom(bytes, offset)) break;
        if (frame.kind === 'bad') {
          const position = { segment, offset };
          throw new JournalError('corrupt', `journal: ${path} is damaged at ${formatPosition(position)} (${frame.reason})`, { path, position });
        }
        yield { position: { segment, offset }, next: { segment, offset: frame.end }, payload: frame.payload };
        offset = frame.end;
      }
    }
  }

  /**
   * Deletes the segments that hold only records before `position` (a checkpoint covers
   * them); the active segment is kept. Resolves with how many segments were deleted.
   *
   * @example
   * await journal.truncateBefore(checkpoint.journalPosition);
   */
  async truncateBefore(position: JournalPosition): Promise<number> {
    const upTo = Math.min(position.segment, this.#segment);
    let deleted = 0;
    while (this.#firstSegment < upTo) {
      const path = join(this.#dir, segmentFileName(this.#firstSegment));
      try {
        await unlink(path);
      } catch (err) {
        if ((err as { code?: string }).code !== 'ENOENT') throw journalErrorFrom(err, 'cannot delete', path);
      }
      this.#firstSegment += 1;
      deleted += 1;
    }
    if (deleted > 0) await syncDirectory(this.#dir).catch((err: unknown) => Promise.reject(journalErrorFrom(err, 'cannot sync the directory', this.#dir)));
    return deleted;
  }

  /** Waits for appends in flight to settle, then closes the active segment. Later appends reject. */
  async close(): Promise<void> {
    if (this.#closed) return;
    while (this.#pending.length > 0 || this.#inFlight.length > 0 || this.#busy) {
      await new Promise<void>((resolve) => {
        this.#idleWaiters.push(resolve);
        this.#pump();
      });
    }
    this.#closed = true;
    await closeFd(this.#fd).catch(() => undefined);
    await this.#installing;
    const spare = this.#spare;
    this.#spare = null;
    this.#wakeQuiet();
    await spare?.discard(this.#dir);
  }

  #schedule(): void {
    if (this.#scheduled) return;
    // A microtask later, so that appends made in the same tick share one write and one sync.
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      this.#pump();
    });
  }

  /**
   * Starts writes while there are appends waiting and fewer than `maxConcurrentSyncs`
   * writes in flight. Each write takes every waiting append that fits in the segment
   * (group commit), goes to its own offset, and is followed by its own `fdatasync`; a
   * second sync issued while one runs is mostly absorbed by the same file-system commit,
   * so two in flight roughly halve the wait without giving up durability: appends are
   * acknowledged in file order, each only once its own sync and every earlier one completed.
   */
  #pump(): void {
    while (!this.#busy && this.#failure === null && this.#pending.length > 0 && this.#inFlight.length < this.#maxConcurrentSyncs) {
      const first = this.#pending[0] as Pending;
      const mustRoll = this.#written > SEGMENT_HEADER_BYTES && this.#written + first.frames.bytes > this.#maxSegmentBytes;
      if (this.#dirty || mustRoll) {
        // Both change the file under the writes: wait until none is in flight (and a roll, until the spare being installed is in place).
        if (this.#inFlight.length > 0 || (mustRoll && this.#installing !== null)) return;
        this.#exclusive(this.#dirty ? () => this.#cutFailedWrite() : () => this.#roll());
        return;
      }
      const entries: Pending[] = [];
      const buffers: Buffer[] = [];
      let end = this.#written;
      while (this.#pending.length > 0) {
        const next = this.#pending[0] as Pending;
        if (entries.length > 0 && end + next.frames.bytes > this.#maxSegmentBytes) break;
        this.#pending.shift();
        entries.push(next);
        for (const part of next.frames.parts) buffers.push(part);
        end += next.frames.bytes;
      }
      const flush: Flush = { entries, segment: this.#segment, end, state: 'running', error: null, poisoned: false, startedAt: performance.now() };
      const start = this.#written;
      this.#written = end;
      this.#inFlight.push(flush);
      const fd = this.#fd;
      writeAllAt(fd, buffers, start)
        // With O_DSYNC the write returned only once durable; otherwise the sync makes it so.
        .then(() => (O_DSYNC === undefined ? datasyncFd(fd) : undefined))
        .then(
          () => {
            flush.state = 'synced';
            const ms = performance.now() - flush.startedAt;
            this.#syncMsTotal += ms;
            if (ms > this.#syncMsMax) this.#syncMsMax = ms;
          },
          (err: unknown) => {
            flush.state = 'failed';
            flush.error = journalErrorFrom(err, 'cannot write', this.#path());
            this.#fail(flush, flush.error);
          },
        )
        .finally(() => this.#settle());
    }
    if (this.#inFlight.length === 0 && !this.#busy) {
      this.#wakeQuiet();
      if (this.#pending.length === 0) this.#wakeIdle();
    }
  }

  /** A failed write: it and every write after it are not acknowledged; no new write starts until they settle. */
  #fail(flush: Flush, error: JournalError): void {
    this.#failure ??= error;
    this.#lastError = { code: error.code, message: error.message, at: new Date().toISOString() };
    for (let i = this.#inFlight.indexOf(flush); i < this.#inFlight.length; i++) (this.#inFlight[i] as Flush).poisoned = true;
  }

  /** Acknowledges settled writes in file order; after a failure, cuts the file back once the rest settled. */
  #settle(): void {
    while (this.#inFlight.length > 0 && (this.#inFlight[0] as Flush).state !== 'running') {
      const flush = this.#inFlight.shift() as Flush;
      if (flush.state === 'synced' && !flush.poisoned) {
        this.#syncs += 1;
        let offset = this.#durable;
        for (const pending of flush.entries) {
          offset += pending.frames.bytes;
          this.#pendingRecords -= pending.records;
          this.#durableRecords += pending.records;
          pending.resolve({ segment: flush.segment, offset });
        }
        this.#durable = flush.end;
        if (this.#failure === null) this.#lastError = null;
      } else {
        const error = flush.error ?? (this.#failure as JournalError);
        for (const pending of flush.entries) {
          this.#pendingRecords -= pending.records;
          pending.reject(error);
        }
      }
    }
    if (this.#inFlight.length === 0 && this.#failure !== null) {
      // Whatever the failed writes left past the durable end goes before anything else is written.
      this.#failure = null;
      this.#written = this.#durable;
      this.#dirty = true;
      // At once, not at the next append: a crash meanwhile would leave the remains to the torn-tail scan.
      if (!this.#busy) {
        this.#exclusive(() => this.#cutFailedWrite());
        return;
      }
    }
    this.#pump();
  }

  /** Runs a change of the file with no write in flight; if it fails, the waiting appends fail with it. */
  #exclusive(change: () => Promise<void>): void {
    this.#busy = true;
    change()
      .catch((err: unknown) => {
        const error = journalErrorFrom(err, 'cannot write', this.#path());
        this.#lastError = { code: error.code, message: error.message, at: new Date().toISOString() };
        for (const pending of this.#pending.splice(0)) {
          this.#pendingRecords -= pending.records;
          pending.reject(error);
        }
      })
      .finally(() => {
        this.#busy = false;
        this.#installSpare();
        this.#pump();
      });
  }

  async #cutFailedWrite(): Promise<void> {
    try {
      await truncateFd(this.#fd, this.#durable);
    } catch (err) {
      throw journalErrorFrom(err, 'cannot cut a failed write from', this.#path());
    }
    this.#dirty = false;
  }

  #wakeIdle(): void {
    for (const wake of this.#idleWaiters.splice(0)) wake();
  }

  /** Zeros segment `segment` ahead, each step in a gap between record writes, and installs it once whole. */
  #startSpare(segment: number): SpareSegment {
    const spare = SpareSegment.start(this.#dir, segment, this.#maxSegmentBytes, () => this.#recordsQuiet());
    void spare.done.then(() => this.#installSpare());
    return spare;
  }

  /**
   * Renames the whole spare into place as the next segment, in the background: records keep
   * going to the current segment meanwhile, and the roll, when it comes, only switches
   * descriptors (no rename or directory sync while acknowledgements wait). Never during a
   * roll or a cut (`#exclusive` calls this again when it ends).
   */
  #installSpare(): void {
    const spare = this.#spare;
    if (spare === null || spare.state !== 'ready' || this.#closed || this.#busy || this.#installing !== null) return;
    this.#installing = spare.install(this.#dir, this.#segment + 1).then(
      () => undefined,
      () => {
        // The spare removed itself: the next roll creates a plain segment and starts another spare.
        if (this.#spare === spare) this.#spare = null;
      },
    );
    void this.#installing.finally(() => {
      this.#installing = null;
      this.#pump();
    });
  }

  /** Resolves once no record write, truncate or roll is running (at once if none is), or after `ZERO_YIELD_MS` at the latest. */
  #recordsQuiet(): Promise<void> {
    if (this.#closed || (this.#inFlight.length === 0 && !this.#busy)) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        const at = this.#quietWaiters.indexOf(wake);
        if (at !== -1) this.#quietWaiters.splice(at, 1);
        resolve();
      }, ZERO_YIELD_MS);
      timer.unref();
      this.#quietWaiters.push(wake);
    });
  }

  #wakeQuiet(): void {
    for (const wake of this.#quietWaiters.splice(0)) wake();
  }

  /** Starts the next segment: its header on disk and its name in the directory before any record goes in. */
  async #roll(): Promise<void> {
    const next = this.#segment + 1;
    // A spare still being zeroed is not waited for (every acknowledgement waits behind the roll): it serves a later one.
    // An installed one is already segment `next`: taking it is no I/O.
    const spare = this.#spare;
    if (spare !== null && spare.state !== 'zeroing') this.#spare = null;
    const created = await nextSegment(this.#dir, spare, next);
    const old = this.#fd;
    this.#fd = created.fd;
    this.#preallocated = created.preallocated;
    this.#segment = next;
    this.#durable = SEGMENT_HEADER_BYTES;
    this.#written = SEGMENT_HEADER_BYTES;
    await closeFd(old).catch(() => undefined);
    if (this.#preallocate && this.#spare === null) this.#spare = this.#startSpare(next + 1);
  }

  #path(): string {
    return join(this.#dir, segmentFileName(this.#segment));
  }
}

/** Writes, syncs and removes a probe file: a directory that cannot take a synced write fails here, before anything is served. */
async function probeWritable(dir: string): Promise<void> {
  const path = join(dir, `.write-probe-${process.pid}`);
  try {
    const handle = await openFile(path, 'w');
    try {
      await handle.write(SEGMENT_MAGIC);
      await handle.datasync();
    } finally {
      await handle.close();
    }
  } catch (err) {
    await unlink(path).catch(() => undefined);
    throw journalErrorFrom(err, 'cannot write in', dir);
  }
  await unlink(path).catch((err: unknown) => Promise.reject(journalErrorFrom(err, 'cannot delete a probe file in', dir)));
}

/** Creates segment `segment` with its header, synced, and its directory entry synced; returns its descriptor (not preallocated). */
async function createSegment(dir: string, segment: number): Promise<{ fd: number; preallocated: boolean }> {
  const path = join(dir, segmentFileName(segment));
  let fd: number;
  try {
    fd = await openFd(path, segmentFlags(true));
  } catch (err) {
    throw journalErrorFrom(err, 'cannot create', path);
  }
  try {
    await writeAllAt(fd, [segmentHeader(segment)], 0);
    await datasyncFd(fd);
    await syncDirectory(dir);
    return { fd, preallocated: false };
  } catch (err) {
    await closeFd(fd).catch(() => undefined);
    await unlink(path).catch(() => undefined);
    throw journalErrorFrom(err, 'cannot create', path);
  }
}

/** Segment `segment` from the spare if it is whole (installed, or renamed into place now), else created plain: never waits for zeroing. */
async function nextSegment(dir: string, spare: SpareSegment | null, segment: number): Promise<{ fd: number; preallocated: boolean }> {
  if (spare !== null && (spare.state === 'ready' || spare.state === 'installed')) {
    try {
      return { fd: await spare.adopt(dir, segment), preallocated: true };
    } catch {
      // The spare is gone (adopt removed it): a plain segment instead.
    }
  }
  return createSegment(dir, segment);
}

/** Cuts a torn tail from segment `segment` open at `fd`: zeros written ahead stay (the segment keeps its preallocation); otherwise the file ends where the frames do. */
async function cutTail(fd: number, segment: number, tail: TornTail, remainsEnd: number, size: number, preallocate: boolean): Promise<void> {
  if (tail.reason === 'partial_segment_header') await writeAllAt(fd, [segmentHeader(segment)], 0);
  if (preallocate && remainsEnd < size) await writeAllAt(fd, [Buffer.alloc(remainsEnd - tail.offset)], tail.offset);
  else await truncateFd(fd, tail.offset);
  await datasyncFd(fd);
}

/** Reads the newest segment and finds where its valid frames end (`zeroTailIsFree`: zeros after them are preallocated space). */
async function recoverTail(
  path: string,
  segment: number,
  zeroTailIsFree: boolean,
): Promise<{ end: number; tornTail: TornTail | null; remainsEnd: number; size: number }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw journalErrorFrom(err, 'cannot read', path);
  }
  if (bytes.length < SEGMENT_HEADER_BYTES) {
    // Created but its header not yet whole when the process died: no record was in it.
    const expected = segmentHeader(segment);
    if (!bytes.every((b, i) => b === 0 || b === expected[i])) throw notAJournal(path);
    return {
      end: SEGMENT_HEADER_BYTES,
      tornTail: { segment, offset: SEGMENT_HEADER_BYTES, bytes: bytes.length, reason: 'partial_segment_header' },
      remainsEnd: bytes.length,
      size: bytes.length,
    };
  }
  if (!isSegmentHeader(bytes, segment)) throw notAJournal(path);
  const scan = scanSegment(bytes, zeroTailIsFree);
  if (scan.kind === 'clean') return { end: scan.end, tornTail: null, remainsEnd: scan.end, size: bytes.length };
  if (scan.kind === 'torn') {
    return {
      end: scan.end,
      tornTail: { segment, offset: scan.end, bytes: scan.remainsEnd - scan.end, reason: scan.reason },
      remainsEnd: scan.remainsEnd,
      size: bytes.length,
    };
  }
  const position = { segment, offset: scan.offset };
  throw new JournalError('corrupt', `journal: ${path} is damaged at ${formatPosition(position)} (${scan.reason}); refusing to cut acknowledged records`, {
    path,
    position,
  });
}

function notAJournal(path: string): JournalError {
  return new JournalError('not_a_journal', `journal: ${path} is not a simfleet journal segment (its header is not SFJOURN1 with its number)`, { path });
}
