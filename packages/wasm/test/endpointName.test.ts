/**
 * `endpoint.name` through the module: every shape a record takes gives the full decoder's
 * row, or the line goes to the full decoder (escaped names, names of another type).
 */
import { describe, expect, it } from 'vitest';
import { checkLine, encoder, newDecoder, simulatorLines, STATUS_FALLBACK, STATUS_INVALID, STATUS_ROW, tally } from './support.js';

const SIM = simulatorLines(false, 400, 11);

describe('WasmLineDecoder endpoint names', () => {
  it("plain, empty, non-ASCII, null and missing names are rows equal to the full decoder's; the name is in the row", () => {
    const decoder = newDecoder();
    const line = SIM.find((l) => /"name":"[^"]+","tags"/.test(l) && l.includes('"pdp_context"')) as string;
    expect(line).toBeDefined();
    const cases: [string, string | null][] = [
      ['"name":"Cold Chain Sensor 12",', 'Cold Chain Sensor 12'],
      ['"name":"",', ''],
      ['"name":"Kühlkette Nord 🚚",', 'Kühlkette Nord 🚚'],
      ['"name":null,', null],
      ['', null],
    ];
    const t = tally();
    for (const [value, name] of cases) {
      const text = line.replace(/"name":"[^"]+","tags"/, `${value}"tags"`);
      const verdict = checkLine(decoder, encoder.encode(text), t);
      expect(verdict.status, text).toBe(STATUS_ROW);
      // The name is the row's last core column.
      expect(verdict.row?.at(-1), text).toBe(name);
    }
    expect(t.row).toBe(cases.length);
  });

  it('an escaped name or a name of another type goes to the full decoder, which decodes or rejects it', () => {
    const decoder = newDecoder();
    const line = SIM.find((l) => /"name":"[^"]+","tags"/.test(l)) as string;
    for (const value of ['"name":"Truck \\"A\\"",', '"name":"\\u0041",', '"name":7,', '"name":false,', '"name":{},', '"name":["a"],']) {
      const text = line.replace(/"name":"[^"]+","tags"/, `${value}"tags"`);
      const verdict = checkLine(decoder, encoder.encode(text));
      expect(verdict.status, text).toBe(STATUS_FALLBACK);
    }
    // Broken JSON in the name is invalid, as the full decoder says.
    const broken = line.replace(/"name":"[^"]+","tags"/, '"name":"a\\x","tags"');
    expect(checkLine(decoder, encoder.encode(broken)).status).toBe(STATUS_INVALID);
  });

  it('simulator lines keep their names through pool adoption across chunks', () => {
    const decoder = newDecoder({ chunkBytes: 4096 });
    const t = tally();
    const names = new Set<unknown>();
    for (const line of SIM.slice(0, 200)) {
      const verdict = checkLine(decoder, encoder.encode(line), t);
      if (verdict.row !== undefined) names.add(verdict.row.at(-1));
    }
    expect(t.row).toBeGreaterThan(150);
    expect(names.size).toBeGreaterThan(5);
    for (const name of names) if (name !== null) expect(String(name)).toMatch(/^[A-Z][A-Za-z ]+ \d+$/);
  });
});
