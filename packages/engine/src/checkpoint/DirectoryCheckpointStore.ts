/**
 * The default checkpoint store: one file per checkpoint in a directory the user names.
 *
 * Atomic replacement, the POSIX way: write a temporary file in the same directory, fsync
 * it, rename it over the checkpoint (atomic within one file system), then fsync the
 * directory so the rename itself survives a power cut. Killed at any moment, the process
 * leaves the previous checkpoint intact (and at worst a stray `.name.tmp-*` file, removed
 * by the next successful write of that name).
 */
import { randomBytes } from 'node:crypto';
import { open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { removeOnExit } from '../io/tempPaths.js';
import type { CheckpointStore } from './CheckpointStore.js';

/**
 * Checkpoints as files in `directory`.
 *
 * @example
 * const store = new DirectoryCheckpointStore('/var/lib/simfleet');
 * await store.write('fleet.ckpt', bytes);
 * const again = await store.read('fleet.ckpt');
 */
export class DirectoryCheckpointStore implements CheckpointStore {
  readonly directory: string;

  constructor(directory: string) {
    this.directory = directory;
  }

  async read(name: string): Promise<Uint8Array | undefined> {
    try {
      return await readFile(this.#path(name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async write(name: string, bytes: Uint8Array): Promise<void> {
    const target = this.#path(name);
    const prefix = `.${name}.tmp-`;
    const temp = join(this.directory, `${prefix}${process.pid}-${randomBytes(4).toString('hex')}`);
    const file = await open(temp, 'wx');
    // An interrupted write leaves no temporary file behind.
    const forget = removeOnExit(temp);
    try {
      await file.writeFile(bytes);
      await file.sync();
    } catch (error) {
      await file.close();
      await unlink(temp).catch(() => undefined);
      forget();
      throw error;
    }
    await file.close();
    try {
      await rename(temp, target);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    } finally {
      forget();
    }
    await syncDirectory(this.directory);
    await removeStale(this.directory, prefix);
  }

  #path(name: string): string {
    if (name === '' || name === '.' || name === '..' || basename(name) !== name) {
      throw new RangeError(`a checkpoint name is a file name, not a path: '${name}'`);
    }
    return join(this.directory, name);
  }
}

/** Makes a rename durable; some platforms cannot open or fsync a directory, and say so. */
async function syncDirectory(directory: string): Promise<void> {
  let dir: Awaited<ReturnType<typeof open>> | undefined;
  try {
    dir = await open(directory, 'r');
    await dir.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM' && code !== 'EBADF') throw error;
  } finally {
    await dir?.close();
  }
}

/** Temporary files of earlier writes that were killed half-way. */
async function removeStale(directory: string, prefix: string): Promise<void> {
  const names = await readdir(directory).catch(() => [] as string[]);
  await Promise.all(names.filter((n) => n.startsWith(prefix)).map((n) => unlink(join(directory, n)).catch(() => undefined)));
}
