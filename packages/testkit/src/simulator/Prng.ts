/**
 * A small, fast, deterministic pseudo-random generator (sfc32, Chris Doty-Humphrey's
 * "small fast chaotic" generator), seeded through splitmix32.
 *
 * Why hand-written: the workload generator draws several numbers per event and must
 * produce over a million events per second, so the generator is plain 32-bit integer
 * arithmetic on four fields, with no allocation and no BigInt. It is not
 * cryptographic; it only has to be fast, well mixed and reproducible: the same seed
 * always gives the same sequence, on every platform.
 *
 * @example
 * const prng = new Prng(42);
 * prng.below(6); // an integer in [0, 6), the same one for seed 42 every time
 */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    // Fold the whole seed (not just its low 32 bits) into the state.
    const lo = seed >>> 0;
    const hi = Math.floor(Math.abs(seed) / 4294967296) >>> 0;
    let s = (lo ^ Math.imul(hi, 0x9e3779b9)) >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next() | 1;
    // sfc32 needs a few rounds before its output is well mixed.
    for (let i = 0; i < 12; i++) this.nextU32();
  }

  /** The next 32-bit unsigned integer. */
  nextU32(): number {
    const a = this.a;
    const b = this.b;
    const c = this.c;
    const d = this.d;
    const t = (((a + b) | 0) + d) | 0;
    this.d = (d + 1) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    this.c = (((c << 21) | (c >>> 11)) + t) | 0;
    return t >>> 0;
  }

  /** An integer in `[0, n)` (n ≥ 1). */
  below(n: number): number {
    return Math.floor((this.nextU32() * n) / 4294967296);
  }

  /** A number in `[0, 1)`. */
  unit(): number {
    return this.nextU32() / 4294967296;
  }
}
