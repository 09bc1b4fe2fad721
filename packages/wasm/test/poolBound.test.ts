/**
 * The module's strings pool is a bounded cache in front of the fleet's pool: emptied after a
 * chunk once it holds more than `maxPoolStrings` strings or `maxPoolBytes` bytes, it gives every row the strings (and the
 * fleet references) an unbounded one gives, in every chunking.
 */
import { StringPool } from '@simfleet/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeAll, encoder, newDecoder, STATUS_ROW, simulatorLines } from './support.js';

const LINES = simulatorLines(false, 400, 41);
const TEXT = encoder.encode(`${LINES.join('\n')}\n`);

describe('WasmLineDecoder strings pool bound', () => {
  it('a pool emptied after every chunk gives the rows an unbounded one gives', () => {
    const unbounded = decodeAll(newDecoder({ chunkBytes: 4096, maxPoolStrings: 2 ** 31 }), TEXT);
    const bounded = newDecoder({ chunkBytes: 4096, maxPoolStrings: 1 });
    const rows = decodeAll(bounded, TEXT);
    expect(rows.filter((v) => v.status === STATUS_ROW).length).toBeGreaterThan(300);
    expect(rows.map((v) => [v.status, v.row])).toEqual(unbounded.map((v) => [v.status, v.row]));
    // Strings seen again after a clear get the fleet reference they had, not a new one.
    expect(bounded.pool.size).toBe(newDecoderPoolSize());
  });

  it('a pool emptied by its byte bound gives the rows an unbounded one gives', () => {
    const unbounded = decodeAll(newDecoder({ chunkBytes: 4096, maxPoolStrings: 2 ** 31 }), TEXT);
    const bounded = newDecoder({ chunkBytes: 4096, maxPoolBytes: 64 });
    expect(decodeAll(bounded, TEXT).map((v) => [v.status, v.row])).toEqual(unbounded.map((v) => [v.status, v.row]));
    expect(bounded.pool.size).toBe(newDecoderPoolSize());
  });

  it('a pool whose memory is set aside and one that grows as it goes give the same rows', () => {
    // 2^31 strings are more than the decoder sets aside memory for: that pool doubles into new
    // blocks; the other's table doubles in place (more strings than its first table holds half full).
    const text = encoder.encode(`${simulatorLines(false, 4000, 5, 2000).join('\n')}\n`);
    const growingDecoder = newDecoder({ chunkBytes: 8192, maxPoolStrings: 2 ** 31 });
    const growing = decodeAll(growingDecoder, text);
    const reserved = newDecoder({ chunkBytes: 8192, maxPoolStrings: 20_000, maxPoolBytes: 1 << 20 });
    expect(decodeAll(reserved, text).map((v) => [v.status, v.row])).toEqual(growing.map((v) => [v.status, v.row]));
    expect(reserved.pool.size).toBe(growingDecoder.pool.size);
    expect(reserved.pool.size).toBeGreaterThan(4096);
  });

  it('any bound and piece size: the same rows and the same fleet pool', () => {
    const reference = decodeAll(newDecoder({ chunkBytes: 2048 }), TEXT).map((v) => [v.status, v.row]);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 1, max: 60000 }), fc.integer({ min: 1, max: 5000 }), (bound, bytes, piece) => {
        const decoder = newDecoder({ chunkBytes: 2048, maxLines: 7, maxPoolStrings: bound, maxPoolBytes: bytes });
        const rows = decodeAll(decoder, TEXT, piece).map((v) => [v.status, v.row]);
        expect(rows).toEqual(reference);
        expect(decoder.pool.size).toBe(newDecoderPoolSize());
      }),
      { numRuns: 30 },
    );
  });
});

describe('WasmLineDecoder retargeted to another pool', () => {
  it('gives, in each pool, the rows a fresh decoder gives: strings and operators are adopted into the new pool, none is left pointing into the old one', () => {
    const reference = decodeAll(newDecoder({ chunkBytes: 2048 }), TEXT).map((v) => [v.status, v.row]);
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: LINES.length - 1 }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
        (cuts, appendOnly) => {
          const at = [0, ...new Set(cuts.sort((a, b) => a - b)), LINES.length];
          const decoder = newDecoder({ chunkBytes: 2048 });
          const rows: unknown[][] = [];
          for (let part = 0; part + 1 < at.length; part++) {
            // A new pool for each part (the worker's pool cap), of either kind.
            const pool = appendOnly[part] === true ? StringPool.appendOnly() : new StringPool();
            decoder.retarget(pool);
            expect(decoder.pool).toBe(pool);
            const text = encoder.encode(`${LINES.slice(at[part], at[part + 1]).join('\n')}\n`);
            for (const v of decodeAll(decoder, text)) rows.push([v.status, v.row]);
            // Only this part's strings went into its pool.
            expect(pool.size).toBeLessThanOrEqual(newDecoderPoolSize());
          }
          expect(rows).toEqual(reference);
        },
      ),
      { numRuns: 25 },
    );
  });
});

/** The fleet pool's size after decoding the lines with no bound at all. */
function newDecoderPoolSize(): number {
  const decoder = newDecoder({ maxPoolStrings: 2 ** 31 });
  decodeAll(decoder, TEXT);
  return decoder.pool.size;
}
