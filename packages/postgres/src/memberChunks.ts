/**
 * The endpoint lists of organisation changes, stored as content-defined chunks
 * (`member_chunks`, migration 5) so that a list written again, or one that differs from
 * another by a few ids, shares all its other chunks with it.
 *
 * Why this shape: a replay of a fleet whose big organisations block and unblock writes
 * tens of millions of member ids, nearly all of them repeats (an organisation's members
 * change little between two blocks). A list is cut after every id whose hash hits a
 * boundary (`isChunkEnd`: a function of the id alone, so adding or removing an id changes
 * only the chunk holding it); a chunk is stored once, named by the SHA-256 of its ids
 * (`chunkIdOf`). The status changes of an event (a subset of its block change's members,
 * split by the state they leave) would cut into chunks of their own, different every
 * time; they refer to the block change's chunks instead, with a bitmask per chunk of the
 * members they hold (`encodeMemberLists`).
 *
 * Exact: `decodeMemberList` gives back every list as it was (property tests,
 * test/memberChunks.test.ts), and migration 5 cuts in SQL by the same rule (a test
 * compares the two).
 */
import { createHash } from 'node:crypto';

/** Boundary bits: a chunk ends after an id whose mixed hash has its low 8 bits zero (≈256 ids a chunk). */
const CHUNK_MASK = 0xff;
const TWO_32 = 4294967296;
/** Multipliers of `isChunkEnd`, below 2^31 so that migration 5's bigint arithmetic cannot overflow. */
const LOW_MULTIPLIER = 0x5bd1e995;
const HIGH_MULTIPLIER = 0x27d4eb2f;
const MIX_MULTIPLIER = 0x045d9f3b;
/** Bytes of a chunk id: the first half of a SHA-256. */
export const CHUNK_ID_BYTES = 16;

/**
 * Whether a chunk ends after `id` (any safe integer): its low and high 32-bit words
 * multiplied, summed and mixed modulo 2^32 (migration 5 spells the same in SQL).
 *
 * @example
 * isChunkEnd(11089066) // true or false, the same on every machine and in migration 5
 */
export function isChunkEnd(id: number): boolean {
  if (id >= 0 && id < TWO_32) {
    // emnify's ids: no high word, no division (this runs over every id of a replay's lists).
    const h = Math.imul(id | 0, LOW_MULTIPLIER) >>> 0;
    const m = Math.imul(h ^ (h >>> 16), MIX_MULTIPLIER) >>> 0;
    return ((m ^ (m >>> 16)) & CHUNK_MASK) === 0;
  }
  const hi = Math.floor(id / TWO_32);
  const lo = id - hi * TWO_32;
  const h1 = (Math.imul(lo | 0, LOW_MULTIPLIER) + Math.imul(hi | 0, HIGH_MULTIPLIER)) >>> 0;
  const h2 = Math.imul(h1 ^ (h1 >>> 16), MIX_MULTIPLIER) >>> 0;
  return ((h2 ^ (h2 >>> 16)) & CHUNK_MASK) === 0;
}

/** Whether this machine stores a `Uint32Array` word with its least significant byte first. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** `v` (a uint32) as the word whose memory bytes are `v` big-endian. */
const bigEndianWord = LITTLE_ENDIAN
  ? (v: number): number => ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)
  : (v: number): number => v;

/**
 * The id of a chunk: the first 16 bytes of the SHA-256 of its ids, each as 8 bytes
 * big-endian (PostgreSQL's `int8send`, so migration 5 computes it in SQL).
 *
 * @example
 * chunkIdOf(Float64Array.of(1, 2, 3)).length // 16
 *
 * @param scratch words to build the bytes in (at least two per id; a chunker reuses its own:
 *   a new typed array per chunk, thousands a write, cost more than the hash)
 */
export function chunkIdOf(ids: Float64Array, scratch: Uint32Array = new Uint32Array(ids.length * 2)): Buffer {
  const words = scratch;
  for (let k = 0; k < ids.length; k++) {
    const v = ids[k] as number;
    const hi = Math.floor(v / TWO_32);
    words[2 * k] = bigEndianWord(hi >>> 0);
    words[2 * k + 1] = bigEndianWord((v - hi * TWO_32) >>> 0);
  }
  return createHash('sha256')
    .update(new Uint8Array(words.buffer, words.byteOffset, ids.length * 8))
    .digest()
    .subarray(0, CHUNK_ID_BYTES);
}

/** One stored chunk: its id and its ids, ascending. */
export interface MemberChunk {
  readonly id: Buffer;
  readonly endpointIds: Float64Array;
}

/**
 * A list as stored: its chunks in order and, per chunk, the bitmask of the chunk's ids the
 * list holds (bit j of byte j >> 3 is the chunk's id j, least significant bit first, as
 * PostgreSQL's `get_bit` reads it; null: every id). `masks` is null when no chunk has one.
 */
export interface EncodedMemberList {
  readonly chunks: readonly MemberChunk[];
  readonly masks: readonly (Buffer | null)[] | null;
  /** Ids in the list. */
  readonly count: number;
}

/** A few of a list's ids (its length, ends and 14 between), as a map key: equal lists, equal keys. */
function sampleKey(ids: Float64Array): string {
  const n = ids.length;
  let key = `${n}`;
  if (n === 0) return key;
  for (let s = 0; s < 16; s++) key += `,${ids[Math.floor((s * (n - 1)) / 15)]}`;
  return key;
}

/** Equal bytes of two id arrays (memcmp: equal ids, since ids are integers). */
function sameBytes(a: Float64Array, b: Float64Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** Equal contents of two id arrays. */
function sameIds(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}

/**
 * Cuts ascending id lists into chunks, each distinct chunk once (`chunks`, by id in hex).
 * A chunk met again within one encoder is found by a cheap fingerprint and compared id by
 * id, so the SHA-256 runs once per distinct chunk, not once per list.
 *
 * @example
 * const chunker = new MemberChunker();
 * chunker.encode(Float64Array.of(1, 2, 3)).count // 3
 */
export class MemberChunker {
  /** Every distinct chunk met, by id (hex). */
  readonly chunks = new Map<string, MemberChunk>();
  readonly #byFingerprint = new Map<number, MemberChunk[]>();
  /** `chunkIdOf`'s words, reused. */
  #words = new Uint32Array(1024);
  /**
   * Lists encoded already, by a sample of their ids, and (`encodeSubset`) by their base: an
   * organisation's block and its unblock reach the same members, often several times. A
   * sample hit is confirmed by comparing the lists' bytes (memcmp), not trusted.
   */
  readonly #lists = new Map<string, { readonly ids: Float64Array; readonly list: EncodedMemberList }[]>();
  readonly #subsets = new WeakMap<EncodedMemberList, Map<string, { readonly ids: Float64Array; readonly list: EncodedMemberList | undefined }[]>>();

  /** The list (ascending, each id once) as its chunks, no masks. */
  encode(ids: Float64Array): EncodedMemberList {
    const key = sampleKey(ids);
    const known = this.#lists.get(key);
    if (known !== undefined) for (const e of known) if (sameBytes(e.ids, ids)) return e.list;
    const list = this.#encode(ids);
    if (known === undefined) this.#lists.set(key, [{ ids, list }]);
    else known.push({ ids, list });
    return list;
  }

  #encode(ids: Float64Array): EncodedMemberList {
    const chunks: MemberChunk[] = [];
    let start = 0;
    // The chunk's fingerprint as it is scanned (one pass over the ids for both).
    let f = 0;
    for (let k = 0; k < ids.length; k++) {
      const v = ids[k] as number;
      f = (Math.imul(f, 31) + (v | 0)) | 0;
      if (k === ids.length - 1 || isChunkEnd(v)) {
        chunks.push(this.#chunk(ids, start, k + 1, f));
        start = k + 1;
        f = 0;
      }
    }
    return { chunks, masks: null, count: ids.length };
  }

  /**
   * `ids` (ascending) as a subset of `base`'s ids: `base`'s chunks with a mask each, the
   * chunks it holds none of left out; undefined when `ids` holds an id `base` does not.
   */
  encodeSubset(ids: Float64Array, base: EncodedMemberList): EncodedMemberList | undefined {
    if (base.masks !== null) return undefined;
    let byKey = this.#subsets.get(base);
    if (byKey === undefined) {
      byKey = new Map();
      this.#subsets.set(base, byKey);
    }
    const key = sampleKey(ids);
    const known = byKey.get(key);
    if (known !== undefined) for (const e of known) if (sameBytes(e.ids, ids)) return e.list;
    const list = this.#encodeSubset(ids, base);
    if (known === undefined) byKey.set(key, [{ ids, list }]);
    else known.push({ ids, list });
    return list;
  }

  #encodeSubset(ids: Float64Array, base: EncodedMemberList): EncodedMemberList | undefined {
    const chunks: MemberChunk[] = [];
    const masks: (Buffer | null)[] = [];
    let any = false;
    let k = 0;
    // Every chunk's mask in one buffer (a status change spans a hundred chunks): views of it.
    let bytes = 0;
    for (const chunk of base.chunks) bytes += (chunk.endpointIds.length + 7) >> 3;
    const all = Buffer.alloc(bytes);
    let at = 0;
    for (const chunk of base.chunks) {
      const members = chunk.endpointIds;
      const size = (members.length + 7) >> 3;
      const last = members[members.length - 1] as number;
      let held = 0;
      // The list's ids up to the chunk's last, each found by walking the chunk forward:
      // one compare per member passed (these walks cover every member of every block).
      for (let j = 0; k < ids.length; k++, j++) {
        const v = ids[k] as number;
        if (v > last) break;
        while ((members[j] as number) < v) j++;
        if (members[j] !== v) return undefined; // an id the base chunk would hold, but does not
        const byte = at + (j >> 3);
        all[byte] = (all[byte] as number) | (1 << (j & 7));
        held++;
      }
      const mask = all.subarray(at, at + size);
      at += size;
      if (held === 0) continue;
      chunks.push(chunk);
      if (held === members.length) masks.push(null);
      else {
        masks.push(mask);
        any = true;
      }
    }
    if (k < ids.length) return undefined;
    return { chunks, masks: any ? masks : null, count: ids.length };
  }

  /** The chunk of ids [start, end) (fingerprint `f`), the one met before when equal. */
  #chunk(ids: Float64Array, start: number, end: number, f: number): MemberChunk {
    const slice = ids.subarray(start, end);
    const candidates = this.#byFingerprint.get(f);
    if (candidates !== undefined) for (const c of candidates) if (sameIds(c.endpointIds, slice)) return c;
    if (this.#words.length < slice.length * 2) this.#words = new Uint32Array(Math.max(slice.length * 2, this.#words.length * 2));
    const chunk: MemberChunk = { id: chunkIdOf(slice, this.#words), endpointIds: slice.slice() };
    const hex = chunk.id.toString('hex');
    const known = this.chunks.get(hex);
    if (known !== undefined) return known;
    this.chunks.set(hex, chunk);
    if (candidates === undefined) this.#byFingerprint.set(f, [chunk]);
    else candidates.push(chunk);
    return chunk;
  }
}

/** A list to store, and the event change it belongs to (for `encodeMemberLists`). */
export interface MemberListOf {
  readonly region: string;
  readonly eventId: bigint;
  readonly endpointIds: Float64Array;
}

/**
 * The lists of a write, encoded: a block change's list as chunks; any other change's as
 * masks over the chunks of its event's block change when that holds all its ids (an
 * organisation's status changes, a subset of its block's members), else as chunks of its
 * own. A function of the lists alone: the same lists encode the same in every write.
 *
 * @example
 * const chunker = new MemberChunker();
 * const encoded = encodeMemberLists(shared, chunker); // one per change, in order; chunker.chunks to store
 */
export function encodeMemberLists(lists: readonly MemberListOf[], chunker: MemberChunker): EncodedMemberList[] {
  const out: (EncodedMemberList | undefined)[] = lists.map((l) => (l.region === 'block' ? chunker.encode(l.endpointIds) : undefined));
  const blocks = new Map<bigint, EncodedMemberList[]>();
  lists.forEach((l, k) => {
    if (l.region !== 'block') return;
    const list = blocks.get(l.eventId);
    if (list === undefined) blocks.set(l.eventId, [out[k] as EncodedMemberList]);
    else list.push(out[k] as EncodedMemberList);
  });
  return lists.map((l, k) => {
    const done = out[k];
    if (done !== undefined) return done;
    for (const base of blocks.get(l.eventId) ?? []) {
      const subset = chunker.encodeSubset(l.endpointIds, base);
      if (subset !== undefined) return subset;
    }
    return chunker.encode(l.endpointIds);
  });
}

/**
 * A stored list read back: the ids of its chunks in order, those its masks hold.
 * `chunkIds` name chunks of `chunks` (hex id → ids).
 *
 * @example
 * decodeMemberList(row.chunkIds, row.masks, chunks) // Float64Array of the list's ids, ascending
 */
export function decodeMemberList(
  chunkIds: readonly Buffer[],
  masks: readonly (Buffer | null)[] | null,
  chunks: ReadonlyMap<string, Float64Array>,
): Float64Array {
  const parts: number[] = [];
  chunkIds.forEach((id, k) => {
    const ids = chunks.get(id.toString('hex'));
    if (ids === undefined) throw new RangeError(`chunk ${id.toString('hex')} is not stored`);
    const mask = masks?.[k] ?? null;
    for (let j = 0; j < ids.length; j++) if (mask === null || (((mask[j >> 3] ?? 0) >> (j & 7)) & 1) === 1) parts.push(ids[j] as number);
  });
  return Float64Array.from(parts);
}
