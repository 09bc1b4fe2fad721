/**
 * The product table (one lookup for the whole state vector) is exactly the per-region
 * tables side by side, on every product state and event type, and its status table is
 * the per-region status table re-indexed.
 */
import { describe, expect, test } from 'vitest';
import { DEVICE_REGIONS } from '../../src/machine/deviceMachine.js';
import { EVENT_COUNT, getCompiledMachine, type RegionTable } from '../../src/reducer/compileMachine.js';
import { compileProductTable } from '../../src/reducer/productTable.js';

const c = getCompiledMachine();

describe('product table', () => {
  test('has one state per combination of region states, decoded back to every combination once', () => {
    const p = c.product;
    expect(p.size).toBe(c.regions.reduce((n, r) => n * r.states.length, 1));
    const seen = new Set<string>();
    for (let s = 0; s < p.size; s++) seen.add(p.codes.map((codes) => codes[s]).join(','));
    expect(seen.size).toBe(p.size);
    for (let r = 0; r < DEVICE_REGIONS.length; r++) expect(p.codes[r]?.[0]).toBe(0); // code 0 = all initial
  });

  test('= the per-region tables on every (product state, event type)', () => {
    const p = c.product;
    let mismatches = 0;
    for (let s = 0; s < p.size; s++) {
      for (let e = 0; e < EVENT_COUNT; e++) {
        const q = p.next[s * EVENT_COUNT + e] as number;
        for (let r = 0; r < c.regions.length; r++) {
          const table = c.regions[r] as RegionTable;
          const expected = table.next[(p.codes[r]?.[s] as number) * EVENT_COUNT + e];
          if (p.codes[r]?.[q] !== expected) mismatches++;
        }
      }
    }
    expect(mismatches).toBe(0);
  });

  test('productStatus = status on every product state, blocked or not', () => {
    const nEndpoint = c.endpoint.states.length;
    const nConn = c.connectivity.states.length;
    const code = (region: (typeof DEVICE_REGIONS)[number], s: number): number => c.product.codes[DEVICE_REGIONS.indexOf(region)]?.[s] as number;
    for (let s = 0; s < c.product.size; s++) {
      for (const blocked of [0, 1]) {
        const expected = c.status[((code('sim', s) * nEndpoint + code('endpoint', s)) * 2 + blocked) * nConn + code('connectivity', s)];
        expect(c.productStatus[s * 2 + blocked]).toBe(expected);
      }
    }
  });

  test('refuses regions that multiply out beyond a u16 code', () => {
    const big: RegionTable = { region: 'big', states: Array.from({ length: 256 }, (_, i) => `S${i}`), next: new Uint8Array(256 * EVENT_COUNT) };
    expect(() => compileProductTable([big, big, big], EVENT_COUNT)).toThrow(RangeError);
  });
});
