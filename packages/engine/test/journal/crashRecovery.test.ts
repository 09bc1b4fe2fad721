import { cpSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Journal, segmentFileName } from '../../src/index.js';
import { lines, readAll, tempDir } from './support.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const fresh = (): string => {
  const dir = tempDir('journal');
  dirs.push(dir);
  return dir;
};

/** A closed journal of 20 records in one segment; returns where its last frame starts. */
async function journalOf20(dir: string): Promise<{ lastFrame: number; size: number; texts: string[] }> {
  const journal = await Journal.open(dir);
  const texts = lines(0, 20);
  await journal.append(texts.slice(0, 19));
  const before = journal.end;
  await journal.append(texts.slice(19));
  await journal.close();
  return { lastFrame: before.offset, size: statSync(join(dir, segmentFileName(1))).size, texts };
}

describe('Journal after a crash', () => {
  it('cuts a torn last frame at every length it could have been cut to, and never yields it', async () => {
    const base = fresh();
    const { lastFrame, size, texts } = await journalOf20(base);
    for (let cut = lastFrame + 1; cut < size; cut++) {
      const dir = fresh();
      cpSync(base, dir, { recursive: true });
      truncateSync(join(dir, segmentFileName(1)), cut);
      const journal = await Journal.open(dir);
      expect(journal.state.tornTail).toEqual({
        segment: 1,
        offset: lastFrame,
        bytes: cut - lastFrame,
        reason: cut - lastFrame < 8 ? 'partial_header' : 'partial_frame',
      });
      expect(journal.end).toEqual({ segment: 1, offset: lastFrame });
      expect((await readAll(journal)).texts).toEqual(texts.slice(0, 19));
      // The journal continues cleanly after the cut: a new record lands where the torn one was.
      await journal.append(['after the crash']);
      await journal.close();
      const reopened = await Journal.open(dir);
      expect(reopened.state.tornTail).toBeNull();
      expect((await readAll(reopened)).texts).toEqual([...texts.slice(0, 19), 'after the crash']);
      await reopened.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a bad checksum in the last frame, or zeros after the last frame, is a torn tail', async () => {
    const dir = fresh();
    const { lastFrame, size, texts } = await journalOf20(dir);
    const path = join(dir, segmentFileName(1));
    const bytes = readFileSync(path);
    bytes[size - 3] = (bytes[size - 3] as number) ^ 0x20;
    writeFileSync(path, bytes);
    const journal = await Journal.open(dir);
    expect(journal.state.tornTail).toMatchObject({ offset: lastFrame, reason: 'bad_checksum' });
    expect((await readAll(journal)).texts).toEqual(texts.slice(0, 19));
    await journal.close();

    writeFileSync(path, Buffer.concat([readFileSync(path), Buffer.alloc(4096)]));
    const zeroed = await Journal.open(dir);
    expect(zeroed.state.tornTail).toMatchObject({ offset: lastFrame, bytes: 4096 });
    expect((await readAll(zeroed)).texts).toEqual(texts.slice(0, 19));
    await zeroed.close();
  });

  it('a segment whose header the crash left partial is restarted empty', async () => {
    const dir = fresh();
    const journal = await Journal.open(dir, { maxSegmentBytes: 1024 });
    for (let i = 0; i < 12; i++) await journal.append(lines(i * 3, 3));
    const end = journal.end;
    await journal.close();
    const next = join(dir, segmentFileName(end.segment + 1));
    writeFileSync(next, Buffer.from('SFJOU', 'latin1'));
    const again = await Journal.open(dir, { maxSegmentBytes: 1024 });
    expect(again.state.tornTail).toEqual({ segment: end.segment + 1, offset: 16, bytes: 5, reason: 'partial_segment_header' });
    expect((await readAll(again)).texts).toEqual(lines(0, 36));
    await again.append(['next']);
    expect((await readAll(again)).texts.at(-1)).toBe('next');
    await again.close();
  });

  it('a bad checksum in the middle of the newest segment refuses to open, naming the position', async () => {
    const dir = fresh();
    await journalOf20(dir);
    const journal = await Journal.open(dir);
    const { records } = await readAll(journal);
    await journal.close();
    const victim = records[7]!;
    const path = join(dir, segmentFileName(1));
    const bytes = readFileSync(path);
    bytes[victim.position.offset + 12] = (bytes[victim.position.offset + 12] as number) ^ 0x01;
    writeFileSync(path, bytes);
    const opening = Journal.open(dir);
    await expect(opening).rejects.toMatchObject({ name: 'JournalError', code: 'corrupt', position: { segment: 1, offset: victim.position.offset } });
    await expect(opening).rejects.toThrow(/segment 1 offset \d+/);
    // Nothing was cut: the file is as damaged as it was, for a person to look at.
    expect(readFileSync(path)).toEqual(bytes);
  });

  it('a bad checksum in an older segment is an error at that position when read', async () => {
    const dir = fresh();
    const journal = await Journal.open(dir, { maxSegmentBytes: 1024 });
    for (let i = 0; i < 20; i++) await journal.append(lines(i * 3, 3));
    const { records } = await readAll(journal);
    await journal.close();
    const victim = records.find((r) => r.position.segment === 2)!;
    const path = join(dir, segmentFileName(2));
    const bytes = readFileSync(path);
    bytes[victim.position.offset + 9] = (bytes[victim.position.offset + 9] as number) ^ 0x40;
    writeFileSync(path, bytes);
    const again = await Journal.open(dir, { maxSegmentBytes: 1024 });
    const seen: string[] = [];
    const reading = (async () => {
      for await (const record of again.read()) seen.push(record.payload.toString());
    })();
    await expect(reading).rejects.toMatchObject({ code: 'corrupt', position: victim.position });
    expect(seen).toEqual(records.filter((r) => r.position.segment === 1).map((r) => r.payload.toString()));
    await again.close();
  });

  it('a missing segment between others refuses to open', async () => {
    const dir = fresh();
    const journal = await Journal.open(dir, { maxSegmentBytes: 1024 });
    for (let i = 0; i < 20; i++) await journal.append(lines(i * 3, 3));
    await journal.close();
    rmSync(join(dir, segmentFileName(2)));
    await expect(Journal.open(dir)).rejects.toMatchObject({ code: 'corrupt', position: { segment: 2, offset: 0 } });
  });

  it('a file that is not a journal segment refuses to open', async () => {
    const dir = fresh();
    writeFileSync(join(dir, segmentFileName(1)), 'this is not a journal, it is a note someone left here');
    await expect(Journal.open(dir)).rejects.toMatchObject({ code: 'not_a_journal' });
  });
});
