/**
 * Hostile lines for replay tests: what a damaged export or a careless user feeds the
 * replay. Each comes with the rejection code it must get (or `undefined`: applied).
 */
import fc from 'fast-check';

/** A hostile line built from a valid record's text; `code` is the rejection it must get. */
export interface HostileLine {
  readonly bytes: Buffer;
  readonly code: string | undefined;
}

/** Nests a 16-digit number (the exact-integer parser's trigger) `levels` arrays deep under a key of the record's own. */
export function deepLine(record: string, levels: number): Buffer {
  const nested = `${'['.repeat(levels)}1234567890123456${']'.repeat(levels)}`;
  return Buffer.from(record.replace('{', `{"deep":${nested},`));
}

/** Puts bytes that are not UTF-8 before the ICCID's digits (or the description's text). */
export function invalidUtf8Line(record: string, bad: readonly number[]): Buffer {
  const key = record.includes('"iccid":"') ? '"iccid":"' : '"description":"';
  const at = record.indexOf(key) + key.length;
  const bytes = Buffer.from(record);
  return Buffer.concat([bytes.subarray(0, at), Buffer.from(bad), bytes.subarray(at)]);
}

/** Byte sequences that are not UTF-8: a stray continuation, an overlong '/', a surrogate, beyond U+10FFFF, a cut sequence. */
export const NOT_UTF8 = [[0x80], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0xff]] as const;

/**
 * Arrays `deepLine` nests for a record `depth` levels deep: the record is level 1.
 * Up to the limit (64) it is applied, beyond it rejected as `too_deep`.
 */
export const deepLevels = (depth: number): number => depth - 1;

/** A hostile line made from `record` (a valid event line), by kind. */
export function hostileArb(records: readonly string[], maxLineBytes: number): fc.Arbitrary<HostileLine> {
  const record = fc.nat().map((i) => records[i % records.length]!);
  return fc.oneof(
    // Deep, around the limit and far beyond any stack (10 000 levels overflowed the main thread's stack, not a worker's).
    fc
      .tuple(record, fc.constantFrom(63, 64, 65, 66, 10_000))
      .map(([r, depth]) => ({ bytes: deepLine(r, deepLevels(depth)), code: depth > 64 ? 'too_deep' : undefined })),
    fc.tuple(record, fc.constantFrom(...NOT_UTF8)).map(([r, bad]) => ({ bytes: invalidUtf8Line(r, bad), code: 'invalid_utf8' })),
    // Longer than --max-line-bytes (a huge description).
    record.map((r) => ({ bytes: Buffer.from(r.replace('"description":"', `"description":"${'x'.repeat(maxLineBytes)}`)), code: 'line_too_long' })),
    // A byte-order mark that is not at the input's start is just bytes: invalid JSON.
    record.map((r) => ({ bytes: Buffer.concat([Buffer.of(0xef, 0xbb, 0xbf), Buffer.from(r)]), code: 'invalid_json' })),
  );
}
