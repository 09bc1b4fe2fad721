import { constants } from 'node:fs';
import { readdir, rename, statfs, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { closeFd, datasyncFd, O_DSYNC, openFd, syncDirectory, writeAllAt } from './fileOps.js';
import { SEGMENT_HEADER_BYTES, segmentHeader } from './frame.js';
import { journalErrorFrom } from './JournalError.js';
import { segmentFileName } from './segmentFiles.js';

/** A segment zeroed ahead waits under its name and this suffix until it is needed (not a segment until renamed). */
const SPARE_SUFFIX = '.spare';
/**
 * Zeros written (and synced) per step. Each step is its own synced write started when no
 * record write is in flight, so a record's sync that lands right behind one waits for at
 * most this much of the spare (about a millisecond), never for megabytes of it.
 */
export const ZERO_STEP_BYTES = 256 * 1024;

/**
 * The next segment, written full of zeros (synced) under a spare name while the current one
 * fills, so that the roll renames it into place instead of growing a new file. Zeroing yields
 * to the records: each step first waits for `turn` (the journal without a record write in
 * flight, or a bounded wait), so that the zeros go in the gaps between records. The roll
 * never waits for a spare still being zeroed (`ready` false): it takes a plain segment, and
 * the spare, once whole, serves a later roll (its header rewritten for that segment).
 */
export class SpareSegment {
  readonly path: string;
  /** Settles once zeroing ended (whole, failed or stopped); never rejects. */
  readonly done: Promise<void>;
  #fd: number | undefined;
  /** The segment number its header holds. */
  #segment: number;
  #state: 'zeroing' | 'ready' | 'failed' = 'zeroing';
  #stopped = false;

  private constructor(dir: string, segment: number, size: number, turn: () => Promise<void>) {
    this.path = join(dir, `${segmentFileName(segment)}${SPARE_SUFFIX}`);
    this.#segment = segment;
    this.done = this.#prepare(dir, size, turn).then(
      (whole) => {
        this.#state = whole ? 'ready' : 'failed';
      },
      () => {
        this.#state = 'failed';
      },
    );
  }

  /**
   * Starts zeroing segment `segment` ahead (`size` bytes: its header, then zeros), each step
   * after `turn()` resolves. A file system without room for four segments gets none
   * (`failed` at once): zeroing ahead never takes the room the records need.
   */
  static start(dir: string, segment: number, size: number, turn: () => Promise<void>): SpareSegment {
    return new SpareSegment(dir, segment, size, turn);
  }

  /** `zeroing`, `ready` (whole and durable: the roll can take it) or `failed` (the roll creates a plain segment). */
  get state(): 'zeroing' | 'ready' | 'failed' {
    return this.#state;
  }

  /**
   * Makes the ready spare segment `segment` of `dir`: its header rewritten if it was zeroed
   * for another number, renamed into place, the directory synced (before any record goes in).
   * Returns the descriptor to write records through; rejects if any step failed (the spare
   * is then removed and the caller creates the segment plain).
   */
  async adopt(dir: string, segment: number): Promise<number> {
    const fd = this.#fd;
    if (this.#state !== 'ready' || fd === undefined) throw new Error('journal: the spare segment is not ready');
    this.#fd = undefined;
    const path = join(dir, segmentFileName(segment));
    try {
      if (this.#segment !== segment) {
        await writeAllAt(fd, [segmentHeader(segment)], 0);
        if (O_DSYNC === undefined) await datasyncFd(fd);
        this.#segment = segment;
      }
      await rename(this.path, path);
      await syncDirectory(dir);
      return fd;
    } catch (err) {
      await closeFd(fd).catch(() => undefined);
      await unlink(this.path).catch(() => undefined);
      await unlink(path).catch(() => undefined);
      throw err;
    }
  }

  /** Stops zeroing (after the step in progress), closes and deletes the spare. */
  async discard(): Promise<void> {
    this.#stopped = true;
    await this.done;
    const fd = this.#fd;
    this.#fd = undefined;
    if (fd !== undefined) await closeFd(fd).catch(() => undefined);
    await unlink(this.path).catch(() => undefined);
  }

  /** The header, then zeros to `size`, each step synced (the descriptor has `O_DSYNC` where there is one). True once whole. */
  async #prepare(dir: string, size: number, turn: () => Promise<void>): Promise<boolean> {
    if (!(await roomFor(dir, size))) return false;
    try {
      this.#fd = await openFd(this.path, constants.O_RDWR | constants.O_CREAT | constants.O_TRUNC | (O_DSYNC ?? 0));
      const fd = this.#fd;
      const synced = async (buffer: Buffer, at: number): Promise<void> => {
        await writeAllAt(fd, [buffer], at);
        if (O_DSYNC === undefined) await datasyncFd(fd);
      };
      await synced(segmentHeader(this.#segment), 0);
      const zeros = Buffer.alloc(Math.min(ZERO_STEP_BYTES, size));
      for (let at = SEGMENT_HEADER_BYTES; at < size; ) {
        await turn();
        if (this.#stopped) return false;
        const n = Math.min(zeros.length, size - at);
        await synced(n === zeros.length ? zeros : zeros.subarray(0, n), at);
        at += n;
      }
      return true;
    } catch {
      const fd = this.#fd;
      this.#fd = undefined;
      if (fd !== undefined) await closeFd(fd).catch(() => undefined);
      await unlink(this.path).catch(() => undefined);
      return false;
    }
  }
}

/** Whether the file system holding `dir` has room for four segments of `bytes`. */
async function roomFor(dir: string, bytes: number): Promise<boolean> {
  try {
    const fs = await statfs(dir);
    return fs.bavail * fs.bsize >= 4 * bytes;
  } catch {
    return false;
  }
}

/** Deletes spares a previous run left (one may be half zeroed): never records, only space. */
export async function removeSpares(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    throw journalErrorFrom(err, 'cannot list', dir);
  }
  for (const name of names) {
    if (!name.endsWith(SPARE_SUFFIX)) continue;
    const path = join(dir, name);
    await unlink(path).catch((err: unknown) => Promise.reject(journalErrorFrom(err, 'cannot delete', path)));
  }
}
