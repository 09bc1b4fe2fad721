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

/** ASCII text as bytes (fragments rendered once and copied per record). */
export function ascii(text: string): Uint8Array {
  return Buffer.from(text, 'latin1');
}

const POW10: readonly number[] = Array.from({ length: 10 }, (_, i) => 10 ** i);

export class ByteWriter {
  /** A Buffer, so long strings are copied by `latin1Write` rather than a JavaScript loop. */
  buf: Buffer;
  /** Where the output starts (after the arena). */
  readonly base: number;
  pos: number;

  constructor(capacity = 1 << 16, arena = 0) {
    this.buf = Buffer.alloc(arena + capacity);
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
    this.buf.copyWithin(this.pos, offset, offset + length);
    this.pos += length;
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
    if (n >= 100_000_000) {
      // Split so both halves take the small-integer path (no double division).
      const high = Math.floor(n / 100_000_000);
      this.uint(high);
      this.padded(n - high * 100_000_000, 8);
      return;
    }
    let len = 1;
    while (len < 8 && n >= (POW10[len] as number)) len++;
    if (this.pos + len > this.buf.length) this.reserve(len);
    const buf = this.buf;
    let q = this.pos + len;
    this.pos = q;
    let v = n | 0;
    do {
      const next = (v / 10) | 0;
      buf[--q] = 48 + v - next * 10;
      v = next;
    } while (v > 0);
  }

  /** Appends `n` (0 ≤ n < 10^width, width ≤ 9) zero-padded to `width` digits. */
  padded(n: number, width: number): void {
    if (this.pos + width > this.buf.length) this.reserve(width);
    const buf = this.buf;
    let q = this.pos + width;
    this.pos = q;
    let v = n | 0;
    for (let i = 0; i < width; i++) {
      const next = (v / 10) | 0;
      buf[--q] = 48 + v - next * 10;
      v = next;
    }
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
