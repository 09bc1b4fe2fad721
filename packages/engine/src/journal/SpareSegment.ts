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
 * flight, or a bounded wait), so that the zeros go in the gaps between records. Once whole,
 * the spare is installed: renamed into place as the next segment (its header rewritten if a
 * roll took a plain segment meanwhile), the directory synced, while records still go to the
 * current one; the roll then only switches descriptors. The roll never waits for a spare
 * still being zeroed: it takes a plain segment, and the spare serves a later roll.
 */
export class SpareSegment {
  readonly path: string;
  /** Settles once zeroing ended (whole, failed or stopped); never rejects. */
  readonly done: Promise<void>;
  #fd: number | undefined;
  /** The segment number its header holds. */
  #segment: number;
  #state: 'zeroing' | 'ready' | 'installed' | 'failed' = 'zeroing';
  /** Once installed: the segment file it became. */
  #installedAs: string | null = null;
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

  /**
   * `zeroing`, `ready` (whole and durable), `installed` (renamed into place as the next
   * segment: the roll takes it with no I/O) or `failed` (the roll creates a plain segment).
   */
  get state(): 'zeroing' | 'ready' | 'installed' | 'failed' {
    return this.#state;
  }

  /** The segment number its header holds (the one it is installed as, once installed). */
  get segment(): number {
    return this.#segment;
  }

  /**
   * Renames the ready spare into place as segment `segment` of `dir` (its header rewritten if
   * it was zeroed for another number) and syncs the directory: a segment with no record yet,
   * so a crash from here on leaves an empty newest segment, which `open` reads as such. The
   * journal installs it while records still go to the segment before it, never during a roll.
   * Rejects if a step failed (the spare is then removed).
   */
  async install(dir: string, segment: number): Promise<void> {
    const fd = this.#fd;
    if (this.#state !== 'ready' || fd === undefined) throw new Error('journal: the spare segment is not ready');
    const path = join(dir, segmentFileName(segment));
    try {
      await this.#retarget(fd, segment);
      await rename(this.path, path);
      this.#installedAs = path;
      await syncDirectory(dir);
      this.#state = 'installed';
    } catch (err) {
      this.#state = 'failed';
      this.#fd = undefined;
      await closeFd(fd).catch(() => undefined);
      await unlink(this.#installedAs ?? this.path).catch(() => undefined);
      this.#installedAs = null;
      throw err;
    }
  }

  /**
   * Makes the ready spare segment `segment` of `dir`: its header rewritten if it was zeroed
   * for another number, renamed into place, the directory synced (before any record goes in).
   * Returns the descriptor to write records through; rejects if any step failed (the spare
   * is then removed and the caller creates the segment plain).
   */
  async adopt(dir: string, segment: number): Promise<number> {
    const fd = this.#fd;
    if (this.#state === 'installed' && fd !== undefined) {
      if (this.#segment !== segment) throw new Error(`journal: the spare was installed as segment ${this.#segment}, not ${segment}`);
      this.#fd = undefined;
      this.#installedAs = null;
      return fd;
    }
    if (this.#state !== 'ready' || fd === undefined) throw new Error('journal: the spare segment is not ready');
    this.#fd = undefined;
    const path = join(dir, segmentFileName(segment));
    try {
      await this.#retarget(fd, segment);
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

  /** Stops zeroing (after the step in progress), closes and deletes the spare (an installed one too: it holds no record). */
  async discard(dir: string): Promise<void> {
    this.#stopped = true;
    await this.done;
    const fd = this.#fd;
    this.#fd = undefined;
    if (fd !== undefined) await closeFd(fd).catch(() => undefined);
    const installed = this.#installedAs;
    this.#installedAs = null;
    await unlink(installed ?? this.path).catch(() => undefined);
    if (installed !== null) await syncDirectory(dir).catch(() => undefined);
  }

  /** Rewrites the header for segment `segment` if it holds another number (a roll took a plain segment while this one was zeroed). */
  async #retarget(fd: number, segment: number): Promise<void> {
    if (this.#segment === segment) return;
    await writeAllAt(fd, [segmentHeader(segment)], 0);
    if (O_DSYNC === undefined) await datasyncFd(fd);
    this.#segment = segment;
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
