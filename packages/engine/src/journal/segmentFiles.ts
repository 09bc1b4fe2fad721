import { readdir } from 'node:fs/promises';
import { journalErrorFrom } from './JournalError.js';

const SEGMENT_NAME = /^(\d{16})\.wal$/;

/**
 * The file name of segment `segment`: 16 digits, so names sort as numbers do.
 *
 * @example
 * segmentFileName(3) // '0000000000000003.wal'
 */
export function segmentFileName(segment: number): string {
  return `${String(segment).padStart(16, '0')}.wal`;
}

/** The numbers of the segments in `dir`, ascending (other files are ignored). */
export async function listSegments(dir: string): Promise<number[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    throw journalErrorFrom(err, 'cannot list', dir);
  }
  const segments: number[] = [];
  for (const name of names) {
    const match = SEGMENT_NAME.exec(name);
    if (match !== null) segments.push(Number(match[1]));
  }
  return segments.sort((a, b) => a - b);
}
