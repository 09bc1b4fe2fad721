import { readdirSync, rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { comparePositions, Journal } from '../../src/index.js';
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

describe('Journal round trip', () => {
  it('reads back every appended record in append order, with positions, after a reopen', async () => {
    const dir = fresh();
    const journal = await Journal.open(dir);
    const first = lines(0, 100);
    const second = [Buffer.from('bytes, not text'), 'ünïcødé ✓', ''];
    const end1 = await journal.append(first);
    const end2 = await journal.append(second);
    expect(comparePositions(end1, end2)).toBeLessThan(0);
    expect(journal.state.durableRecords).toBe(103);
    await journal.close();

    const again = await Journal.open(dir);
    expect(again.state.tornTail).toBeNull();
    expect(again.end).toEqual(end2);
    const { texts, records } = await readAll(again);
    expect(texts).toEqual([...first, 'bytes, not text', 'ünïcødé ✓', '']);
    for (let i = 1; i < records.length; i++) {
      expect(records[i]?.position).toEqual(records[i - 1]?.next);
    }
    expect(records[99]?.next).toEqual(end1);
    expect(records.at(-1)?.next).toEqual(end2);
    // Reading from a returned position continues right after it.
    expect((await readAll(again, end1)).texts).toEqual(['bytes, not text', 'ünïcødé ✓', '']);
    await again.close();
  });

  it('writes byte records from where they are: slices of a larger buffer, empty ones, and more in one write than one writev takes', async () => {
    const dir = fresh();
    const journal = await Journal.open(dir);
    const body = Buffer.from(Array.from({ length: 3000 }, (_, i) => `{"line":${i}}`).join('\n'));
    // Slices at odd offsets of one buffer (the way serve journals a request body's lines), and an empty one.
    const slices: Uint8Array[] = [];
    for (let start = 0; start < body.length; ) {
      const nl = body.indexOf(10, start);
      const end = nl === -1 ? body.length : nl;
      slices.push(body.subarray(start, end));
      start = end + 1;
    }
    slices.push(new Uint8Array(0));
    // 3001 records in one append: 6002 buffers, more than one writev takes (IOV_MAX 1024).
    await Promise.all([journal.append(slices), journal.append([new Uint8Array(body.buffer, body.byteOffset + 2, 5)])]);
    await journal.close();
    const again = await Journal.open(dir);
    expect(again.state.tornTail).toBeNull();
    const { texts } = await readAll(again);
    expect(texts).toEqual([...body.toString('utf8').split('\n'), '', body.toString('utf8', 2, 7)]);
    await again.close();
  });

  it('rolls over to bounded segments and truncateBefore deletes only the segments a position covers', async () => {
    const dir = fresh();
    const journal = await Journal.open(dir, { maxSegmentBytes: 2048 });
    const ends = [];
    for (let i = 0; i < 40; i++) ends.push(await journal.append(lines(i * 5, 5)));
    const segments = readdirSync(dir).filter((n) => n.endsWith('.wal'));
    expect(segments.length).toBeGreaterThan(5);
    expect(journal.state.segments).toBe(segments.length);
    const cut = ends[25]!;
    expect(cut.segment).toBeGreaterThan(2);
    const deleted = await journal.truncateBefore(cut);
    expect(deleted).toBe(cut.segment - 1);
    expect(readdirSync(dir).filter((n) => n.endsWith('.wal')).length).toBe(segments.length - deleted);
    // Everything after the checkpoint position is still there.
    expect((await readAll(journal, cut)).texts).toEqual(lines(26 * 5, 14 * 5));
    // A position in a deleted segment is refused, never read as if empty.
    await expect(readAll(journal, ends[0]!)).rejects.toMatchObject({ code: 'corrupt' });
    await journal.close();
    const again = await Journal.open(dir, { maxSegmentBytes: 2048 });
    expect(again.state.firstSegment).toBe(cut.segment);
    const { texts } = await readAll(again);
    expect(texts.slice(-70)).toEqual(lines(130, 70));
    await again.close();
  });

  it('an empty append resolves at once without a sync', async () => {
    const journal = await Journal.open(fresh());
    await journal.append(['one']);
    const syncs = journal.state.syncs;
    expect(await journal.append([])).toEqual(journal.end);
    expect(journal.state.syncs).toBe(syncs);
    await journal.close();
  });

  it('rejects appends after close with a typed error', async () => {
    const journal = await Journal.open(fresh());
    await journal.close();
    await expect(journal.append(['x'])).rejects.toMatchObject({ name: 'JournalError', code: 'closed' });
  });
});

describe('Journal group commit', () => {
  it('one sync at a time: appends made while a sync is in flight share the next sync', async () => {
    const journal = await Journal.open(fresh(), { maxConcurrentSyncs: 1 });
    const firstAck = journal.append(lines(0, 10));
    // Let the first flush start (it is scheduled a microtask later); its write has not completed.
    await Promise.resolve();
    await Promise.resolve();
    const others = Array.from({ length: 32 }, (_, i) => journal.append(lines(10 + i * 10, 10)));
    expect(journal.state.pendingRecords).toBe(330);
    const ends = await Promise.all([firstAck, ...others]);
    expect(journal.state.syncs).toBe(2);
    expect(journal.state.pendingRecords).toBe(0);
    // Each append's end is after the previous one's: acknowledged in order.
    for (let i = 1; i < ends.length; i++) expect(comparePositions(ends[i - 1]!, ends[i]!)).toBeLessThan(0);
    expect((await readAll(journal)).texts).toEqual(lines(0, 330));
    await journal.close();
  });

  it('two syncs in flight: a third group waits and shares one sync, acknowledgements stay in file order', async () => {
    const journal = await Journal.open(fresh(), { maxConcurrentSyncs: 2 });
    const order: number[] = [];
    const track = (n: number, p: Promise<unknown>) => p.then(() => order.push(n));
    const a = track(0, journal.append(lines(0, 10)));
    await Promise.resolve();
    await Promise.resolve();
    const b = track(1, journal.append(lines(10, 10)));
    await Promise.resolve();
    await Promise.resolve();
    const rest = Array.from({ length: 20 }, (_, i) => track(2 + i, journal.append(lines(20 + i * 10, 10))));
    await Promise.all([a, b, ...rest]);
    expect(journal.state.syncs).toBe(3);
    expect(order).toEqual(Array.from({ length: 22 }, (_, i) => i));
    expect((await readAll(journal)).texts).toEqual(lines(0, 220));
    await journal.close();
  });

  it('many concurrent writers: every record durable exactly once, far fewer syncs than appends', async () => {
    const journal = await Journal.open(fresh(), { maxSegmentBytes: 64 * 1024 });
    const writers = Array.from({ length: 16 }, async (_, w) => {
      for (let k = 0; k < 20; k++) {
        await journal.append(lines(w * 10_000 + k * 10, 10));
        if (k % 3 === 0) await new Promise((r) => setImmediate(r));
      }
    });
    await Promise.all(writers);
    expect(journal.state.durableRecords).toBe(16 * 20 * 10);
    expect(journal.state.syncs).toBeLessThan(16 * 20);
    const { texts } = await readAll(journal);
    expect(texts.length).toBe(3200);
    expect(new Set(texts).size).toBe(3200);
    // Each writer's records appear in the order it appended them.
    for (let w = 0; w < 16; w++) {
      const mine = texts.filter((t) => Math.floor(Number(/"id":(\d+)/.exec(t)?.[1]) / 10_000) === w);
      expect(mine).toEqual(lines(w * 10_000, 200));
    }
    await journal.close();
  });
});
