/**
 * The chunked endpoint lists of organisation changes: every list reads back exactly, the
 * cut is a function of the ids alone (a list differing by a few ids shares all other
 * chunks), chunk ids are the SHA-256 of the big-endian ids, and masks over a block
 * change's chunks give back its status changes.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chunkIdOf, decodeMemberList, type EncodedMemberList, encodeMemberLists, isChunkEnd, MemberChunker } from '../src/memberChunks.js';

/** Any safe integer, mostly emnify-like ids below 2^32. */
const id = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 2 ** 32 - 1 }) },
  { weight: 1, arbitrary: fc.maxSafeInteger() },
  { weight: 1, arbitrary: fc.integer({ min: -(2 ** 40), max: 2 ** 40 }) },
);
/** Ascending lists, each id once. */
const ascending = (maxLength: number) => fc.uniqueArray(id, { maxLength }).map((ids) => Float64Array.from(ids.sort((a, b) => a - b)));

/** The chunks of `chunker` as `decodeMemberList` takes them. */
const chunksOf = (chunker: MemberChunker) => new Map([...chunker.chunks].map(([hex, c]) => [hex, c.endpointIds]));
const decode = (list: EncodedMemberList, chunker: MemberChunker) =>
  decodeMemberList(
    list.chunks.map((c) => c.id),
    list.masks,
    chunksOf(chunker),
  );

describe('member chunks', () => {
  it('reads every list back exactly, chunks in order, each ending where isChunkEnd says or at the end', () => {
    fc.assert(
      fc.property(ascending(3000), (ids) => {
        const chunker = new MemberChunker();
        const list = chunker.encode(ids);
        expect(list.count).toBe(ids.length);
        expect([...decode(list, chunker)]).toEqual([...ids]);
        list.chunks.forEach((c, k) => {
          const last = c.endpointIds[c.endpointIds.length - 1] as number;
          expect(k === list.chunks.length - 1 || isChunkEnd(last)).toBe(true);
          for (const v of c.endpointIds.subarray(0, -1)) expect(isChunkEnd(v)).toBe(false);
        });
      }),
    );
  });

  it('cuts about every 256 ids, the same way every time', () => {
    const ids = Float64Array.from({ length: 200_000 }, (_, k) => 11_000_000 + 3 * k);
    const ends = ids.filter((v) => isChunkEnd(v)).length;
    expect(ends).toBeGreaterThan(200_000 / 512);
    expect(ends).toBeLessThan(200_000 / 128);
    const a = new MemberChunker().encode(ids);
    const b = new MemberChunker().encode(ids.slice());
    expect(a.chunks.map((c) => c.id.toString('hex'))).toEqual(b.chunks.map((c) => c.id.toString('hex')));
  });

  it('names a chunk by the first 16 bytes of the SHA-256 of its ids, each 8 bytes big-endian', () => {
    fc.assert(
      fc.property(fc.array(id, { maxLength: 300 }), (ids) => {
        const bytes = Buffer.alloc(ids.length * 8);
        ids.forEach((v, k) => {
          bytes.writeBigInt64BE(BigInt(v), k * 8);
        });
        const expected = createHash('sha256').update(bytes).digest().subarray(0, 16);
        expect(chunkIdOf(Float64Array.from(ids)).equals(expected)).toBe(true);
      }),
    );
  });

  it('a list differing from another by a few ids shares all their other chunks', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { minLength: 2000, maxLength: 6000 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { maxLength: 4 }),
        (members, removeAt, added) => {
          const base = Float64Array.from([...members].sort((a, b) => a - b));
          const removed = new Set(removeAt.map((k) => base[k % base.length] as number));
          const near = Float64Array.from([...new Set([...base].filter((v) => !removed.has(v)).concat(added))].sort((a, b) => a - b));
          const chunker = new MemberChunker();
          const before = new Set(chunker.encode(base).chunks.map((c) => c.id.toString('hex')));
          const after = chunker.encode(near).chunks;
          const fresh = after.filter((c) => !before.has(c.id.toString('hex'))).length;
          // Each id added or removed touches its chunk, and the next one when it was a chunk's end.
          const edits = removed.size + added.length;
          expect(fresh).toBeLessThanOrEqual(2 * edits);
          expect(after.length - fresh).toBeGreaterThanOrEqual(before.size - 2 * edits);
        },
      ),
    );
  });

  it('encodes a subset as masks over the base chunks, exactly; a list holding another id is not a subset', () => {
    fc.assert(
      fc.property(ascending(2000), fc.infiniteStream(fc.boolean()), id, (ids, keep, other) => {
        const chunker = new MemberChunker();
        const base = chunker.encode(ids);
        const subset = ids.filter(() => keep.next().value);
        const masked = chunker.encodeSubset(subset, base);
        expect(masked).toBeDefined();
        expect([...decode(masked!, chunker)]).toEqual([...subset]);
        for (const c of masked!.chunks) expect(base.chunks).toContain(c);
        // The whole list: the base's chunks, no masks; otherwise only the chunks it holds ids of.
        if (subset.length === ids.length) expect(masked).toEqual(base);
        for (const c of masked!.chunks) expect(c.endpointIds.some((v) => subset.includes(v))).toBe(true);
        if (!ids.includes(other)) {
          const outside = Float64Array.from([...subset, other].sort((a, b) => a - b));
          expect(chunker.encodeSubset(outside, base)).toBeUndefined();
        }
      }),
    );
  });

  it("encodes an event's status changes over its block change's chunks, and every list reads back", () => {
    fc.assert(
      fc.property(ascending(1500), fc.infiniteStream(fc.integer({ min: 0, max: 3 })), ascending(50), (block, group, stray) => {
        const status = [0, 1, 2].map((g) => block.filter(() => group.next().value === g));
        const lists = [
          { region: 'block', eventId: 7n, endpointIds: block },
          ...status.map((endpointIds) => ({ region: 'status', eventId: 7n, endpointIds })),
          // Another event's change: no block change of its own to refer to.
          { region: 'status', eventId: 8n, endpointIds: stray },
        ];
        const chunker = new MemberChunker();
        const encoded = encodeMemberLists(lists, chunker);
        lists.forEach((l, k) => {
          expect([...decode(encoded[k]!, chunker)]).toEqual([...l.endpointIds]);
        });
        const blockChunks = new Set(encoded[0]!.chunks);
        for (const e of encoded.slice(1, 4)) for (const c of e.chunks) expect(blockChunks.has(c)).toBe(true);
        expect(encoded[4]!.masks).toBeNull();
      }),
    );
  });
});
