/**
 * An output file written atomically: the bytes go to a temporary file in the target's
 * directory, which is renamed over the target once complete, so a full disk or an
 * interrupted run leaves the previous file (or none), never a truncated one. The
 * temporary file is created when the output is opened, before any input is read, so an
 * unwritable directory is reported first; it is removed on failure and on SIGINT/SIGTERM.
 *
 * A target that exists and is not a regular file (`/dev/stdout`, a FIFO) cannot be
 * replaced by a rename: it is written directly.
 */
import { randomBytes } from 'node:crypto';
import { type FileHandle, open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ioErrorText, removeOnExit } from '@simfleet/engine';
import { UsageError } from '../cliIo.js';

/** Writes are gathered into blocks of this size before they reach the file. */
const BLOCK = 1 << 20;

/**
 * One output file being written.
 *
 * @example
 * const out = await AtomicOutput.open('snapshot.json');
 * await out.write('{…}');
 * await out.commit(); // snapshot.json now holds exactly what was written
 */
export class AtomicOutput {
  readonly path: string;
  readonly #temp: string | undefined;
  readonly #file: FileHandle;
  readonly #forget: () => void;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #closed = false;
  /** The background writes queued so far. */
  #writing: Promise<void> = Promise.resolve();
  /** The first write error (reported by `commit`). */
  #error: unknown;

  private constructor(path: string, temp: string | undefined, file: FileHandle, forget: () => void) {
    this.path = path;
    this.#temp = temp;
    this.#file = file;
    this.#forget = forget;
  }

  /** Opens the temporary file (or the special file itself); a usage error naming the path when that fails. */
  static async open(path: string): Promise<AtomicOutput> {
    const info = await stat(path).catch(() => undefined);
    if (info?.isDirectory()) throw new UsageError(ioErrorText(Object.assign(new Error('is a directory'), { code: 'EISDIR' }), path, 'write'));
    if (info !== undefined && !info.isFile()) {
      const file = await open(path, 'w').catch((error: unknown) => {
        throw new UsageError(ioErrorText(error, path, 'write'));
      });
      return new AtomicOutput(path, undefined, file, () => {});
    }
    const temp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
    const file = await open(temp, 'wx').catch((error: unknown) => {
      throw new UsageError(ioErrorText(error, path, 'write'));
    });
    return new AtomicOutput(path, temp, file, removeOnExit(temp));
  }

  /**
   * Appends text or bytes. Synchronous (a rejected record is reported from inside the
   * replay loop): blocks of 1 MiB are written in the background, one at a time, and a
   * write error is reported by `commit`, which every caller reaches.
   */
  append(chunk: string | Uint8Array): void {
    if (this.#error !== undefined) return;
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.#pending.push(buffer);
    this.#pendingBytes += buffer.length;
    if (this.#pendingBytes >= BLOCK) this.#writing = this.#writing.then(() => this.#flush());
  }

  /** A write has failed: what is appended now is dropped, and `commit` reports the error. */
  get failed(): boolean {
    return this.#error !== undefined;
  }

  /** Appends, and waits when blocks are queued (for a producer that can wait: the snapshot). */
  async write(chunk: string | Uint8Array): Promise<void> {
    this.append(chunk);
    await this.#writing;
  }

  /** Writes what is left, syncs and renames the temporary file over the target. */
  async commit(): Promise<void> {
    try {
      await this.#writing;
      await this.#flush();
      if (this.#error !== undefined) throw this.#error;
      if (this.#temp !== undefined) await this.#file.sync();
      this.#closed = true;
      await this.#file.close();
      if (this.#temp !== undefined) await rename(this.#temp, this.path);
    } catch (error) {
      await this.abort();
      throw new UsageError(ioErrorText(error, this.path, 'write'));
    }
    this.#forget();
  }

  /** Gives up: the temporary file is removed, the target is left as it was. */
  async abort(): Promise<void> {
    await this.#writing;
    if (!this.#closed) {
      this.#closed = true;
      await this.#file.close().catch(() => undefined);
    }
    if (this.#temp !== undefined) await unlink(this.#temp).catch(() => undefined);
    this.#forget();
  }

  async #flush(): Promise<void> {
    if (this.#pendingBytes === 0 || this.#error !== undefined) return;
    const data = this.#pending.length === 1 ? this.#pending[0]! : Buffer.concat(this.#pending);
    this.#pending = [];
    this.#pendingBytes = 0;
    // writeFile on a handle writes at its position and loops over partial writes.
    await this.#file.writeFile(data).catch((error: unknown) => {
      this.#error = error;
      this.#pending = [];
    });
  }
}

/**
 * Checks that files can be created in `directory` (a temporary file is made and removed),
 * for outputs written later by someone else (the checkpoint store): a usage error naming
 * `path` when they cannot.
 *
 * @example
 * await probeWritable('/var/lib/simfleet', 'fleet.ckpt');
 */
export async function probeWritable(directory: string, path: string): Promise<void> {
  const temp = join(directory, `.simfleet-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
  const file = await open(temp, 'wx').catch((error: unknown) => {
    throw new UsageError(ioErrorText(error, path, 'write'));
  });
  await file.close();
  await unlink(temp).catch(() => undefined);
}
