/**
 * The few file operations the journal's append path needs, as promises over the callback
 * API (cheaper than `FileHandle` per call on the hot path), and a write that finishes
 * short writes: `writev` may write fewer bytes than asked (a disk filling up does that).
 */
import { close, constants, fdatasync, fsync, ftruncate, open, writev } from 'node:fs';

/**
 * `O_DSYNC` where the platform has it (Linux, macOS): a write on a descriptor opened with it
 * returns only once its data is on stable storage, as if `fdatasync` followed it, in one
 * system call (one trip to the thread pool instead of two). Undefined elsewhere: then the
 * journal calls `fdatasync` after each write.
 */
export const O_DSYNC: number | undefined = constants.O_DSYNC;

/** Flags for a segment: read-write (`create`: a new file, failing if it exists), with `O_DSYNC` when there is one. */
export function segmentFlags(create: boolean): number {
  const base = create ? constants.O_RDWR | constants.O_CREAT | constants.O_EXCL : constants.O_RDWR;
  return O_DSYNC === undefined ? base : base | O_DSYNC;
}

export const openFd = (path: string, flags: string | number): Promise<number> =>
  new Promise((resolve, reject) => open(path, flags, 0o644, (err, fd) => (err === null ? resolve(fd) : reject(err))));

export const closeFd = (fd: number): Promise<void> => new Promise((resolve, reject) => close(fd, (err) => (err === null ? resolve() : reject(err))));

export const datasyncFd = (fd: number): Promise<void> => new Promise((resolve, reject) => fdatasync(fd, (err) => (err === null ? resolve() : reject(err))));

export const truncateFd = (fd: number, length: number): Promise<void> =>
  new Promise((resolve, reject) => ftruncate(fd, length, (err) => (err === null ? resolve() : reject(err))));

/** Writes every byte of `buffers` at `position` (looping over short writes). */
export async function writeAllAt(fd: number, buffers: Buffer[], position: number): Promise<void> {
  let rest = buffers;
  let at = position;
  while (rest.length > 0) {
    const written = await new Promise<number>((resolve, reject) => writev(fd, rest, at, (err, n) => (err === null ? resolve(n) : reject(err))));
    at += written;
    let skip = written;
    let i = 0;
    while (i < rest.length && skip >= (rest[i] as Buffer).length) skip -= (rest[i++] as Buffer).length;
    rest = rest.slice(i);
    if (skip > 0 && rest.length > 0) rest[0] = (rest[0] as Buffer).subarray(skip);
  }
}

/** Makes a directory's entries (files created, renamed, deleted in it) durable. */
export async function syncDirectory(dir: string): Promise<void> {
  const fd = await openFd(dir, 'r');
  try {
    await new Promise<void>((resolve, reject) => fsync(fd, (err) => (err === null ? resolve() : reject(err))));
  } finally {
    await closeFd(fd);
  }
}
