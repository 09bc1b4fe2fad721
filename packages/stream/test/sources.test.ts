import { appendFile, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import { fromAsyncIterable, fromReadable, SourceError, tailNdjsonFile } from '../src/index.js';
import { waitFor } from './waitFor.js';

describe('fromReadable', () => {
  it('splits chunks into lines, joining lines and UTF-8 characters cut across chunks', async () => {
    const text = '{"a":1}\r\n{"b":"é€😀"}\n\n{"c":3}';
    const bytes = Buffer.from(text, 'utf8');
    // Cut every 3 bytes: lines and multi-byte characters straddle the chunks.
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 3) chunks.push(bytes.subarray(i, i + 3));
    const lines = await lastValueFrom(fromReadable(Readable.from(chunks, { objectMode: false })).pipe(toArray()));
    expect(lines).toEqual(['{"a":1}', '{"b":"é€😀"}', '', '{"c":3}']);
  });

  it('fails with a coded SourceError on a line over the limit', async () => {
    const source = fromReadable(Readable.from([Buffer.from('short\n'), Buffer.from('x'.repeat(50))]), { maxLineLength: 20 });
    const error = await lastValueFrom(source.pipe(toArray())).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect(error).toMatchObject({ code: 'line_too_long', line: 2 });
  });

  it('destroys the stream when unsubscribed while it idles', async () => {
    const stream = new PassThrough();
    stream.write('one\n');
    const first = await firstValueFrom(fromReadable(stream));
    expect(first).toBe('one');
    expect(stream.destroyed).toBe(true);
  });
});

describe('fromAsyncIterable (backpressure)', () => {
  it('never pulls more than one item ahead of what the subscriber has received', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    async function* counting(): AsyncGenerator<number> {
      for (let i = 0; i < 50; i++) {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        yield i;
      }
    }
    let received = 0;
    await new Promise<void>((resolve, reject) => {
      fromAsyncIterable(counting()).subscribe({
        next: () => {
          inFlight -= 1;
          received += 1;
        },
        error: reject,
        complete: resolve,
      });
    });
    expect(received).toBe(50);
    expect(maxInFlight).toBe(1);
  });

  it('reads a byte stream no further ahead than its highWaterMark', async () => {
    let produced = 0;
    let received = 0;
    let maxAhead = 0;
    const stream = new Readable({
      highWaterMark: 40,
      read() {
        if (produced === 1000) {
          this.push(null);
          return;
        }
        produced += 1;
        this.push(`line${String(produced).padStart(5, '0')}\n`);
      },
    });
    await new Promise<void>((resolve, reject) => {
      fromReadable(stream).subscribe({
        next: () => {
          received += 1;
          maxAhead = Math.max(maxAhead, produced - received);
        },
        error: reject,
        complete: resolve,
      });
    });
    expect(received).toBe(1000);
    // 40 bytes of 10-byte lines buffered by the stream, plus the chunk being split.
    expect(maxAhead).toBeLessThanOrEqual(6);
  });

  it('calls the iterator’s return() when unsubscribed', async () => {
    let finished = false;
    async function* endless(): AsyncGenerator<number> {
      try {
        for (let i = 0; ; i++) yield i;
      } finally {
        finished = true;
      }
    }
    const first = await firstValueFrom(fromAsyncIterable(endless()));
    expect(first).toBe(0);
    await waitFor(() => finished);
    expect(finished).toBe(true);
  });
});

describe('tailNdjsonFile', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });
  const tempFile = async (): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), 'simfleet-tail-'));
    dirs.push(dir);
    return join(dir, 'events.ndjson');
  };

  it('follows appended lines, never emitting a half-written one, and restarts after truncation', async () => {
    const path = await tempFile();
    await writeFile(path, 'l1\nl2\npart');
    const lines: string[] = [];
    const subscription = tailNdjsonFile(path, { pollInterval: 5 }).subscribe((line) => lines.push(line));
    await waitFor(() => lines.length === 2);
    await appendFile(path, 'ial\nl4\n');
    await waitFor(() => lines.length === 4);
    expect(lines).toEqual(['l1', 'l2', 'partial', 'l4']);
    await truncate(path, 0);
    await writeFile(path, 'fresh\n');
    await waitFor(() => lines.length === 5);
    expect(lines[4]).toBe('fresh');
    subscription.unsubscribe();
    await appendFile(path, 'after\n');
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(lines).toHaveLength(5);
  });

  it('completes at the end of the file with follow: false', async () => {
    const path = await tempFile();
    await writeFile(path, 'a\nb\nc');
    const lines = await lastValueFrom(tailNdjsonFile(path, { follow: false, chunkSize: 2 }).pipe(toArray()));
    expect(lines).toEqual(['a', 'b', 'c']);
  });

  it('reports a missing file as an error', async () => {
    const path = await tempFile();
    const error = await lastValueFrom(tailNdjsonFile(path, { follow: false })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ENOENT' });
  });
});
