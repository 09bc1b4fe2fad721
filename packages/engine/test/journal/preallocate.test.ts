import { closeSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Journal, segmentFileName } from '../../src/index.js';
import { lines, mountTmpfs, readAll, tempDir } from './support.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const fresh = (): string => {
  const dir = tempDir('journal-prealloc');
  dirs.push(dir);
  return dir;
};

const SEGMENT = 8192;
const options = { maxSegmentBytes: SEGMENT, preallocate: true } as const;

/** Waits until the journal's spare is installed as the next segment (or could not be made), or gives up after a while. */
async function spareSettled(journal: Journal): Promise<void> {
  for (let i = 0; i < 500 && (journal.state.spare === 'zeroing' || journal.state.spare === 'ready'); i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('Journal with preallocated segments', () => {
  it('writes into segments zeroed ahead to their full size, rolls into the spare, and reads back every record once', async () => {
    const dir = fresh();
    const journal = await Journal.open(dir, options);
    expect(journal.state.preallocated).toBe(true);
    expect(statSync(join(dir, segmentFileName(1))).size).toBe(SEGMENT);
    // The next segment is zeroed in the background (under a name that is not a segment's), then
    // installed as the next segment, empty, while records still go to the current one.
    await spareSettled(journal);
    expect(journal.state.spare).toBe('installed');
    expect(journal.end.segment).toBe(1);
    const installed = readFileSync(join(dir, segmentFileName(2)));
    expect(installed.length).toBe(SEGMENT);
    expect(installed.readBigUInt64LE(8)).toBe(2n);
    expect(installed.subarray(16).every((b) => b === 0)).toBe(true);
    const written: string[] = [];
    for (let i = 0; i < 150; i++) {
      const batch = lines(i * 4, 4);
      // A roll takes the spare only once it is whole (it never waits for one): let each be.
      await spareSettled(journal);
      await journal.append(batch);
      written.push(...batch);
    }
    expect(journal.state.segments).toBeGreaterThan(5);
    expect(journal.state.preallocated).toBe(true);
    await spareSettled(journal);
    const segments = readdirSync(dir).filter((n) => n.endsWith('.wal'));
    // The installed spare is on disk beside the segments in use.
    expect(segments.length).toBe(journal.state.segments + (journal.state.spare === 'installed' ? 1 : 0));
    // Every segment but (perhaps) an oversized one is exactly the preallocated size: records overwrote zeros.
    for (const name of segments) expect(statSync(join(dir, name)).size).toBe(SEGMENT);
    expect((await readAll(journal)).texts).toEqual(written);
    await journal.close();
    // Closing removes the spare; reopening finds the end among the zeros, with no torn tail.
    expect(readdirSync(dir).filter((n) => n.endsWith('.spare'))).toEqual([]);
    const again = await Journal.open(dir, options);
    expect(again.state.tornTail).toBeNull();
    expect(again.end).toEqual(journal.end);
    await again.append(['after reopening']);
    expect((await readAll(again)).texts).toEqual([...written, 'after reopening']);
    await again.close();
  });

  it('a roll that comes while the spare is still being zeroed takes a plain segment at once; the spare, once whole, serves the next roll', async () => {
    const dir = fresh();
    // Large segments: zeroing the spare takes many steps, each after the record writes in flight.
    const size = 16 * 1024 * 1024;
    const journal = await Journal.open(dir, { maxSegmentBytes: size, preallocate: true });
    expect(journal.state.spare).toBe('zeroing');
    const big = Buffer.alloc(size - 64, 0x61);
    await journal.append([big]);
    // Segment 1 is full: this append rolls, and the spare of segment 2 is far from whole.
    await journal.append(lines(0, 3));
    expect(journal.end.segment).toBe(2);
    expect(journal.state.preallocated).toBe(false);
    expect(statSync(join(dir, segmentFileName(2))).size).toBe(journal.end.offset);
    await spareSettled(journal);
    expect(journal.state.spare).toBe('installed');
    await journal.append([big]);
    // The spare was zeroed for segment 2; it becomes segment 3, its header rewritten.
    expect(journal.end.segment).toBe(3);
    expect(journal.state.preallocated).toBe(true);
    const third = readFileSync(join(dir, segmentFileName(3)));
    expect(third.length).toBe(size);
    expect(third.subarray(0, 16).toString('latin1', 0, 8)).toBe('SFJOURN1');
    expect(third.readBigUInt64LE(8)).toBe(3n);
    await journal.close();
    expect(readdirSync(dir).filter((n) => n.endsWith('.spare'))).toEqual([]);
    const again = await Journal.open(dir, { maxSegmentBytes: size, preallocate: true });
    expect(again.state.tornTail).toBeNull();
    expect(again.end).toEqual(journal.end);
    const { records } = await readAll(again);
    expect(records.map((r) => r.payload.length)).toEqual([big.length, ...lines(0, 3).map((l) => l.length), big.length]);
    expect(records.map((r) => r.position.segment)).toEqual([1, 2, 2, 2, 3]);
    await again.close();
  });

  it('a crash with the spare installed as the next (empty) segment: the torn write in the segment before it is cut, nothing acknowledged is lost', async () => {
    const dir = fresh();
    const journal = await Journal.open(dir, options);
    await journal.append(lines(0, 5));
    await spareSettled(journal);
    expect(journal.state.spare).toBe('installed');
    const end = journal.end;
    expect(end.segment).toBe(1);
    // What a crash leaves: every file as it is on disk now (all of it synced), and the remains of a write to segment 1.
    const crashed = fresh();
    for (const name of readdirSync(dir)) writeFileSync(join(crashed, name), readFileSync(join(dir, name)));
    await journal.close();
    const torn = Buffer.alloc(48, 7);
    torn.writeUInt32LE(300, 0);
    const fd = openSync(join(crashed, segmentFileName(1)), 'r+');
    writeSync(fd, torn, 0, torn.length, end.offset);
    closeSync(fd);
    const reopened = await Journal.open(crashed, options);
    expect(reopened.state.tornTail).toEqual({ segment: 1, offset: end.offset, bytes: 48, reason: 'bad_checksum' });
    // The empty installed segment is the newest: records continue there.
    expect(reopened.end).toEqual({ segment: 2, offset: 16 });
    expect(
      readFileSync(join(crashed, segmentFileName(1)))
        .subarray(end.offset)
        .every((b) => b === 0),
    ).toBe(true);
    await reopened.append(['after the crash']);
    expect((await readAll(reopened)).texts).toEqual([...lines(0, 5), 'after the crash']);
    await reopened.close();
    const third = await Journal.open(crashed, options);
    expect(third.state.tornTail).toBeNull();
    expect((await readAll(third)).texts).toEqual([...lines(0, 5), 'after the crash']);
    await third.close();
  });

  it('a write torn inside the zeroed space is cut back to zeros: the records before it stay, the segment keeps its size', async () => {
    const dir = fresh();
    const journal = await Journal.open(dir, options);
    await journal.append(lines(0, 5));
    const end = journal.end;
    await journal.close();
    const path = join(dir, segmentFileName(end.segment));
    // The remains of a write a crash interrupted: a header promising 300 bytes, and 40 of them.
    const torn = Buffer.alloc(48, 7);
    torn.writeUInt32LE(300, 0);
    const fd = openSync(path, 'r+');
    writeSync(fd, torn, 0, torn.length, end.offset);
    closeSync(fd);
    const reopened = await Journal.open(dir, options);
    expect(reopened.state.tornTail).toEqual({ segment: end.segment, offset: end.offset, bytes: 48, reason: 'bad_checksum' });
    expect(reopened.end).toEqual(end);
    expect(statSync(path).size).toBe(SEGMENT);
    expect(
      readFileSync(path)
        .subarray(end.offset)
        .every((b) => b === 0),
    ).toBe(true);
    await reopened.append(['after the crash']);
    await reopened.close();
    const third = await Journal.open(dir, options);
    expect(third.state.tornTail).toBeNull();
    expect((await readAll(third)).texts).toEqual([...lines(0, 5), 'after the crash']);
    await third.close();
  });

  it('damage followed by a valid frame in the zeroed space is refused, not cut', async () => {
    const dir = fresh();
    const journal = await Journal.open(dir, options);
    await journal.append(lines(0, 3));
    const middle = journal.end;
    await journal.append(lines(3, 3));
    await journal.close();
    const path = join(dir, segmentFileName(1));
    const bytes = readFileSync(path);
    bytes[middle.offset + 12] = (bytes[middle.offset + 12] as number) ^ 0xff;
    writeFileSync(path, bytes);
    await expect(Journal.open(dir, options)).rejects.toMatchObject({ code: 'corrupt', position: middle });
  });

  it('a spare a crash left half zeroed is deleted on open, never read as a segment', async () => {
    const dir = fresh();
    const journal = await Journal.open(dir, options);
    await journal.append(lines(0, 3));
    await journal.close();
    writeFileSync(join(dir, `${segmentFileName(2)}.spare`), Buffer.from('SFJOURN1\u0002', 'latin1'));
    const reopened = await Journal.open(dir, options);
    expect(reopened.state.segments).toBe(1);
    expect((await readAll(reopened)).texts).toEqual(lines(0, 3));
    await reopened.close();
  });

  it('a file system without room for four segments gets plain segments that grow as they fill', async () => {
    const fs = mountTmpfs('256k');
    try {
      const dir = join(fs.dir, 'journal');
      const journal = await Journal.open(dir, { maxSegmentBytes: 128 * 1024, preallocate: true });
      expect(journal.state.preallocated).toBe(false);
      await journal.append(lines(0, 10));
      expect(statSync(join(dir, segmentFileName(1))).size).toBe(journal.end.offset);
      expect(readdirSync(dir).filter((n) => n.endsWith('.spare'))).toEqual([]);
      await journal.close();
      const again = await Journal.open(dir, { maxSegmentBytes: 128 * 1024, preallocate: true });
      expect((await readAll(again)).texts).toEqual(lines(0, 10));
      await again.close();
    } finally {
      fs.unmount();
    }
  });
});
