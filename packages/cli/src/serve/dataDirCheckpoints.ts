import { readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { comparePositions, type JournalPosition } from '@simfleet/engine';

/** A checkpoint file of a data directory and the journal position it covers. */
export interface DataDirCheckpoint {
  readonly name: string;
  readonly path: string;
  /** Every journal record before this position is in the checkpoint; replay starts here. */
  readonly position: JournalPosition;
}

const NAME = /^checkpoint-(\d{16})-(\d{16})\.ckpt$/;

/**
 * The file name of the checkpoint that covers the journal up to `position`: the position
 * is in the name, so the checkpoint and where the journal continues are one atomic rename.
 *
 * @example
 * checkpointFileName({ segment: 2, offset: 4096 }) // 'checkpoint-0000000000000002-0000000000004096.ckpt'
 */
export function checkpointFileName(position: JournalPosition): string {
  return `checkpoint-${String(position.segment).padStart(16, '0')}-${String(position.offset).padStart(16, '0')}.ckpt`;
}

/**
 * The checkpoints in `dir`, oldest (smallest position) first; temp files and others are ignored.
 *
 * @example
 * const newest = (await listCheckpoints(dataDir)).at(-1);
 */
export async function listCheckpoints(dir: string): Promise<DataDirCheckpoint[]> {
  const found: DataDirCheckpoint[] = [];
  for (const name of await readdir(dir)) {
    const match = NAME.exec(name);
    if (match === null) continue;
    found.push({ name, path: join(dir, name), position: { segment: Number(match[1]), offset: Number(match[2]) } });
  }
  return found.sort((a, b) => comparePositions(a.position, b.position));
}

/**
 * Deletes the checkpoints older than `keep` (once a newer one is durable they are not needed).
 *
 * @example
 * await removeOlderCheckpoints(dataDir, { segment: 3, offset: 16 });
 */
export async function removeOlderCheckpoints(dir: string, keep: JournalPosition): Promise<void> {
  for (const checkpoint of await listCheckpoints(dir)) {
    if (comparePositions(checkpoint.position, keep) < 0) await unlink(checkpoint.path).catch(() => undefined);
  }
}
