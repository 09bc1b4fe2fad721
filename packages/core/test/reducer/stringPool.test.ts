import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CheckpointStringPool } from '../../src/checkpoint/CheckpointStringPool.js';
import { hashBytes, indexSlots, StringPool } from '../../src/reducer/StringPool.js';

const utf8 = new TextEncoder();
const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Any UTF-16 text: lone surrogates, BOM, NUL, astral, and plain ASCII (most common). */
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: fc.constantFrom('\ud800', '\udfff', '\ud83d', '\ude00', '\ufeff', '\ufffd', 'é', '\u0000', 'a', '1'), maxLength: 6 }),
  fc.stringMatching(/^[0-9]{0,20}$/),
);

/** What `Buffer#toString('utf8')` gives for bytes, or undefined when they are not valid UTF-8. */
function decodeOrUndefined(bytes: Uint8Array): string | undefined {
  try {
    return fatal.decode(bytes);
  } catch {
    return undefined;
  }
}

describe('StringPool (bytes)', () => {
  it('gives dense references in first-seen order, one per text, and gets every text back exactly', () => {
    fc.assert(
      fc.property(fc.array(anyText, { maxLength: 60 }), (texts) => {
        const pool = new StringPool();
        const seen = new Map<string, number>();
        for (const t of texts) {
          const ref = pool.intern(t);
          const expected = seen.get(t) ?? seen.size + 1;
          seen.set(t, expected);
          expect(ref).toBe(expected);
        }
        expect(pool.size).toBe(seen.size);
        for (const [t, ref] of seen) {
          expect(pool.get(ref)).toBe(t);
          expect(pool.intern(t)).toBe(ref);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('internBytes equals intern of what Buffer#toString would give, and refuses invalid UTF-8 with -1', () => {
    const byteArb = fc.oneof(
      fc.uint8Array({ maxLength: 10 }),
      anyText.map((t) => utf8.encode(t)),
      fc.array(fc.constantFrom(0x41, 0xc3, 0xa9, 0xed, 0xa0, 0x80, 0xef, 0xbb, 0xbf, 0xf0, 0x9f, 0x98, 0x80), { maxLength: 8 }).map((a) => Uint8Array.from(a)),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(byteArb, fc.nat(3), fc.nat(3)), { maxLength: 40 }), (items) => {
        const pool = new StringPool();
        for (const [bytes, before, after] of items) {
          // The value sits inside a larger buffer, as a field of a line does.
          const line = new Uint8Array(before + bytes.length + after).fill(0x22);
          line.set(bytes, before);
          const text = decodeOrUndefined(bytes);
          const ref = pool.internBytes(line, before, before + bytes.length);
          if (text === undefined) {
            expect(ref).toBe(-1);
            continue;
          }
          expect(ref).toBeGreaterThan(0);
          expect(pool.get(ref)).toBe(text);
          expect(pool.intern(text)).toBe(ref);
          expect(pool.internBytes(bytes, 0, bytes.length)).toBe(ref);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps strings UTF-8 cannot hold apart from their replacement-character lookalikes', () => {
    const pool = new StringPool();
    const lone = pool.intern('a\ud800b');
    const replaced = pool.internBytes(utf8.encode('a\ufffdb'), 0, 5);
    expect(replaced).not.toBe(lone);
    expect([lone, replaced]).toEqual([1, 2]);
    expect(pool.get(lone)).toBe('a\ud800b');
    expect(pool.get(replaced)).toBe('a\ufffdb');
    expect(pool.intern('a\ufffdb')).toBe(replaced);
    expect(pool.intern('a\ud800b')).toBe(lone);
    const empty = pool.internBytes(new Uint8Array(0), 0, 0);
    expect(pool.intern('')).toBe(empty);
    expect(pool.get(empty)).toBe('');
    expect(pool.size).toBe(3);
  });

  it('grows past many rehashes and long strings without losing one', () => {
    const pool = new StringPool();
    const long = 'x'.repeat(10_000) + 'é'.repeat(3000);
    const longRef = pool.intern(long);
    for (let i = 0; i < 50_000; i++) expect(pool.intern(`8988303${i}`)).toBe(i + 2);
    expect(pool.get(longRef)).toBe(long);
    for (let i = 0; i < 50_000; i += 997) {
      const bytes = utf8.encode(`8988303${i}`);
      expect(pool.internBytes(bytes, 0, bytes.length)).toBe(i + 2);
      expect(pool.get(i + 2)).toBe(`8988303${i}`);
    }
    expect(() => pool.get(50_002)).toThrow(RangeError);
    expect(() => pool.get(-1)).toThrow(RangeError);
  });

  it('holds a million-device pool (arrays past the size where growth turns from doubling to half again) exactly', () => {
    const pool = new StringPool();
    const n = 1_100_000;
    const text = (i: number): string => `89883030000${String(i).padStart(9, '0')}`;
    let misplaced = 0;
    for (let i = 0; i < n; i++) if (pool.intern(text(i)) !== i + 1) misplaced++;
    expect(misplaced).toBe(0);
    expect(pool.size).toBe(n);
    // At most three quarters of the index is used, and it is exactly what a stored index promises.
    const stored = pool.stored();
    expect(stored.index.length).toBe(indexSlots(n));
    expect(n * 4).toBeLessThanOrEqual(stored.index.length * 3);
    expect(n * 2).toBeGreaterThan(stored.index.length);
    expect(stored.bytes.length).toBe(n * 20);
    for (let i = 0; i < n; i += 7919) {
      expect(pool.get(i + 1)).toBe(text(i));
      expect(stored.byteLengths[i]).toBe(20);
      const bytes = utf8.encode(text(i));
      expect(pool.internBytes(bytes, 0, bytes.length)).toBe(i + 1);
    }
    const copy = new StringPool({ byteLengths: stored.byteLengths.slice(), bytes: stored.bytes.slice(), index: stored.index.slice(), escaped: new Map() });
    for (let i = 0; i < n; i += 104_729) expect(copy.intern(text(i))).toBe(i + 1);
    expect(copy.intern('')).toBe(n + 1);
    expect(copy.get(n + 1)).toBe('');
  }, 120_000);

  it('gives its index back and rebuilds it on the next intern or stored(): the same references, the same stored index', () => {
    fc.assert(
      fc.property(fc.array(anyText, { maxLength: 60 }), fc.array(anyText, { maxLength: 20 }), (texts, more) => {
        const pool = new StringPool();
        const twin = new StringPool();
        for (const t of texts) expect(pool.intern(t)).toBe(twin.intern(t));
        const before = pool.stored().index.slice();
        pool.releaseIndex();
        for (let ref = 1; ref <= pool.size; ref++) expect(pool.get(ref)).toBe(twin.get(ref));
        expect([...pool.stored().index]).toEqual([...before]);
        pool.releaseIndex();
        for (const t of [...texts, ...more]) {
          const bytes = utf8.encode(t);
          const expected = twin.intern(t);
          // Texts with surrogates go by string (lone ones have no UTF-8 bytes).
          expect(/[\ud800-\udfff]/.test(t) ? pool.intern(t) : pool.internBytes(bytes, 0, bytes.length)).toBe(expected);
          pool.releaseIndex();
        }
        expect(pool.size).toBe(twin.size);
        expect([...pool.stored().index]).toEqual([...twin.stored().index]);
      }),
      { numRuns: 200 },
    );
  });

  it('round-trips through its stored form, with or without the stored index, and merges another pool by bytes', () => {
    fc.assert(
      fc.property(fc.array(anyText, { maxLength: 40 }), fc.array(anyText, { maxLength: 20 }), (texts, more) => {
        const pool = new StringPool();
        for (const t of texts) pool.intern(t);
        const stored = pool.stored();
        expect(stored.index.length).toBe(indexSlots(pool.size));
        // The stored index finds every string with bytes by linear probing from FNV-1a over them.
        const mask = stored.index.length - 1;
        let at = 0;
        for (let ref = 1; ref <= pool.size; ref++) {
          const len = stored.byteLengths[ref - 1]!;
          let slot = hashBytes(stored.bytes, at, at + len) & mask;
          while (stored.index[slot] !== 0 && stored.index[slot] !== ref) slot = (slot + 1) & mask;
          expect(stored.index[slot]).toBe(len === 0 ? 0 : ref);
          at += len;
        }
        const frozen = { byteLengths: stored.byteLengths.slice(), bytes: stored.bytes.slice(), index: stored.index.slice(), escaped: new Map(stored.escaped) };
        const copies = [frozen.bytes.slice(), frozen.index.slice()];
        for (const loaded of [new CheckpointStringPool(frozen), new StringPool({ ...frozen, index: undefined })]) {
          expect(loaded.size).toBe(pool.size);
          for (let ref = 1; ref <= pool.size; ref++) {
            expect(loaded.get(ref)).toBe(pool.get(ref));
            expect(loaded.intern(pool.get(ref))).toBe(ref);
          }
          for (const t of more) expect(loaded.get(loaded.intern(t))).toBe(t);
        }
        // Adding to a pool over stored sections never writes into them.
        expect(frozen.bytes).toEqual(copies[0]);
        expect(frozen.index).toEqual(copies[1]);
        const target = new StringPool();
        for (const t of more) target.intern(t);
        const remap = target.internStored(frozen);
        expect(remap[0]).toBe(0);
        for (let ref = 1; ref <= pool.size; ref++) expect(target.get(remap[ref]!)).toBe(pool.get(ref));
      }),
      { numRuns: 200 },
    );
  });

  it('sends what was interned since a reference (storedSince), and the receiver extends its remap with it', () => {
    fc.assert(
      fc.property(fc.array(fc.array(anyText, { maxLength: 15 }), { minLength: 1, maxLength: 5 }), fc.array(anyText, { maxLength: 10 }), (batches, before) => {
        const worker = new StringPool();
        const main = new StringPool();
        for (const t of before) main.intern(t);
        const remap: number[] = [0];
        let sent = 0;
        for (const batch of batches) {
          for (const t of batch) worker.intern(t);
          const delta = worker.storedSince(sent);
          expect(delta.byteLengths.length).toBe(worker.size - sent);
          const local = main.internStored({ byteLengths: delta.byteLengths.slice(), bytes: delta.bytes.slice(), escaped: delta.escaped });
          for (let r = 1; r < local.length; r++) remap[sent + r] = local[r]!;
          sent = worker.size;
          for (const t of batch) expect(main.get(remap[worker.intern(t)]!)).toBe(t);
        }
        expect(worker.storedSince(sent).byteLengths.length).toBe(0);
        expect(() => worker.storedSince(sent + 1)).toThrow(RangeError);
      }),
      { numRuns: 200 },
    );
  });

  it('internStored gives the references a string-by-string intern gives, across lookup groups, repeats, growth and escaped strings', () => {
    const piece = fc.oneof(
      fc.stringMatching(/^[0-9]{1,20}$/),
      fc.constantFrom('a', 'é', '\ufeff', '10.0.0.1'),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }),
    );
    const item = fc.oneof({ weight: 9, arbitrary: piece }, { weight: 1, arbitrary: fc.constantFrom('\ud800', '\udfff', '') });
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 50 }), fc.array(item, { maxLength: 300 }), (before, texts) => {
        const merged = new StringPool();
        const twin = new StringPool();
        for (const t of before) {
          merged.intern(t);
          twin.intern(t);
        }
        // A stored form with repeats (a cache that was emptied sends a string again): one entry per text.
        // UTF-8 cannot hold a lone surrogate: such a text (and '') is stored as escaped, 0 bytes.
        const lone = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
        const bytes = texts.map((t) => (t === '' || lone.test(t) ? new Uint8Array(0) : utf8.encode(t)));
        const escaped = new Map<number, string>();
        texts.forEach((t, i) => {
          if (bytes[i]!.length === 0) escaped.set(i + 1, t);
        });
        const all = new Uint8Array(bytes.reduce((n, b) => n + b.length, 0));
        let at = 0;
        for (const b of bytes) {
          all.set(b, at);
          at += b.length;
        }
        const remap = merged.internStored({ byteLengths: Uint32Array.from(bytes, (b) => b.length), bytes: all, escaped });
        expect(remap.length).toBe(texts.length + 1);
        texts.forEach((t, i) => {
          expect(remap[i + 1]).toBe(twin.intern(t));
          expect(merged.get(remap[i + 1]!)).toBe(t);
        });
        expect(merged.size).toBe(twin.size);
        expect(merged.stored().index).toEqual(twin.stored().index);
      }),
      { numRuns: 200 },
    );
  });

  it('internStored refuses bytes that are not UTF-8, wherever they are in a group', () => {
    for (const bad of [0, 31, 32, 33, 70]) {
      const lengths = Uint32Array.from({ length: 80 }, () => 2);
      const bytes = utf8.encode('ab'.repeat(80));
      bytes[bad * 2] = 0xc3;
      bytes[bad * 2 + 1] = 0x28;
      expect(() => new StringPool().internStored({ byteLengths: lengths, bytes, escaped: new Map() })).toThrow(`stored string ${bad + 1} is not valid UTF-8`);
    }
  });

  it('an append-only pool gives each string a new reference, and a pool adopting it in batches gets the references interning one by one gives', () => {
    const lone = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
    // One step: a text interned as a string, as bytes, or a batch of texts as a stored form (a WebAssembly chunk's new strings).
    const step = fc.oneof(
      anyText.map((t) => ({ kind: 'intern' as const, texts: [t] })),
      anyText.filter((t) => !lone.test(t)).map((t) => ({ kind: 'bytes' as const, texts: [t] })),
      fc.array(anyText, { maxLength: 40 }).map((texts) => ({ kind: 'stored' as const, texts })),
    );
    fc.assert(
      fc.property(fc.array(fc.array(step, { maxLength: 6 }), { minLength: 1, maxLength: 5 }), (batches) => {
        const log = StringPool.appendOnly();
        const adopter = new StringPool();
        const twin = new StringPool();
        const remap: number[] = [0];
        let sent = 0;
        for (const batch of batches) {
          const made: [number, string][] = [];
          for (const { kind, texts } of batch) {
            if (kind === 'intern') made.push([log.intern(texts[0]!), texts[0]!]);
            else if (kind === 'bytes') {
              const b = utf8.encode(texts[0]!);
              made.push([log.internBytes(b, 0, b.length), texts[0]!]);
            } else {
              const bytes = texts.map((t) => (t === '' || lone.test(t) ? new Uint8Array(0) : utf8.encode(t)));
              const escaped = new Map<number, string>();
              texts.forEach((t, i) => {
                if (bytes[i]!.length === 0) escaped.set(i + 1, t);
              });
              const all = new Uint8Array(bytes.reduce((n, b) => n + b.length, 0));
              let at = 0;
              for (const b of bytes) {
                all.set(b, at);
                at += b.length;
              }
              const refs = log.internStored({ byteLengths: Uint32Array.from(bytes, (b) => b.length), bytes: all, escaped });
              expect(refs.length).toBe(texts.length + 1);
              texts.forEach((t, i) => {
                made.push([refs[i + 1]!, t]);
              });
            }
          }
          for (const [ref, t] of made) expect(log.get(ref)).toBe(t);
          // Not looked up: every string with bytes is a new reference (escaped ones, without bytes, keep theirs).
          const withBytes = made.filter(([, t]) => t !== '' && !lone.test(t)).map(([ref]) => ref);
          expect(new Set(withBytes).size).toBe(withBytes.length);
          const delta = log.storedSince(sent);
          const local = adopter.internStored({ byteLengths: delta.byteLengths.slice(), bytes: delta.bytes.slice(), escaped: delta.escaped });
          for (let r = 1; r < local.length; r++) remap[sent + r] = local[r]!;
          sent = log.size;
          for (const [ref, t] of made) expect(remap[ref]).toBe(twin.intern(t));
        }
        expect(adopter.size).toBe(twin.size);
        expect(adopter.stored().index).toEqual(twin.stored().index);
        // Its stored form holds every reference, and a pool over it reads them all.
        const copy = new StringPool(log.stored());
        for (let ref = 1; ref <= log.size; ref++) expect(copy.get(ref)).toBe(log.get(ref));
      }),
      { numRuns: 200 },
    );
  });

  it('an append-only pool that forgets what it sent keeps sending exactly what a pool that keeps everything sends', () => {
    fc.assert(
      fc.property(fc.array(fc.array(anyText, { maxLength: 12 }), { minLength: 1, maxLength: 6 }), (batches) => {
        const forgetting = StringPool.appendOnly();
        const keeping = StringPool.appendOnly();
        let sent = 0;
        for (const batch of batches) {
          for (const t of batch) expect(forgetting.intern(t)).toBe(keeping.intern(t));
          const a = forgetting.storedSince(sent);
          const b = keeping.storedSince(sent);
          expect(a.byteLengths).toEqual(b.byteLengths);
          expect(a.bytes).toEqual(b.bytes);
          expect(a.escaped).toEqual(b.escaped);
          // The strings after the forgotten ones read back as before.
          for (let ref = sent + 1; ref <= keeping.size; ref++) expect(forgetting.get(ref)).toBe(keeping.get(ref));
          if (sent > 0) expect(() => forgetting.get(sent)).toThrow(RangeError);
          sent = forgetting.size;
          forgetting.forgetThrough(sent);
        }
        if (sent > 0) expect(() => forgetting.storedSince(sent - 1)).toThrow(RangeError);
        expect(forgetting.storedSince(sent).bytes.length).toBe(0);
      }),
      { numRuns: 200 },
    );
    expect(() => new StringPool().forgetThrough(0)).toThrow('only an append-only pool');
  });

  it('an append-only pool refuses stored bytes that are not UTF-8, and internBytes gives -1 for them', () => {
    const lengths = Uint32Array.of(2, 2, 2);
    const bytes = utf8.encode('abcdef');
    bytes[2] = 0xc3;
    bytes[3] = 0x28;
    expect(() => StringPool.appendOnly().internStored({ byteLengths: lengths, bytes, escaped: new Map() })).toThrow('stored string 2 is not valid UTF-8');
    const log = StringPool.appendOnly();
    expect(log.internBytes(bytes, 2, 4)).toBe(-1);
    expect(log.internBytes(bytes, 0, 2)).toBe(1);
    expect(log.size).toBe(1);
  });

  it('hashes bytes with FNV-1a', () => {
    expect(hashBytes(new Uint8Array(0), 0, 0) >>> 0).toBe(0x811c9dc5);
    expect(hashBytes(utf8.encode('a'), 0, 1) >>> 0).toBe(0xe40c292c);
  });
});
