/**
 * The device regions' tables multiplied out into one table over the whole state vector.
 *
 * Why: the reducer keeps a device's six region states as ONE integer (a mixed-radix
 * product code) and moves it with ONE lookup, `next[product * EVENT_COUNT + event]`,
 * instead of six loads, six lookups and six stores. The regions are independent (no
 * guard looks across regions: see compileMachine.ts), so every combination of reachable
 * region states is reachable and the product table is exactly the per-region tables
 * applied side by side — it is computed from them, never written by hand.
 *
 * Size: the product of the region sizes (3240 states × 25 event types today, 162 KB as
 * u16). `compileProductTable` refuses a machine whose product would not fit a u16 code.
 */
import type { RegionTable } from './RegionTable.js';

/** Largest product the u16 table holds. */
const MAX_PRODUCT_STATES = 65536;

/** The device regions multiplied out. */
export interface ProductTable {
  /** Number of product states (code 0 = every region in its initial state). */
  readonly size: number;
  /** Place value of each region's code in a product code (regions in the given order). */
  readonly stride: readonly number[];
  /** `next[product * eventCount + eventCode]` = the next product code. */
  readonly next: Uint16Array;
  /** `codes[r][product]` = the code of region r in that product state. */
  readonly codes: readonly Uint8Array[];
}

/**
 * Multiplies out region tables (the first region varies fastest).
 *
 * @example
 * const p = compileProductTable(compileMachine().regions, EVENT_COUNT);
 * p.codes[0]![p.next[0 * EVENT_COUNT + eventCode('ATTACH')]!] // connectivity code after ATTACH
 */
export function compileProductTable(regions: readonly RegionTable[], eventCount: number): ProductTable {
  const stride: number[] = [];
  let size = 1;
  for (const r of regions) {
    stride.push(size);
    size *= r.states.length;
  }
  if (size > MAX_PRODUCT_STATES) throw new RangeError(`the device regions multiply out to ${size} states (> ${MAX_PRODUCT_STATES})`);
  const codes = regions.map((r, i) => {
    const a = new Uint8Array(size);
    const s = stride[i] as number;
    const k = r.states.length;
    for (let p = 0; p < size; p++) a[p] = Math.floor(p / s) % k;
    return a;
  });
  const next = new Uint16Array(size * eventCount);
  for (let p = 0; p < size; p++) {
    for (let e = 0; e < eventCount; e++) {
      let q = 0;
      for (let i = 0; i < regions.length; i++) {
        const r = regions[i] as RegionTable;
        q += (r.next[((codes[i] as Uint8Array)[p] as number) * eventCount + e] as number) * (stride[i] as number);
      }
      next[p * eventCount + e] = q;
    }
  }
  return { size, stride, next, codes };
}
