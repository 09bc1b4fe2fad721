// AssemblyScript, compiled by bench/run.mjs (`asc --enable simd`) for the "WASM SIMD floor" row.
//
// Why this exists: the replay targets in docs/performance.md ask for more than any JavaScript byte loop can
// do on this machine, so the bench measures what the first stage of a WebAssembly decoder would
// cost here: simdjson's stage 1 (find every structural character outside strings and every
// string boundary, 64 bytes at a time with 128-bit SIMD, and write their positions), nothing
// else — no UTF-8 check, no values, no keys. A decoder built on it would still walk those
// positions (~290 a line on the generated logs) to read fields, validate numbers and intern
// strings; this row is a floor, not a decoder.
//
// scan(inPtr, len, outPtr): input at [inPtr, inPtr + len), len a multiple of 64 (the caller pads
// with spaces); writes u32 offsets at outPtr and returns how many. State carries across calls, so
// a file can be fed in chunks. `lines` counts newlines outside strings; `errors` collects raw
// control characters inside strings (a JSON error).

let prevInString: u64 = 0; // all ones when the previous block ended inside a string
let prevEscaped: u64 = 0; // 1 when the previous block ended with an odd run of backslashes
export let errors: u64 = 0;
export let lines: u64 = 0;

@inline function eqMask(p: usize, c: v128): u64 {
  const m0 = <u64>i8x16.bitmask(i8x16.eq(v128.load(p), c));
  const m1 = <u64>i8x16.bitmask(i8x16.eq(v128.load(p + 16), c));
  const m2 = <u64>i8x16.bitmask(i8x16.eq(v128.load(p + 32), c));
  const m3 = <u64>i8x16.bitmask(i8x16.eq(v128.load(p + 48), c));
  return m0 | (m1 << 16) | (m2 << 32) | (m3 << 48);
}

/** `{ } [ ] : ,` in 16 bytes ('[' | 0x20 is '{', ']' | 0x20 is '}'). */
@inline function ops16(v: v128): u64 {
  const folded = v128.or(v, i8x16.splat(0x20));
  const braces = v128.or(i8x16.eq(folded, i8x16.splat(0x7b)), i8x16.eq(folded, i8x16.splat(0x7d)));
  const separators = v128.or(i8x16.eq(v, i8x16.splat(0x3a)), i8x16.eq(v, i8x16.splat(0x2c)));
  return <u64>i8x16.bitmask(v128.or(braces, separators));
}

@inline function control16(v: v128): u64 {
  return <u64>i8x16.bitmask(i8x16.lt_u(v, i8x16.splat(0x20)));
}

/** Bits of the characters escaped by a backslash; backslashes are rare in these logs, so scalar. */
function escapedBits(backslash: u64): u64 {
  let escaped: u64 = 0;
  let carry = prevEscaped;
  for (let i: u64 = 0; i < 64; i++) {
    const bit: u64 = (<u64>1) << i;
    if (carry) {
      escaped |= bit;
      carry = 0;
    } else if (backslash & bit) carry = 1;
  }
  prevEscaped = carry;
  return escaped;
}

export function scan(inPtr: usize, len: usize, outPtr: usize): u32 {
  let n: u32 = 0;
  const quoteV = i8x16.splat(0x22);
  const backslashV = i8x16.splat(0x5c);
  const newlineV = i8x16.splat(0x0a);
  for (let p = inPtr; p < inPtr + len; p += 64) {
    const quote = eqMask(p, quoteV);
    const backslash = eqMask(p, backslashV);
    const escaped: u64 = backslash !== 0 || prevEscaped !== 0 ? escapedBits(backslash) : 0;
    const realQuote = quote & ~escaped;
    // Prefix XOR: bit i is set when an odd number of real quotes is at or before i (in a string).
    let x = realQuote;
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    const inString = x ^ prevInString;
    prevInString = <u64>(<i64>inString >> 63);
    const v0 = v128.load(p);
    const v1 = v128.load(p + 16);
    const v2 = v128.load(p + 32);
    const v3 = v128.load(p + 48);
    const ops = ops16(v0) | (ops16(v1) << 16) | (ops16(v2) << 32) | (ops16(v3) << 48);
    const control = control16(v0) | (control16(v1) << 16) | (control16(v2) << 32) | (control16(v3) << 48);
    errors |= control & inString & ~realQuote;
    const newline = eqMask(p, newlineV) & ~inString;
    lines += popcnt(newline);
    let s = (ops & ~inString) | realQuote | newline;
    const base = <u32>(p - inPtr);
    while (s !== 0) {
      store<u32>(outPtr + ((<usize>n) << 2), base + <u32>ctz(s));
      n++;
      s &= s - 1;
    }
  }
  return n;
}
