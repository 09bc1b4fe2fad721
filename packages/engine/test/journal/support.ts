import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Journal, JournalRecord } from '../../src/index.js';

/** A fresh directory under the system's temporary directory. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `simfleet-${prefix}-`));
}

/** Every record of the journal, read back as text. */
export async function readAll(journal: Journal, from?: JournalRecord['position']): Promise<{ texts: string[]; records: JournalRecord[] }> {
  const records: JournalRecord[] = [];
  for await (const record of journal.read(from)) records.push(record);
  return { texts: records.map((r) => r.payload.toString('utf8')), records };
}

/** `n` distinct event-like lines starting at `from`. */
export function lines(from: number, n: number): string[] {
  return Array.from(
    { length: n },
    (_, i) => `{"id":${from + i},"event_type":{"id":1},"timestamp":"2026-12-01T10:00:00.000Z","endpoint":{"id":${(from + i) % 97}}}`,
  );
}

/** A real tmpfs of `size` mounted at a new directory (we run as root); `unmount` removes it. */
export function mountTmpfs(size: string): { dir: string; remount(mode: 'ro' | 'rw'): void; resize(size: string): void; unmount(): void } {
  const dir = tempDir('tmpfs');
  mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  return {
    dir,
    remount(mode) {
      execFileSync('mount', ['-o', `remount,${mode}`, dir]);
    },
    resize(newSize) {
      execFileSync('mount', ['-o', `remount,size=${newSize}`, dir]);
    },
    unmount() {
      execFileSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
