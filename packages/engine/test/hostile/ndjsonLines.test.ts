/**
 * The project's one byte line splitter (`NdjsonLines` of @simfleet/core): the same lines
 * with the same numbers however the input is cut into chunks; a line over the bound is
 * reported with its length and never held; the memory held between chunks stays below
 * the bound, however long the line; a byte-order mark is dropped only at the input's start,
 * even cut across chunks.
 */
import { NdjsonLines } from '@simfleet/core/columns';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

type Seen = [number, string][];

function split(input: Uint8Array, cuts: readonly number[], max: number, atInputStart = true): { lines: Seen; peak: number } {
  const lines: Seen = [];
  let peak = 0;
  const splitter = new NdjsonLines({ maxLineBytes: max, atInputStart, onTooLong: (line, bytes) => lines.push([line, `too long: ${bytes}`]) });
  const onLine = (b: Uint8Array, s: number, e: number, line: number): void => {
    lines.push([line, Buffer.from(b.subarray(s, e)).toString('latin1')]);
  };
  const points = [...new Set(cuts.map((c) => c % (input.length + 1)))].sort((a, b) => a - b);
  let from = 0;
  for (const at of [...points, input.length]) {
    // A reused chunk buffer, as the workers read: the splitter must copy what it keeps.
    const chunk = Buffer.from(input.subarray(from, at));
    splitter.push(chunk, onLine);
    chunk.fill(0x21);
    peak = Math.max(peak, splitter.carriedBytes);
    from = at;
  }
  splitter.end(onLine);
  return { lines, peak };
}

/** What the lines must be: a plain split of the whole input. */
function expected(input: Uint8Array, max: number): Seen {
  let text = Buffer.from(input).toString('latin1');
  if (text.startsWith('\xef\xbb\xbf')) text = text.slice(3);
  const parts = text.split('\n');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts.map((p, i) => [i + 1, p.length > max ? `too long: ${p.length}` : p]);
}

const inputArb = fc
  .array(fc.oneof(fc.constantFrom('\n', '\r\n', '{"id":1}', '\xef\xbb\xbf', 'x'.repeat(40)), fc.string({ maxLength: 12 })), { maxLength: 40 })
  .map((parts) => Buffer.from(parts.join(''), 'latin1'));

describe('NdjsonLines', () => {
  it('gives the same lines however the input is cut, and holds less than the bound between chunks', () => {
    fc.assert(
      fc.property(inputArb, fc.array(fc.nat(), { maxLength: 12 }), fc.constantFrom(8, 30, 1 << 20), (input, cuts, max) => {
        const { lines, peak } = split(input, cuts, max);
        expect(lines).toEqual(expected(input, max));
        expect(peak).toBeLessThanOrEqual(max);
      }),
      { numRuns: 500 },
    );
  });

  it('streams past a line far longer than the bound, in small chunks, holding nothing of it', () => {
    const long = Buffer.alloc(8 << 20, 0x78);
    const input = Buffer.concat([Buffer.from('a\n'), long, Buffer.from('\nb\n')]);
    const cuts = Array.from({ length: input.length / 16384 }, (_, i) => i * 16384);
    const { lines, peak } = split(input, cuts, 1 << 16);
    expect(lines).toEqual([
      [1, 'a'],
      [2, `too long: ${8 << 20}`],
      [3, 'b'],
    ]);
    expect(peak).toBeLessThanOrEqual(1 << 16);
  });

  it('drops a byte-order mark only at the input start, also when it is cut', () => {
    const input = Buffer.from('\xef\xbb\xbf{"a":1}\n\xef\xbb\xbf{"b":2}\n', 'latin1');
    for (const cut of [1, 2, 3, 4])
      expect(split(input, [cut], 100).lines).toEqual([
        [1, '{"a":1}'],
        [2, '\xef\xbb\xbf{"b":2}'],
      ]);
    // Not at the input's start (a worker's range): kept.
    expect(split(input, [], 100, false).lines[0]).toEqual([1, '\xef\xbb\xbf{"a":1}']);
  });
});
