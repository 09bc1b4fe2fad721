/**
 * An append-only ASCII byte buffer: the record builder writes into it.
 *
 * Why bytes and not strings: joining template strings makes V8 build and then
 * flatten a rope per record, which caps a JavaScript generator near 0.2 M records/s
 * on this machine. Copying pre-encoded fragments and writing digits into one reused
 * buffer allocates nothing per record; the text is decoded once per chunk.
 *
 * A writer may reserve an *arena* at the start of its buffer: fragments stored there
 * (the simulator's per-device identities) are copied to the output with
 * `copyWithin`, which neither allocates a view nor loops in JavaScript.
 */
import { Buffer } from 'node:buffer';

/**
 * ASCII text as bytes (fragments rendered once and copied per record). A plain
 * Uint8Array, not a Buffer: every fragment then has the same hidden class, so the
 * record builder's copies see one shape (Buffers mixed with Uint8Arrays made V8
 * fall back to inline-cache stubs there).
 */
export function ascii(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'latin1'));
}

/** Longest arena copy done word by word rather than with `copyWithin` (measured crossover ~48 bytes). */
const SHORT_COPY = 40;

/** `00`, `01`, … `99` as 200 ASCII bytes. */
const DIGIT_PAIRS = new Uint8Array(200);
for (let i = 0; i < 100; i++) {
  DIGIT_PAIRS[2 * i] = 48 + Math.floor(i / 10);
  DIGIT_PAIRS[2 * i + 1] = 48 + (i % 10);
}

/** Decimal digits of 0 ≤ n < 10^8. */
function digitCount(n: number): number {
  if (n < 10_000) return n < 100 ? (n < 10 ? 1 : 2) : n < 1000 ? 3 : 4;
  return n < 1_000_000 ? (n < 100_000 ? 5 : 6) : n < 10_000_000 ? 7 : 8;
}

export class ByteWriter {
  /** A Buffer, so long strings are copied by `latin1Write` rather than a JavaScript loop. */
  buf: Buffer;
  /** Where the output starts (after the arena). */
  readonly base: number;
  pos: number;
  /** `buf` as a DataView, for copying short arena fields four bytes at a time. */
  private view: DataView;

  constructor(capacity = 1 << 16, arena = 0) {
    this.buf = Buffer.alloc(arena + capacity);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
    this.base = arena;
    this.pos = arena;
  }

  /** Makes room for `n` more bytes. */
  reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.alloc(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.length);
  }

  /** Appends pre-encoded bytes. */
  bytes(b: Uint8Array): void {
    const n = b.length;
    if (this.pos + n > this.buf.length) this.reserve(n);
    this.buf.set(b, this.pos);
    this.pos += n;
  }

  /** Appends `length` bytes stored in the arena at `offset`. */
  fromArena(offset: number, length: number): void {
    if (this.pos + length > this.buf.length) this.reserve(length);
    const p = this.pos;
    this.pos = p + length;
    if (length > SHORT_COPY) {
      this.buf.copyWithin(p, offset, offset + length);
      return;
    }
    // Short fields (IMSI, ICCID, name, MSISDN): copyWithin is a C++ builtin whose call
    // costs more than moving a few words; DataView accesses compile to plain loads.
    const v = this.view;
    let i = 0;
    for (; i + 4 <= length; i += 4) v.setUint32(p + i, v.getUint32(offset + i, true), true);
    for (; i < length; i++) v.setUint8(p + i, v.getUint8(offset + i));
  }

  /** Appends an ASCII string (no escaping: callers only pass JSON-safe text). */
  text(s: string): void {
    const n = s.length;
    if (this.pos + n > this.buf.length) this.reserve(n);
    const buf = this.buf;
    if (n > 24) {
      this.pos += buf.write(s, this.pos, 'latin1');
      return;
    }
    let p = this.pos;
    for (let i = 0; i < n; i++) buf[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /** Appends one byte. */
  byte(c: number): void {
    if (this.pos >= this.buf.length) this.reserve(1);
    this.buf[this.pos++] = c;
  }

  /** Appends a non-negative integer up to 2^53 in decimal. */
  uint(n: number): void {
    if (n < 100_000_000) {
      this.padded(n, digitCount(n));
      return;
    }
    // Split so both parts take the small-integer path (below 2^53, high < 10^8).
    const high = Math.floor(n / 100_000_000);
    this.padded(high, digitCount(high));
    this.padded(n - high * 100_000_000, 8);
  }

  /** Appends `n` (0 ≤ n < 10^width, width ≤ 9) zero-padded to `width` digits. */
  padded(n: number, width: number): void {
    if (this.pos + width > this.buf.length) this.reserve(width);
    const buf = this.buf;
    let q = this.pos + width;
    const end = this.pos;
    this.pos = q;
    let v = n | 0;
    // Two digits per division, from a table of the pairs 00–99.
    while (q - end >= 2) {
      const next = (v / 100) | 0;
      const pair = (v - next * 100) * 2;
      buf[--q] = DIGIT_PAIRS[pair + 1] as number;
      buf[--q] = DIGIT_PAIRS[pair] as number;
      v = next;
    }
    if (q > end) buf[--q] = 48 + (v % 10);
  }

  /** The text written from `start` (an absolute position, ≥ base) to the end. */
  textFrom(start: number): string {
    return this.buf.toString('latin1', start, this.pos);
  }

  /** Forgets the output (the arena stays). */
  clear(): void {
    this.pos = this.base;
  }
}
