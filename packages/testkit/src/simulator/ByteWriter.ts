/**
 * An append-only ASCII byte buffer: the record builder writes into it.
 *
 * Why bytes and not strings: joining template strings makes V8 build and then
 * flatten a rope per record, which caps a JavaScript generator near 0.2 M records/s
 * on this machine. Copying pre-encoded fragments and writing digits into one
 * reused buffer allocates nothing per record; the text is decoded once per chunk.
 */
import { Buffer } from 'node:buffer';

/** ASCII text as bytes (fragments rendered once and copied per record). */
export function ascii(text: string): Uint8Array {
  return Buffer.from(text, 'latin1');
}

const POW10: readonly number[] = Array.from({ length: 17 }, (_, i) => 10 ** i);

export class ByteWriter {
  buf: Uint8Array;
  pos = 0;

  constructor(capacity = 1 << 17) {
    this.buf = new Uint8Array(capacity);
  }

  /** Makes room for `n` more bytes. */
  reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  /** Appends pre-encoded bytes. */
  bytes(b: Uint8Array): void {
    const n = b.length;
    if (this.pos + n > this.buf.length) this.reserve(n);
    const buf = this.buf;
    let p = this.pos;
    if (n < 32) {
      // A call into the TypedArray#set builtin costs more than a short loop.
      for (let i = 0; i < n; i++) buf[p++] = b[i] as number;
      this.pos = p;
      return;
    }
    buf.set(b, p);
    this.pos = p + n;
  }

  /** Appends an ASCII string (no escaping: callers only pass JSON-safe text). */
  text(s: string): void {
    const n = s.length;
    if (this.pos + n > this.buf.length) this.reserve(n);
    const buf = this.buf;
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

  /** The text written since `start`. */
  textFrom(start: number): string {
    return Buffer.from(this.buf.buffer, this.buf.byteOffset + start, this.pos - start).toString('latin1');
  }

  /** Forgets everything written. */
  clear(): void {
    this.pos = 0;
  }
}
