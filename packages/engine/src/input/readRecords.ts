import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { firstNonBlank, isGzipMagic, NdjsonLines } from '@simfleet/core/columns';
import type { InputSource } from './expandPaths.js';
import { JsonArraySplitter } from './jsonArraySplitter.js';
import { lineRecord, tooLongRecord } from './lineRecord.js';
import type { RawRecord } from './RawRecord.js';

export type { RawRecord } from './RawRecord.js';
export { lineRecord, tooLongRecord, utf8Problem } from './lineRecord.js';

/** Progress callback: compressed bytes read from the source so far. */
export type OnBytes = (bytes: number) => void;

/**
 * A compressed input whose data stops being readable part-way (truncated, a bad CRC, no
 * trailer, garbage after the last member). The records decompressed before it are good;
 * the reader reports the rest as one rejected range (`corrupt_input`).
 */
export class CorruptInputError extends Error {
  override readonly name = 'CorruptInputError';
  /** Compressed bytes of the input read, up to the piece where decompression failed. */
  readonly compressedOffset: number;

  constructor(message: string, compressedOffset: number) {
    super(message);
    this.compressedOffset = compressedOffset;
  }
}

/** Compressed bytes handed to gunzip at a time (its output is collected before the next). */
const GZIP_PIECE = 1 << 16;

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
 * Blank bytes read before the format is decided anyway: NDJSON (blank lines are not
 * records, so nothing is lost). Without a bound, a gzip of newlines (6 GiB from 6 MB)
 * would be held in memory whole while looking for its first record.
 */
const MAX_BLANK_HEAD = 1 << 20;

/**
 * Reads chunks until the format is known. Returns the format (`undefined`: the input
 * is blank) and the chunks again, the ones already read first. An input that starts with
 * more than 1 MiB of white space is NDJSON.
 *
 * @example
 * const { format, chunks } = await detectFormat(readInputChunks(source, stdin));
 */
export async function detectFormat(chunks: AsyncIterable<Buffer>): Promise<{ format: InputFormat | undefined; chunks: AsyncGenerator<Buffer> }> {
  const iterator = chunks[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let headBytes = 0;
  let format: InputFormat | undefined;
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
    head.push(next.value);
    headBytes += next.value.length;
    // The byte-order mark may be cut between the first tiny chunks: those few bytes are joined.
    const first = headBytes - next.value.length < 3 ? firstNonBlank(Buffer.concat(head), 0, true) : firstNonBlank(next.value);
    if (first !== -1) {
      format = first === 0x5b ? 'array' : 'ndjson';
      break;
    }
    if (headBytes > MAX_BLANK_HEAD) {
      format = 'ndjson';
      break;
    }
  }
  async function* again(): AsyncGenerator<Buffer> {
    yield* head.splice(0);
    if (format === undefined) return;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  }
  return { format, chunks: again() };
}

/** Options of the record readers. */
export interface RecordOptions {
  /** Longest record in bytes (default 16 MiB); a longer one is rejected as `line_too_long`. */
  readonly maxLineBytes?: number | undefined;
}

/** The records of an input's bytes (NDJSON lines or JSON array elements). */
export async function* recordsFromChunks(chunks: AsyncIterable<Buffer>, options: RecordOptions = {}): AsyncGenerator<RawRecord> {
  const { format, chunks: again } = await detectFormat(chunks);
  if (format === 'array') {
    const splitter = new JsonArraySplitter(options.maxLineBytes);
    for await (const chunk of again) yield* splitter.push(chunk);
    yield* splitter.end();
    return;
  }
  const out: RawRecord[] = [];
  const lines = new NdjsonLines({
    atInputStart: true,
    maxLineBytes: options.maxLineBytes,
    onTooLong: (line, bytes, head) => out.push(tooLongRecord(line, bytes, head, options.maxLineBytes)),
  });
  const onLine = (b: Uint8Array, s: number, e: number, line: number): void => {
    const record = lineRecord(b.subarray(s, e), line);
    if (record !== undefined) out.push(record);
  };
  for await (const chunk of again) {
    lines.push(chunk, onLine);
    yield* out.splice(0);
  }
  lines.end(onLine);
  yield* out.splice(0);
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
  if (!isGzipMagic(first)) {
    yield first;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      const buffer = toBuffer(next.value);
      onBytes?.(buffer.length);
      yield buffer;
    }
    return;
  }
  yield* gunzipPieces(first, iterator, onBytes);
}

/**
 * Gunzips piece by piece: each 64 KiB of compressed bytes is written and its output
 * collected before the next, so the output in flight is bounded (a gzip of newlines
 * expands 1000-fold) and, when the data turns out corrupt, everything decompressed
 * before the failing piece has been handed on. The failure is a `CorruptInputError`.
 */
async function* gunzipPieces(first: Buffer, rest: AsyncIterator<Buffer | string>, onBytes?: OnBytes): AsyncGenerator<Buffer> {
  const gunzip = createGunzip();
  const out: Buffer[] = [];
  let failure: Error | undefined;
  gunzip.on('data', (d: Buffer) => out.push(d));
  const failed = new Promise<void>((resolve) =>
    gunzip.once('error', (e: Error) => {
      failure = e;
      resolve();
    }),
  );
  const finished = Promise.race([failed, new Promise<void>((resolve) => gunzip.once('end', resolve))]);
  let fed = 0;
  // Resolves once the piece is processed and its output emitted (or decompression failed).
  const write = (piece: Buffer): Promise<void> => Promise.race([failed, new Promise<void>((resolve) => gunzip.write(piece, () => setImmediate(resolve)))]);
  const corrupt = (): CorruptInputError => new CorruptInputError(`gzip data unreadable after compressed byte ${fed} (${failure?.message ?? 'corrupt'})`, fed);
  let chunk: Buffer | undefined = first;
  while (chunk !== undefined) {
    for (let at = 0; at < chunk.length; at += GZIP_PIECE) {
      const piece = chunk.subarray(at, at + GZIP_PIECE);
      await write(piece);
      yield* out.splice(0);
      if (failure !== undefined) throw corrupt();
      fed += piece.length;
    }
    const next = await rest.next();
    if (next.done) break;
    chunk = toBuffer(next.value);
    onBytes?.(chunk.length);
  }
  gunzip.end();
  await finished;
  yield* out.splice(0);
  if (failure !== undefined) throw corrupt();
}

function toBuffer(value: Buffer | string): Buffer {
  return typeof value === 'string' ? Buffer.from(value) : value;
}
