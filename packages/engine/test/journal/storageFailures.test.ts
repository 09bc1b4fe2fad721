import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Journal, JournalError } from '../../src/index.js';
import { lines, mountTmpfs, readAll } from './support.js';

describe('Journal on storage that refuses writes (a real tmpfs, mounted by the test)', () => {
  it('a full disk rejects the append with disk_full, acknowledges nothing of it, and recovers when space returns', async () => {
    const fs = mountTmpfs('256k');
    try {
      const filler = join(fs.dir, 'filler');
      writeFileSync(filler, Buffer.alloc(128 * 1024, 1));
      const journal = await Journal.open(join(fs.dir, 'journal'));
      const acknowledged: string[] = [];
      let failure: unknown;
      for (let i = 0; i < 1000 && failure === undefined; i++) {
        const batch = lines(i * 50, 50);
        try {
          await journal.append(batch);
          acknowledged.push(...batch);
        } catch (err) {
          failure = err;
        }
      }
      expect(failure).toBeInstanceOf(JournalError);
      expect(failure).toMatchObject({ code: 'disk_full', errno: 'ENOSPC', retryable: true });
      expect(journal.state.status).toBe('failing');
      expect(journal.state.lastError?.code).toBe('disk_full');
      expect(acknowledged.length).toBeGreaterThan(0);
      // What is durable is exactly what was acknowledged.
      expect((await readAll(journal)).texts).toEqual(acknowledged);

      rmSync(filler);
      const more = lines(1_000_000, 50);
      await journal.append(more);
      expect(journal.state.status).toBe('ok');
      await journal.close();
      const reopened = await Journal.open(join(fs.dir, 'journal'));
      expect(reopened.state.tornTail).toBeNull();
      expect((await readAll(reopened)).texts).toEqual([...acknowledged, ...more]);
      await reopened.close();
    } finally {
      fs.unmount();
    }
  });

  it('a disk filling up under concurrent writers: exactly the acknowledged records are in the journal, in order', async () => {
    const fs = mountTmpfs('512k');
    try {
      const dir = join(fs.dir, 'journal');
      const journal = await Journal.open(dir, { maxSegmentBytes: 64 * 1024 });
      const acknowledged: { end: { segment: number; offset: number }; batch: string[] }[] = [];
      const failures: unknown[] = [];
      await Promise.all(
        Array.from({ length: 16 }, async (_, w) => {
          for (let k = 0; k < 400; k++) {
            const batch = lines(w * 100_000 + k * 20, 20);
            try {
              acknowledged.push({ end: await journal.append(batch), batch });
            } catch (err) {
              failures.push(err);
              return;
            }
          }
        }),
      );
      expect(failures.length).toBe(16);
      for (const failure of failures) expect(failure).toMatchObject({ name: 'JournalError', retryable: true });
      expect(failures.some((f) => (f as JournalError).code === 'disk_full')).toBe(true);
      // Acknowledged in file order, and what the journal holds is exactly what was acknowledged.
      acknowledged.sort((a, b) => a.end.segment - b.end.segment || a.end.offset - b.end.offset);
      expect((await readAll(journal)).texts).toEqual(acknowledged.flatMap((a) => a.batch));
      await journal.close();
      // A full disk refuses a restart too (loudly), until there is room again.
      await expect(Journal.open(dir, { maxSegmentBytes: 64 * 1024 })).rejects.toMatchObject({ code: 'disk_full' });
      fs.resize('2m');
      const reopened = await Journal.open(dir, { maxSegmentBytes: 64 * 1024 });
      expect(reopened.state.tornTail).toBeNull();
      expect((await readAll(reopened)).texts).toEqual(acknowledged.flatMap((a) => a.batch));
      await reopened.close();
    } finally {
      fs.unmount();
    }
  });

  it('opening a journal on a read-only file system fails before anything is served', async () => {
    const fs = mountTmpfs('1m');
    try {
      mkdirSync(join(fs.dir, 'journal'));
      fs.remount('ro');
      await expect(Journal.open(join(fs.dir, 'journal'))).rejects.toMatchObject({ name: 'JournalError', code: 'read_only', errno: 'EROFS' });
      await expect(Journal.open(join(fs.dir, 'elsewhere'))).rejects.toMatchObject({ code: 'read_only' });
    } finally {
      fs.unmount();
    }
  });

  it('a journal on a read-only bind mount refuses to open, with its records intact', async () => {
    const fs = mountTmpfs('1m');
    const view = join(fs.dir, 'view');
    try {
      const dir = join(fs.dir, 'journal');
      const journal = await Journal.open(dir);
      await journal.append(lines(0, 10));
      await journal.close();
      mkdirSync(view);
      execFileSync('mount', ['--bind', dir, view]);
      execFileSync('mount', ['-o', 'remount,bind,ro', view]);
      await expect(Journal.open(view)).rejects.toMatchObject({ code: 'read_only', errno: 'EROFS' });
      await expect(Journal.open(view)).rejects.toThrow(/cannot write in .*view: the file system is read-only/);
      const writable = await Journal.open(dir);
      expect((await readAll(writable)).texts).toEqual(lines(0, 10));
      await writable.close();
    } finally {
      execFileSync('umount', [view]);
      fs.unmount();
    }
  });
});
