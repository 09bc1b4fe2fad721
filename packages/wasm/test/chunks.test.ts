/**
 * Chunking cannot change a verdict: a stream of lines decoded in pieces of every size, cut at
 * every offset of a 64-byte block, with small chunks (lines straddling chunk ends, lines
 * longer than a chunk) and few lines per call, with and without a final newline, gives each
 * line the verdict it gets alone; the line bound and the byte-order mark; and the options
 * that hold rows for the full decoder.
 */
import { EventColumns, StringPool } from '@simfleet/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WasmLineDecoder } from '../src/index.js';
import { STATUS_TOO_LONG } from '../src/layout.js';
import {
  checkVerdict,
  decodeAll,
  encoder,
  type LineVerdict,
  newDecoder,
  rowOf,
  STATUS_FALLBACK,
  STATUS_HELD,
  STATUS_ROW,
  simulatorLines,
  tally,
} from './support.js';

const SIM = simulatorLines(false, 120, 31);
const MESSY = simulatorLines(true, 120, 32);

/** Lines of every kind: rows, broken ones, blanks, CRLF, a long one. */
function mixedLines(): string[] {
  const lines = [...SIM.slice(0, 40), ...MESSY.slice(0, 40)];
  lines.splice(5, 0, '', '   ', `${SIM[3]}\r`, (SIM[4] as string).slice(0, 100), '{"id":1}', 'not json');
  lines.splice(30, 0, `{"zz":"${'x'.repeat(5000)}",${(SIM[6] as string).slice(1)}`);
  return lines;
}

/** What each line gets when it is decoded alone. */
function alone(lines: readonly string[]): { status: number; row: unknown[] | undefined }[] {
  const decoder = newDecoder();
  return lines.map((line) => {
    const [v] = decodeAll(decoder, encoder.encode(`${line}\n`));
    return { status: (v as LineVerdict).status, row: (v as LineVerdict).row };
  });
}

/** The verdicts when chunks hold `chunkBytes`: a line that does not fit goes to the full decoder. */
const fitting = (lines: readonly string[], verdicts: ReturnType<typeof alone>, chunkBytes: number): ReturnType<typeof alone> =>
  verdicts.map((v, i) => (encoder.encode(lines[i] as string).length >= chunkBytes ? { status: STATUS_FALLBACK, row: undefined } : v));

const summary = (vs: readonly LineVerdict[]): { status: number; row: unknown[] | undefined }[] => vs.map((v) => ({ status: v.status, row: v.row }));

describe('WasmLineDecoder chunk boundaries', () => {
  const lines = mixedLines();
  const expected = alone(lines);
  const text = encoder.encode(`${lines.join('\n')}\n`);

  it('every line alone: the verdicts themselves hold (rows equal the full decoder)', () => {
    const decoder = newDecoder();
    const t = tally();
    for (const v of decodeAll(decoder, text)) checkVerdict(v, t);
    expect(t.row).toBeGreaterThan(60);
    expect(t.blank).toBe(2);
  });

  it('the stream cut at every offset of a 64-byte block (two pieces), in every line of the block', () => {
    for (const block of [0, 64 * 20, 64 * 97]) {
      for (let k = 0; k <= 64; k++) {
        const cut = Math.min(text.length, block + k);
        const decoder = newDecoder();
        const out: LineVerdict[] = [];
        const columns = new EventColumns(decoder.pool, 16);
        const collect = (verdicts: LineVerdict[]): void => {
          out.push(...verdicts);
        };
        collect(decodeAll(decoder, text.subarray(0, cut), cut, false));
        collect(decodeAll(decoder, text.subarray(cut), text.length, true));
        expect(columns.length).toBe(0);
        expect(summary(out), `cut at ${cut}`).toEqual(expected);
      }
    }
  });

  it('a line whose object is whole where a piece ends waits for the rest of its line (trailing bytes decide)', () => {
    const object = SIM[2] as string;
    const tails = ['', ' ', '  \t', '\r', ' x', '}', ',{}', ' \r '];
    for (const tail of tails) {
      const line = `${object}${tail}`;
      const [want] = alone([line]);
      const bytes = encoder.encode(`${SIM[0]}\n${line}\n${SIM[1]}\n`);
      const lineStart = encoder.encode(`${SIM[0]}\n`).length;
      const objectEnd = lineStart + encoder.encode(object).length;
      for (let cut = objectEnd - 1; cut <= objectEnd + tail.length + 1; cut++) {
        const decoder = newDecoder();
        const out = [...decodeAll(decoder, bytes.subarray(0, cut), cut, false), ...decodeAll(decoder, bytes.subarray(cut), bytes.length, true)];
        expect(out.length, `tail ${JSON.stringify(tail)} cut at ${cut}`).toBe(3);
        expect(summary([out[1] as LineVerdict]), `tail ${JSON.stringify(tail)} cut at ${cut}`).toEqual([want]);
      }
    }
    // The tails give different verdicts, so the test can tell a line cut short from a whole one.
    const verdicts = new Set(alone(tails.map((t) => `${object}${t}`)).map((v) => v.status));
    expect(verdicts.size).toBeGreaterThan(1);
  });

  it('pieces of random sizes, small chunks (lines longer than a chunk) and few lines per call', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9000 }),
        fc.constantFrom(1024, 1500, 4096, 1 << 16),
        fc.constantFrom(1, 2, 7, 8192),
        (piece, chunkBytes, maxLines) => {
          const decoder = newDecoder({ chunkBytes, maxLines });
          expect(summary(decodeAll(decoder, text, piece))).toEqual(fitting(lines, expected, chunkBytes));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('without a final newline the last line is decoded all the same; a lone partial line waits for more', () => {
    const noNewline = text.subarray(0, text.length - 1);
    for (const piece of [noNewline.length, 1000, 63, 64, 65]) {
      expect(summary(decodeAll(newDecoder({ chunkBytes: 2048 }), noNewline, piece))).toEqual(fitting(lines, expected, 2048));
    }
    const decoder = newDecoder();
    expect(decodeAll(decoder, encoder.encode(SIM[0] as string), 100, false)).toEqual([]);
    const [v] = decodeAll(decoder, encoder.encode('\n'), 1, true);
    expect(v?.status).toBe(STATUS_ROW);
    expect(summary([v as LineVerdict])).toEqual(alone([SIM[0] as string]));
  });

  it('a line longer than a chunk goes to the full decoder whole, at its offset', () => {
    const long = `{"zz":"${'y'.repeat(10_000)}",${(SIM[1] as string).slice(1)}`;
    const input = encoder.encode(`${SIM[0]}\n${long}\n${SIM[2]}`);
    const decoder = newDecoder({ chunkBytes: 2048 });
    const seen: { offset: number; text: string; status: number }[] = [];
    decoder.feed(input, true, (chunk) => {
      for (let i = 0; i < chunk.lines; i++) {
        seen.push({
          offset: chunk.offset + (chunk.start[i] as number),
          text: Buffer.from(chunk.bytes.subarray(chunk.start[i], chunk.end[i])).toString('utf8'),
          status: chunk.status[i] as number,
        });
      }
    });
    expect(seen.map((s) => s.text)).toEqual([SIM[0], long, SIM[2]]);
    expect(seen.map((s) => s.offset)).toEqual([0, (SIM[0] as string).length + 1, (SIM[0] as string).length + long.length + 2]);
    expect(seen.map((s) => s.status)).toEqual([STATUS_ROW, STATUS_FALLBACK, STATUS_ROW]);
  });
});

describe('WasmLineDecoder line bound and byte-order mark', () => {
  /** Every line's (status, text, streamed length) from one input fed in `piece`-byte pieces. */
  const lineList = (decoder: WasmLineDecoder, input: Uint8Array, piece: number): [number, string, number][] => {
    const out: [number, string, number][] = [];
    for (let at = 0; at < input.length || at === 0; at += piece) {
      const end = Math.min(input.length, at + piece);
      decoder.feed(input.subarray(at, end), end === input.length, (chunk) => {
        for (let i = 0; i < chunk.lines; i++) {
          out.push([chunk.status[i] as number, Buffer.from(chunk.bytes.subarray(chunk.start[i], chunk.end[i])).toString('latin1'), chunk.streamedBytes]);
        }
      });
      if (input.length === 0) break;
    }
    return out;
  };

  it('a line longer than maxLineBytes is STATUS_TOO_LONG: within a chunk its bytes, beyond a chunk its first 200 bytes and its length', () => {
    const short = SIM[0] as string;
    const mid = `{"zz":"${'m'.repeat(1500)}"}`;
    const huge = `{"zz":"${'h'.repeat(50_000)}"}`;
    const input = encoder.encode(`${short}\n${mid}\n${huge}\n${short}`);
    for (const piece of [input.length, 4096, 777, 64]) {
      const seen = lineList(newDecoder({ chunkBytes: 4096, maxLineBytes: 1200 }), input, piece);
      expect(seen.map(([s]) => s)).toEqual([STATUS_ROW, STATUS_TOO_LONG, STATUS_TOO_LONG, STATUS_ROW]);
      expect(seen[1]).toEqual([STATUS_TOO_LONG, mid, 0]);
      expect(seen[2]).toEqual([STATUS_TOO_LONG, huge.slice(0, 200), huge.length]);
    }
    // Within the bound, a line longer than a chunk is still handed on whole.
    const seen = lineList(newDecoder({ chunkBytes: 4096, maxLineBytes: 60_000 }), input, 1000);
    expect(seen.map(([s]) => s)).toEqual([STATUS_ROW, STATUS_FALLBACK, STATUS_FALLBACK, STATUS_ROW]);
    expect(seen[2]?.[1]).toBe(huge);
  });

  it('a byte-order mark is dropped only at the start of an input (startInput(true)), also when it is cut', () => {
    const line = SIM[0] as string;
    const input = new Uint8Array([0xef, 0xbb, 0xbf, ...encoder.encode(`${line}\n${line}\n`)]);
    for (const piece of [1, 2, 3, 4, 64, input.length]) {
      const decoder = newDecoder();
      decoder.startInput(true);
      expect(lineList(decoder, input, piece).map(([s, t]) => [s, t])).toEqual([
        [STATUS_ROW, Buffer.from(line).toString('latin1')],
        [STATUS_ROW, Buffer.from(line).toString('latin1')],
      ]);
    }
    const inside = newDecoder();
    inside.startInput(false);
    expect(lineList(inside, input, 10)[0]?.[0]).not.toBe(STATUS_ROW);
    // Fewer than three bytes that begin a mark are the input itself.
    const tiny = newDecoder();
    tiny.startInput(true);
    expect(lineList(tiny, Uint8Array.of(0xef, 0xbb), 1).map(([s]) => s)).toEqual([STATUS_FALLBACK]);
  });
});

describe('WasmLineDecoder options and pool adoption', () => {
  it('until and the watched endpoint hold exactly the rows the fast path takes back', () => {
    const plain = newDecoder();
    const rows = decodeAll(plain, encoder.encode(`${SIM.join('\n')}\n`)).map((v) => v.row);
    const times = rows.map((r) => (r ? (r[0] as number) : Number.NaN));
    const until = times[60] as number;
    const watch = (rows[10] as unknown[])[3] as number;
    const held = newDecoder({ until, watchEndpoint: watch });
    const verdicts = decodeAll(held, encoder.encode(`${SIM.join('\n')}\n`));
    verdicts.forEach((v, i) => {
      const row = rows[i] as unknown[];
      const hold = (row[0] as number) > until || row[3] === watch;
      expect(v.status, `line ${i}`).toBe(hold ? STATUS_HELD : STATUS_ROW);
      if (!hold) expect(v.row).toEqual(row);
    });
    expect(verdicts.filter((v) => v.status === STATUS_HELD).length).toBeGreaterThan(10);
  });

  it("rows reference the fleet's pool: strings already there keep their references, new ones are adopted once per chunk", () => {
    const pool = new StringPool();
    const before = ['x', 'em', '8988303245000098309'].map((s) => pool.intern(s));
    const decoder = new WasmLineDecoder(pool, { chunkBytes: 4096 });
    const columns = new EventColumns(pool, 16);
    decoder.feed(encoder.encode(`${SIM.join('\n')}\n`), true, (chunk) => chunk.appendRows(columns, 0, chunk.rows));
    expect(columns.length).toBe(SIM.length);
    expect(['x', 'em', '8988303245000098309'].map((s) => pool.intern(s))).toEqual(before);
    const size = pool.size;
    // The same lines again: nothing new to adopt, the same references.
    const again = new EventColumns(pool, 16);
    decoder.feed(encoder.encode(`${SIM.join('\n')}\n`), true, (chunk) => chunk.appendRows(again, 0, chunk.rows));
    expect(pool.size).toBe(size);
    for (let r = 0; r < SIM.length; r++) expect(rowOf(again, r)).toEqual(rowOf(columns, r));
    expect(Array.from(again.iccid.subarray(0, SIM.length))).toEqual(Array.from(columns.iccid.subarray(0, SIM.length)));
    expect(Array.from(again.operator.subarray(0, SIM.length))).toEqual(Array.from(columns.operator.subarray(0, SIM.length)));
  });

  it('appendRows refuses columns of another pool and rows the chunk does not have', () => {
    const decoder = newDecoder();
    decoder.feed(encoder.encode(`${SIM[0]}\n`), true, (chunk) => {
      expect(() => chunk.appendRows(new EventColumns(new StringPool()), 0, 1)).toThrow(/another pool/);
      expect(() => chunk.appendRows(new EventColumns(decoder.pool), 0, 2)).toThrow(RangeError);
    });
  });
});
