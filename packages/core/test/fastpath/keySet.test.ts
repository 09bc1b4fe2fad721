/** KeySet: findKey answers exactly what a lookup of the key's text in the list answers. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findKey, keySet } from '../../src/fastpath/KeySet.js';

const encoder = new TextEncoder();
const NAMES = ['id', 'name', 'imei', 'ip_address', 'event_severity', 'mcc', 'mnc', 'timestamp'];

/** The key framed by other bytes, as the scanner sees it: `xx"key"yy`, and its [start, end). */
function framed(key: string): { bytes: Uint8Array; view: DataView; s: number; e: number } {
  const bytes = encoder.encode(`xx"${key}"yy`);
  const s = 3;
  const e = bytes.length - 3;
  return { bytes, view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), s, e };
}

describe('KeySet', () => {
  const set = keySet(...NAMES);

  it('finds each key, and nothing for its one-byte edits, prefixes and extensions', () => {
    NAMES.forEach((name, k) => {
      const f = framed(name);
      expect(findKey(f.view, f.bytes, f.s, f.e, set), name).toBe(k);
      for (let i = 0; i < name.length; i++) {
        const edited = `${name.slice(0, i)}${name[i] === 'z' ? 'y' : 'z'}${name.slice(i + 1)}`;
        const g = framed(edited);
        expect(findKey(g.view, g.bytes, g.s, g.e, set), edited).toBe(NAMES.indexOf(edited));
      }
      for (const other of [name.slice(0, -1), `${name}s`, `_${name}`]) {
        const g = framed(other);
        expect(findKey(g.view, g.bytes, g.s, g.e, set), other).toBe(NAMES.indexOf(other));
      }
    });
  });

  it('equals indexOf on arbitrary keys', () => {
    const key = fc.oneof(
      fc.constantFrom(...NAMES),
      fc.string({ maxLength: 16 }),
      fc.constantFrom(...NAMES).map((n) => n.toUpperCase()),
    );
    fc.assert(
      fc.property(key, (k) => {
        const f = framed(k);
        expect(findKey(f.view, f.bytes, f.s, f.e, set)).toBe(NAMES.indexOf(k));
      }),
      { numRuns: 3000 },
    );
  });

  it('refuses keys that would share a slot or are too short', () => {
    expect(() => keySet('mcc', 'mcc')).toThrow();
    expect(() => keySet('a')).toThrow();
  });
});
