/**
 * The WebAssembly route (WasmLines: one call per chunk) settles every line exactly as core's
 * line splitter plus the full decoder: the same snapshot, accounting, transitions and
 * rejections (code, reason, line, raw text), over random messy logs cut into chunks of any
 * size, with `until`, a watched endpoint, a small row budget (spills), skipped leading lines,
 * and hostile lines: longer than the bound (within a chunk and longer than a chunk), a
 * byte-order mark at the start and elsewhere, invalid UTF-8, raw control characters, deep
 * nesting, CRLF and blank lines, with and without a final newline.
 */
import type { Transition } from '@simfleet/core';
import { NdjsonLines } from '@simfleet/core/columns';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tooLongRecord } from '../../src/input/readRecords.js';
import { type Rejection, type ReplayOptions, ReplaySession } from '../../src/replay/ReplaySession.js';
import { snapshotChunks } from '../../src/snapshot/snapshot.js';
import { type Line, messyLogArb } from '../messyLog.js';
import { generateFleetLog } from '@simfleet/testkit';

const logArb = messyLogArb({ maxEvents: 250, maxDevices: 25, retimed: true });
const untilArb = fc
  .option(fc.integer({ min: 0, max: 4 * 3600 }), { nil: undefined })
  .map((s) => (s === undefined ? undefined : Date.UTC(2021, 9, 27) + s * 1000));

interface Outcome {
  readonly snapshot: string;
  readonly transitions: string[];
  readonly rejections: string[];
  readonly watched: string[];
}

function replay(options: ReplayOptions, ingest: (session: ReplaySession) => void): Outcome {
  const transitions: string[] = [];
  const rejections: string[] = [];
  const onTransition = (t: Transition): void => {
    transitions.push(`${t.endpointId}:${t.region}:${t.from}>${t.to}@${t.at}#${t.eventId}`);
  };
  const onReject = (r: Rejection): void => {
    rejections.push(`${r.file}:${r.line} ${r.code} ${r.reason} ${r.raw}`);
  };
  const session = new ReplaySession({ ...options, onTransition, onReject });
  ingest(session);
  const account = session.finish();
  const watched = [...session.watched].map(([id, e]) => `${id}:${e.typeId}:${e.description}`);
  return { snapshot: [...snapshotChunks(session.fleet, account)].join(''), transitions, rejections, watched };
}

/**
 * The reference route: core's line splitter (`NdjsonLines`: the byte-order mark, the line
 * bound) and every line through the full decoder, the text cut into pieces of `piece` bytes.
 */
const byLine =
  (text: Buffer, skip: number, piece: number, maxLineBytes?: number) =>
  (session: ReplaySession): void => {
    const lines = new NdjsonLines({
      atInputStart: true,
      maxLineBytes,
      onTooLong: (line, bytes, head) => {
        if (line > skip) session.ingest(tooLongRecord(line, bytes, head, maxLineBytes), 'all.ndjson');
      },
    });
    const onLine = (b: Uint8Array, s: number, e: number, line: number): void => {
      if (line > skip) session.ingestFullLine(b, s, e, 'all.ndjson', line);
    };
    for (let at = 0; at < text.length; at += piece) lines.push(text.subarray(at, Math.min(text.length, at + piece)), onLine);
    lines.end(onLine);
  };

/** The WebAssembly route, the text cut into pieces of `piece` bytes. */
const byChunk =
  (text: Buffer, skip: number, piece: number, maxLineBytes?: number, chunkBytes?: number) =>
  (session: ReplaySession): void => {
    const lines = session.wasmLines('all.ndjson', { skip, atInputStart: true, maxLineBytes, chunkBytes });
    for (let at = 0; at < text.length; at += piece) lines.push(text.subarray(at, Math.min(text.length, at + piece)));
    lines.end();
  };

const textOf = (lines: readonly Line[], finalNewline: boolean): Buffer => Buffer.from(lines.map((l) => l.text).join('\n') + (finalNewline ? '\n' : ''));

describe('the WebAssembly route equals the line-by-line fast path', () => {
  it('same snapshot, transitions and rejections over messy logs, any chunking, until and a watched endpoint', () => {
    fc.assert(
      fc.property(logArb, untilArb, fc.integer({ min: 1, max: 5000 }), fc.boolean(), fc.nat(), (lines, until, piece, finalNewline, watchPick) => {
        const text = textOf(lines, finalNewline);
        const endpoints = [...text.toString('utf8').matchAll(/"endpoint":\{"id":(\d+)/g)].map((m) => Number(m[1]));
        const watch = endpoints.length > 0 && watchPick % 3 === 0 ? endpoints[watchPick % endpoints.length] : undefined;
        const options: ReplayOptions = { ...(until === undefined ? {} : { until }), ...(watch === undefined ? {} : { watchEndpoint: watch }) };
        expect(replay(options, byChunk(text, 0, piece))).toEqual(replay(options, byLine(text, 0, piece)));
      }),
      { numRuns: 60 },
    );
  });

  it('with a small row budget (spilled runs) and leading lines skipped (a resumed checkpoint)', () => {
    fc.assert(
      fc.property(logArb, fc.constantFrom(1, 7, 100), fc.nat(), fc.integer({ min: 50, max: 3000 }), (lines, budget, skipPick, piece) => {
        const text = textOf(lines, true);
        const skip = skipPick % (lines.length + 1);
        const options: ReplayOptions = { maxRowsInMemory: budget };
        expect(replay(options, byChunk(text, skip, piece))).toEqual(replay(options, byLine(text, skip, piece)));
      }),
      { numRuns: 30 },
    );
  });

  it('hostile lines: too long, byte-order marks, invalid UTF-8, control bytes, deep nesting, CRLF, blanks; any chunking', () => {
    fc.assert(
      fc.property(
        logArb,
        fc.array(fc.tuple(fc.nat(), hostileArb), { minLength: 1, maxLength: 12 }),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 1, max: 6000 }),
        fc.constantFrom(undefined, 180, 700, 1500, 5000),
        fc.constantFrom(undefined, 1024, 4096),
        (lines, inserts, bom, finalNewline, piece, maxLineBytes, chunkBytes) => {
          const texts: Buffer[] = lines.map((l) => Buffer.from(l.text));
          for (const [at, make] of inserts) {
            const k = at % (texts.length + 1);
            texts.splice(k, 0, make(texts[at % texts.length] ?? Buffer.from('{}')));
          }
          const joined = Buffer.concat(texts.flatMap((t, i) => (i === texts.length - 1 && !finalNewline ? [t] : [t, NL])));
          const text = bom ? Buffer.concat([BOM, joined]) : joined;
          const outcome = replay({}, byChunk(text, 0, piece, maxLineBytes, chunkBytes));
          expect(outcome).toEqual(replay({}, byLine(text, 0, piece, maxLineBytes)));
        },
      ),
      { numRuns: 80 },
    );
  });

  it('ingestLine (one line a call, numbered from any line, 0 included) settles each line as the full decoder does', () => {
    fc.assert(
      fc.property(logArb, fc.integer({ min: 0, max: 3 }), (lines, from) => {
        const texts = lines.map((l) => Buffer.from(l.text));
        const one = (session: ReplaySession): void => {
          for (const [i, t] of texts.entries()) session.ingestLine(t, 0, t.length, 'all.ndjson', from + i);
        };
        const full = (session: ReplaySession): void => {
          for (const [i, t] of texts.entries()) session.ingestFullLine(t, 0, t.length, 'all.ndjson', from + i);
        };
        const outcome = replay({}, one);
        expect(outcome).toEqual(replay({}, full));
        expect(outcome.snapshot).toContain('"applied":');
      }),
      { numRuns: 15 },
    );
  });

  it('a line far longer than the bound, in small pieces, is one line_too_long with its length and first bytes; the lines around it are read', () => {
    const [a, b] = simLines();
    const long = Buffer.concat([Buffer.from('{"pad":"'), Buffer.alloc(300_000, 0x61), Buffer.from('"}')]);
    const text = Buffer.concat([a!, NL, long, NL, b!, NL]);
    const options = {};
    const out = replay(options, byChunk(text, 0, 777, 10_000, 1024));
    expect(out).toEqual(replay(options, byLine(text, 0, 777, 10_000)));
    expect(out.rejections).toHaveLength(1);
    expect(out.rejections[0]).toContain('all.ndjson:2 line_too_long');
    expect(out.rejections[0]).toContain(`is ${long.length} bytes long`);
    expect(out.snapshot).toContain('"applied":2');
  });
});

const NL = Buffer.of(0x0a);
const BOM = Buffer.of(0xef, 0xbb, 0xbf);

/** Two canonical simulator lines. */
function simLines(): Buffer[] {
  const chunks: string[] = [];
  generateFleetLog({ events: 2, devices: 1, seed: 5, messy: false }, (c) => chunks.push(c));
  return chunks
    .join('')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => Buffer.from(l));
}

/** A hostile line made from a log line (or from nothing). */
const hostileArb: fc.Arbitrary<(line: Buffer) => Buffer> = fc.oneof(
  // Longer than some bounds, within or beyond a chunk.
  fc.integer({ min: 0, max: 9000 }).map((n) => (line: Buffer) => Buffer.concat([Buffer.from(`{"pad":"${'p'.repeat(n)}",`), line.subarray(1)])),
  // A byte-order mark inside the file (invalid JSON there).
  fc.constant((line: Buffer) => Buffer.concat([BOM, line])),
  // A byte that is not UTF-8 (or a cut sequence) at a random offset.
  fc.tuple(fc.nat(), fc.constantFrom(0xff, 0xc0, 0xe2, 0xed, 0x80)).map(([at, byte]) => (line: Buffer) => {
    const copy = Buffer.from(line);
    if (copy.length > 0) copy[at % copy.length] = byte;
    return copy;
  }),
  // A raw control byte at a random offset.
  fc.tuple(fc.nat(), fc.constantFrom(0x00, 0x01, 0x0b, 0x1f, 0x09, 0x0d)).map(([at, byte]) => (line: Buffer) => {
    const copy = Buffer.from(line);
    if (copy.length > 0) copy[at % copy.length] = byte;
    return copy;
  }),
  // Nesting around the depth the decoders stop at.
  fc.integer({ min: 1, max: 400 }).map((d) => (line: Buffer) => Buffer.concat([Buffer.from(`{"deep":${'['.repeat(d)}${']'.repeat(d)},`), line.subarray(1)])),
  // CRLF, blanks, a lone CR.
  fc.constantFrom('\r', '', '  \t ', '\u00a0').map((t) => (line: Buffer) => (t === '\r' ? Buffer.concat([line, Buffer.from('\r')]) : Buffer.from(t))),
);
