import { decodeEvent, decodeEventText } from '@simfleet/core';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { MALFORMED_KINDS, malformedRecord } from '../src/index.js';

// Long lines and deep nesting: a few hundred of them take a few seconds.
vi.setConfig({ testTimeout: 30_000 });

describe('malformedRecord()', () => {
  it('never makes the decoder throw: every line gives a result, every error a code and a path', () => {
    fc.assert(
      fc.property(malformedRecord(), (line) => {
        const fromText = decodeEventText(line);
        if (!fromText.ok) {
          expect(fromText.error.code).toMatch(/^[a-z_]+$/);
          expect(fromText.error.path).toMatch(/^\$/);
        }
        let parsed: unknown;
        try {
          parsed = JSON.parse(line);
        } catch {
          return;
        }
        expect(() => decodeEvent(parsed)).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });

  it('draws each kind, most of them invalid', () => {
    for (const kind of MALFORMED_KINDS) {
      const lines = fc.sample(malformedRecord({ kinds: [kind] }), { numRuns: 20, seed: 1 });
      expect(lines).toHaveLength(20);
      const invalid = lines.filter((line) => !decodeEventText(line).ok).length;
      if (kind !== 'unknownType' && kind !== 'prototypeKey' && kind !== 'longLine' && kind !== 'hugeId') {
        expect(invalid, kind).toBeGreaterThan(0);
      }
    }
    const long = fc.sample(malformedRecord({ kinds: ['longLine'] }), { numRuns: 5, seed: 1 });
    expect(Math.min(...long.map((l) => l.length))).toBeGreaterThan(65_536);
    const proto = fc.sample(malformedRecord({ kinds: ['prototypeKey'] }), { numRuns: 20, seed: 1 });
    expect(proto.every((l) => /__proto__|constructor|prototype|hasOwnProperty|toString/.test(l))).toBe(true);
  });

  it('keeps ids beyond 2^53 exact where the record is otherwise valid', () => {
    for (const line of fc.sample(malformedRecord({ kinds: ['hugeId'] }), { numRuns: 40, seed: 2 })) {
      const digits = /"id":(\d{16,})[,}]/.exec(line)?.[1];
      const r = decodeEventText(line);
      if (digits !== undefined && r.ok) expect(r.value.id).toBe(BigInt(digits));
    }
  });
});
