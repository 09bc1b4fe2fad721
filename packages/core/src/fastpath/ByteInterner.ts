/**
 * Byte strings → small dense ids, without making a JavaScript string per lookup.
 *
 * The fast path sees the same ICCIDs, IMSIs, operator names and APNs millions of
 * times. Turning each occurrence into a `string` only to find it in a `Map` costs an
 * allocation and a copy per field per event; here the bytes are hashed in place
 * (FNV-1a) and compared against the bytes kept for the id, so a known value costs
 * one pass over its bytes and no allocation. A string is made once per distinct
 * value, on demand (`text(id)`).
 *
 * Text is decoded exactly as `Buffer#toString('utf8')` decodes a line: ASCII maps
 * 1:1; other bytes only through a fatal UTF-8 decoder, so a value whose bytes are
 * not valid UTF-8 is refused (`-1`) and the caller falls back to the full decoder.
 */

const EMPTY = 0;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Interns byte ranges; id 0 is reserved for "no value".
 *
 * @example
 * const bytes = new TextEncoder().encode('x"262"');
 * const interner = new ByteInterner();
 * const id = interner.intern(bytes, 2, 5); // 1
 * interner.text(id) // '262'
 */
export class ByteInterner {
  #table = new Int32Array(1 << 12);
  #mask = (1 << 12) - 1;
  #bytes = new Uint8Array(1 << 16);
  #used = 0;
  #start = new Uint32Array(1 << 10);
  #length = new Uint32Array(1 << 10);
  #hash = new Int32Array(1 << 10);
  #texts: (string | undefined)[] = [undefined];
  #count = 1;

  /** Number of ids given (including the reserved 0). */
  get size(): number {
    return this.#count;
  }

  /**
   * The id of `bytes[start, end)`, given on first sight; -1 if the bytes hold a
   * non-ASCII sequence that is not valid UTF-8 (checked once, when first seen).
   */
  intern(bytes: Uint8Array, start: number, end: number): number {
    let h = 0x811c9dc5 | 0;
    let high = 0;
    for (let i = start; i < end; i++) {
      const b = bytes[i] as number;
      high |= b;
      h = Math.imul(h ^ b, 0x01000193);
    }
    const len = end - start;
    const table = this.#table;
    const mask = this.#mask;
    const store = this.#bytes;
    let slot = h & mask;
    for (;;) {
      const id = table[slot] as number;
      if (id === EMPTY) break;
      if (this.#hash[id] === h && this.#length[id] === len) {
        const s = this.#start[id] as number;
        let same = true;
        for (let i = 0; i < len; i++) {
          if (store[s + i] !== bytes[start + i]) {
            same = false;
            break;
          }
        }
        if (same) return id;
      }
      slot = (slot + 1) & mask;
    }
    if (high >= 0x80) {
      try {
        utf8.decode(bytes.subarray(start, end));
      } catch {
        return -1;
      }
    }
    return this.#add(bytes, start, end, h, slot);
  }

  /** The text of an id (`null` for 0). */
  text(id: number): string | null {
    if (id === EMPTY) return null;
    const known = this.#texts[id];
    if (known !== undefined) return known;
    const s = this.#start[id] as number;
    const view = this.#bytes.subarray(s, s + (this.#length[id] as number));
    let ascii = true;
    for (let i = 0; i < view.length; i++) {
      if ((view[i] as number) >= 0x80) {
        ascii = false;
        break;
      }
    }
    const text = ascii ? latin1(view) : utf8.decode(view);
    this.#texts[id] = text;
    return text;
  }

  #add(bytes: Uint8Array, start: number, end: number, h: number, slot: number): number {
    const len = end - start;
    if (this.#used + len > this.#bytes.length) {
      const next = new Uint8Array(Math.max(this.#bytes.length * 2, this.#used + len));
      next.set(this.#bytes.subarray(0, this.#used));
      this.#bytes = next;
    }
    const id = this.#count;
    if (id === this.#start.length) {
      this.#start = growU32(this.#start);
      this.#length = growU32(this.#length);
      const hash = new Int32Array(this.#hash.length * 2);
      hash.set(this.#hash);
      this.#hash = hash;
    }
    this.#bytes.set(bytes.subarray(start, end), this.#used);
    this.#start[id] = this.#used;
    this.#length[id] = len;
    this.#hash[id] = h;
    this.#used += len;
    this.#count = id + 1;
    this.#table[slot] = id;
    if (this.#count * 2 > this.#table.length) this.#rehash();
    return id;
  }

  #rehash(): void {
    const size = this.#table.length * 2;
    const table = new Int32Array(size);
    const mask = size - 1;
    for (let id = 1; id < this.#count; id++) {
      let slot = (this.#hash[id] as number) & mask;
      while (table[slot] !== EMPTY) slot = (slot + 1) & mask;
      table[slot] = id;
    }
    this.#table = table;
    this.#mask = mask;
  }
}

function growU32(a: Uint32Array): Uint32Array<ArrayBuffer> {
  const next = new Uint32Array(a.length * 2);
  next.set(a);
  return next;
}

/** ASCII bytes as a string (chunked: `fromCharCode` takes its arguments on the stack). */
function latin1(view: Uint8Array): string {
  if (view.length <= 4096) return String.fromCharCode.apply(null, view as unknown as number[]);
  let out = '';
  for (let i = 0; i < view.length; i += 4096) out += String.fromCharCode.apply(null, view.subarray(i, i + 4096) as unknown as number[]);
  return out;
}
