/**
 * The strings pool's interning on its own (assembly/poolTesting.ts, compiled here as a module of
 * its own): the word compare with its masked last word at every length 0–64 and every position,
 * probes where every string has the same hash, and tables that grow (fourfold within the room
 * set aside, twofold beyond it) — each against a model, a map from a string's bytes to the
 * reference it got first (1, 2, … in order of first sight).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';

interface PoolTesting {
  readonly memory: { readonly buffer: ArrayBuffer };
  alloc(n: number): number;
  newPool(strings: number, byteCount: number): void;
  intern(p: number, len: number): number;
  internWithHash(p: number, len: number, h: number): number;
  hash(p: number, len: number): number;
  same(a: number, b: number, len: number): number;
  poolSlots(): number;
  poolCount(): number;
  poolStarts(): number;
  poolLengths(): number;
  poolBytes(): number;
}

/** The part of the WebAssembly JS API used here (the project's lib has no DOM, where TypeScript declares it). */
interface WebAssemblyApi {
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { readonly exports: unknown };
}
const wasmApi = (globalThis as unknown as { readonly WebAssembly: WebAssemblyApi }).WebAssembly;

let ex: PoolTesting;

beforeAll(() => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const asc = createRequire(import.meta.url).resolve('assemblyscript/bin/asc.js');
  const dir = mkdtempSync(join(tmpdir(), 'pool-testing-'));
  const out = join(dir, 'poolTesting.wasm');
  try {
    execFileSync(process.execPath, [asc, 'assembly/poolTesting.ts', '--runtime', 'stub', '--enable', 'simd', '-O3', '--noAssert', '--outFile', out], {
      cwd: root,
      stdio: 'inherit',
    });
    const module = new wasmApi.Module(readFileSync(out));
    const abort = (_m: number, _f: number, line: number, column: number): never => {
      throw new Error(`pool testing module aborted at ${line}:${column}`);
    };
    ex = new wasmApi.Instance(module, { env: { abort } }).exports as unknown as PoolTesting;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function heap(): Uint8Array {
  return new Uint8Array(ex.memory.buffer);
}

/** Writes the strings one after the other into a new block (random bytes after the last, which word loads read); their addresses. */
function place(strings: readonly Uint8Array[]): number[] {
  const total = strings.reduce((n, s) => n + s.length, 0);
  const base = ex.alloc(total + 64);
  const h = heap();
  for (let i = 0; i < total + 64 + 8; i++) h[base + i] = (i * 131 + 7) & 0xff;
  const at: number[] = [];
  let p = base;
  for (const s of strings) {
    h.set(s, p);
    at.push(p);
    p += s.length;
  }
  return at;
}

/** The reference each string should get: its index among the distinct strings in order of first sight, plus 1. */
function modelRefs(strings: readonly Uint8Array[]): number[] {
  const seen = new Map<string, number>();
  return strings.map((s) => {
    const key = Buffer.from(s).toString('latin1');
    let ref = seen.get(key);
    if (ref === undefined) {
      ref = seen.size + 1;
      seen.set(key, ref);
    }
    return ref;
  });
}

/** Every reference's stored bytes equal the string it was given for. */
function expectStored(strings: readonly Uint8Array[], refs: readonly number[]): void {
  const h = heap();
  const view = new DataView(ex.memory.buffer);
  strings.forEach((s, i) => {
    const ref = refs[i]!;
    const start = view.getUint32(ex.poolStarts() + ref * 4, true);
    const length = view.getUint32(ex.poolLengths() + ref * 4, true);
    expect(Array.from(h.subarray(ex.poolBytes() + start, ex.poolBytes() + start + length))).toEqual(Array.from(s));
  });
}

describe('strings pool interning', () => {
  it('compares bytes equal at every length 0–64, unequal for a change at any position, blind to the bytes past the end', () => {
    const a = ex.alloc(64 + 16);
    const b = ex.alloc(64 + 16);
    for (let len = 0; len <= 64; len++) {
      const h = heap();
      for (let i = 0; i < 64 + 16; i++) {
        h[a + i] = (i * 37 + len) & 0xff;
        h[b + i] = (i * 37 + len) & 0xff;
      }
      expect(ex.same(a, b, len)).toBe(1);
      for (let k = 0; k < len; k++) {
        for (const flip of [0x01, 0x80]) {
          h[b + k]! ^= flip;
          expect(ex.same(a, b, len), `length ${len}, byte ${k}`).toBe(0);
          h[b + k]! ^= flip;
        }
      }
      // The bytes after the end (read by the last word's load) never change the answer.
      for (let k = len; k < len + 8; k++) h[b + k]! ^= 0xff;
      expect(ex.same(a, b, len), `length ${len}, bytes past the end changed`).toBe(1);
    }
  });

  it('gives the model references when every string has the same hash (all probes collide)', () => {
    // Small alphabets and lengths 0–64: prefixes, strings one byte apart, strings equal but at other addresses.
    const bytes = fc.uint8Array({ minLength: 0, maxLength: 64 }).chain((s) =>
      fc.oneof(
        fc.constant(s),
        fc.array(fc.constantFrom(0x30, 0x31), { minLength: 0, maxLength: 64 }).map((a) => Uint8Array.from(a)),
        fc.integer({ min: 15, max: 20 }).map((n) => Uint8Array.from({ length: n }, (_, i) => 0x30 + (i % 10))),
      ),
    );
    fc.assert(
      fc.property(fc.array(bytes, { minLength: 1, maxLength: 300 }), fc.constantFrom(0, 7, 0xffffffff), (strings, h) => {
        ex.newPool(0, 0);
        const at = place(strings);
        const refs = strings.map((s, i) => ex.internWithHash(at[i]!, s.length, h));
        expect(refs).toEqual(modelRefs(strings));
        expect(ex.poolCount()).toBe(new Set(refs).size + 1);
        expectStored(strings, refs);
      }),
      { numRuns: 60 },
    );
  });

  it('gives the model references through every growth of the table, set aside or not', () => {
    // ICCID-, IMSI- and IMEI-like digit strings (15–20 bytes), each met again later: 60k distinct
    // strings pass several growths (4096 slots at first, at most half full until the full size).
    const strings: Uint8Array[] = [];
    for (let i = 0; i < 60_000; i++) {
      const digits = `${8_988_303_000_000_000_000n + BigInt(i) * 7919n}`.slice(0, 15 + (i % 6));
      strings.push(new TextEncoder().encode(digits));
      if (i % 3 === 0) strings.push(strings[(i * 7) % strings.length]!);
    }
    const model = modelRefs(strings);
    for (const [reserved, slots] of [
      [0, 1 << 17],
      [100_000, 1 << 18],
    ] as const) {
      ex.newPool(reserved, 2 << 20);
      const at = place(strings);
      const refs = strings.map((s, i) => ex.intern(at[i]!, s.length));
      expect(refs).toEqual(model);
      // Set aside for 100k strings, the table grows fourfold in place to its full size (262144 slots).
      expect(ex.poolSlots()).toBe(slots);
      expectStored(strings, refs);
      // Every string is found again after the last growth.
      expect(strings.map((s, i) => ex.intern(at[i]!, s.length))).toEqual(model);
    }
  });

  it('hashes equal bytes at any address alike', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 64 }), (s) => {
        const [a, b] = place([s, s]);
        expect(ex.hash(a!, s.length)).toBe(ex.hash(b!, s.length));
      }),
      { numRuns: 100 },
    );
  });
});
