import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { InputSource } from './expandPaths.js';
import { JsonArraySplitter } from './jsonArraySplitter.js';
import type { RawRecord } from './RawRecord.js';

export type { RawRecord } from './RawRecord.js';

/** Progress callback: compressed bytes read from the source so far. */
export type OnBytes = (bytes: number) => void;

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;
const NEWLINE = 0x0a;

/**
 * Reads every record of one input. The format is detected per input: gzip by its
 * magic bytes; a JSON array (an Event API page) when the first non-blank character
 * is `[`, NDJSON (one event per line) otherwise. Blank lines are not records.
 *
 * @example
 * for await (const record of readRecords({ kind: 'file', path: 'log.ndjson.gz', size: 0 }, stdin)) {}
 */
export async function* readRecords(source: InputSource, stdin: NodeJS.ReadableStream, onBytes?: OnBytes): AsyncGenerator<RawRecord> {
  yield* recordsFromChunks(readInputChunks(source, stdin, onBytes));
}

/**
 * The (gunzipped) bytes of one input, in chunks of up to 1 MiB for files.
 *
 * @example
 * for await (const chunk of readInputChunks({ kind: 'file', path: 'log.ndjson', size: 0 }, stdin)) {}
 */
export function readInputChunks(source: InputSource, stdin: NodeJS.ReadableStream, onBytes?: OnBytes): AsyncGenerator<Buffer> {
  const raw = source.kind === 'stdin' ? stdin : createReadStream(source.path, { highWaterMark: 1 << 20 });
  return decompressIfGzip(raw, onBytes);
}

/** Which format an input holds, from its first non-blank byte: `[` is a JSON array. */
export type InputFormat = 'ndjson' | 'array';

/**
 * Reads chunks until the format is known. Returns the format (`undefined`: the input
 * is blank) and the chunks again, the ones already read first.
 *
 * @example
 * const { format, chunks } = await detectFormat(readInputChunks(source, stdin));
 */
export async function detectFormat(chunks: AsyncIterable<Buffer>): Promise<{ format: InputFormat | undefined; chunks: AsyncGenerator<Buffer> }> {
  const iterator = chunks[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let format: InputFormat | undefined;
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
    head.push(next.value);
    const first = firstNonBlank(next.value);
    if (first !== -1) {
      format = first === 0x5b ? 'array' : 'ndjson';
      break;
    }
  }
  async function* again(): AsyncGenerator<Buffer> {
    yield* head;
    if (format === undefined) return;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  }
  return { format, chunks: again() };
}

/** The records of an input's bytes (NDJSON lines or JSON array elements). */
export async function* recordsFromChunks(chunks: AsyncIterable<Buffer>): AsyncGenerator<RawRecord> {
  let format: 'unknown' | 'ndjson' | 'array' = 'unknown';
  let splitter: JsonArraySplitter | undefined;
  let pending: Buffer[] = [];
  let line = 1;
  for await (const chunk of chunks) {
    if (format === 'unknown') {
      const first = firstNonBlank(chunk);
      if (first === -1) {
        pending.push(chunk);
        continue;
      }
      format = first === 0x5b ? 'array' : 'ndjson';
      if (format === 'array') {
        splitter = new JsonArraySplitter();
        for (const buffered of pending) yield* splitter.push(buffered);
        pending = [];
      }
    }
    if (splitter !== undefined) {
      yield* splitter.push(chunk);
      continue;
    }
    // NDJSON: cut at newlines, carrying the partial last line to the next chunk.
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE, start); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
      const piece = chunk.subarray(start, nl);
      const lineBytes = pending.length === 0 ? piece : Buffer.concat([...pending, piece]);
      pending = [];
      const record = lineRecord(lineBytes, line);
      if (record !== undefined) yield record;
      line += 1;
      start = nl + 1;
    }
    if (start < chunk.length) pending.push(chunk.subarray(start));
  }
  if (splitter !== undefined) {
    yield* splitter.end();
  } else if (pending.length > 0) {
    const record = lineRecord(Buffer.concat(pending), line);
    if (record !== undefined) yield record;
  }
}

/**
 * The text of one NDJSON line as a record: one trailing CR dropped; `undefined` when
 * blank. Shared by the line reader and the fast path's fallback, so both see the same text.
 *
 * @example
 * lineRecord(Buffer.from('{"id":1}\r'), 7) // { text: '{"id":1}', line: 7 }
 */
export function lineRecord(bytes: Uint8Array, line: number): RawRecord | undefined {
  let text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
  if (text.endsWith('\r')) text = text.slice(0, -1);
  if (text.trim() === '') return undefined;
  return { text, line };
}

export function firstNonBlank(chunk: Buffer): number {
  for (const byte of chunk) {
    if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09 && byte !== 0xef && byte !== 0xbb && byte !== 0xbf) return byte;
  }
  return -1;
}

/** Yields the input's bytes, gunzipped when the first two bytes are gzip's magic. */
async function* decompressIfGzip(input: NodeJS.ReadableStream, onBytes?: OnBytes): AsyncGenerator<Buffer> {
  const iterator = (input as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
  let head = await iterator.next();
  while (!head.done && toBuffer(head.value).length < 2) {
    const more = await iterator.next();
    if (more.done) break;
    head = { done: false, value: Buffer.concat([toBuffer(head.value), toBuffer(more.value)]) };
  }
  if (head.done) return;
  const first = toBuffer(head.value);
  onBytes?.(first.length);
  if (first[0] !== GZIP_MAGIC_0 || first[1] !== GZIP_MAGIC_1) {
    yield first;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      const buffer = toBuffer(next.value);
      onBytes?.(buffer.length);
      yield buffer;
    }
    return;
  }
  const gunzip = createGunzip();
  const feed = (async () => {
    try {
      if (!gunzip.write(first)) await new Promise((resolve) => gunzip.once('drain', resolve));
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        const buffer = toBuffer(next.value);
        onBytes?.(buffer.length);
        if (!gunzip.write(buffer)) await new Promise((resolve) => gunzip.once('drain', resolve));
      }
      gunzip.end();
    } catch (error) {
      gunzip.destroy(error as Error);
    }
  })();
  for await (const chunk of gunzip) yield chunk as Buffer;
  await feed;
}

function toBuffer(value: Buffer | string): Buffer {
  return typeof value === 'string' ? Buffer.from(value) : value;
}
