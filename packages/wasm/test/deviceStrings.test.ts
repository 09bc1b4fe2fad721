/**
 * The module keeps each endpoint's strings (ICCID, IMSI, IMEI, IP address, name) with their
 * pool references and gives a row whose strings equal them those references: rows whose
 * endpoint strings change, go missing, are long, empty or another endpoint's, and endpoints
 * whose ids share an entry, all decode to the full decoder's rows, in every chunking and pool
 * bound.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkVerdict, decodeAll, encoder, newDecoder, STATUS_ROW, simulatorLines, tally } from './support.js';

const LINES = simulatorLines(false, 300, 17, 6);
/** Rows of the unedited lines (the others are lines the module leaves to the full decoder). */
const ROWS = decodeAll(newDecoder(), encoder.encode(`${LINES.join('\n')}\n`)).filter((v) => v.status === STATUS_ROW).length;
/** The entry table's size: ids this far apart share an entry. */
const ENTRIES = 2 ** 17;

interface Line {
  endpoint?: { id?: number; imei?: unknown; ip_address?: unknown; name?: unknown } | null;
  sim?: { iccid?: unknown } | null;
  imsi?: { imsi?: unknown } | null;
}

const value = fc.oneof(
  fc.constant(null),
  fc.constant(''),
  fc.constantFrom('8988303000000000001', '295090000000001', '100.64.0.1', 'Shared Name'),
  fc.string({ unit: 'grapheme-ascii', maxLength: 24 }),
  fc.string({ unit: 'grapheme-ascii', minLength: 60, maxLength: 300 }),
);

/** An edit of one line: which string it changes (or the endpoint id), and to what. */
const edit = fc.record({
  line: fc.nat(LINES.length - 1),
  field: fc.constantFrom('iccid', 'imsi', 'imei', 'ip_address', 'name', 'id', 'drop'),
  value,
  shift: fc.constantFrom(1, ENTRIES, -ENTRIES, 3 * ENTRIES),
});

function apply(lines: Line[], e: { line: number; field: string; value: unknown; shift: number }): void {
  const l = lines[e.line] as Line;
  if (e.field === 'iccid' && l.sim) l.sim.iccid = e.value;
  else if (e.field === 'imsi' && l.imsi) l.imsi.imsi = e.value;
  else if (e.field === 'id' && l.endpoint && typeof l.endpoint.id === 'number') l.endpoint.id += e.shift;
  else if (e.field === 'drop' && l.endpoint) delete l.endpoint.name;
  else if (l.endpoint && e.field !== 'id' && e.field !== 'drop') (l.endpoint as Record<string, unknown>)[e.field] = e.value;
}

describe('WasmLineDecoder endpoint strings', () => {
  it('the lines are mostly rows', () => {
    expect(ROWS).toBeGreaterThan(LINES.length / 3);
  });

  it('rows whose endpoint strings change, vanish or move between endpoints equal the full decoder', () => {
    fc.assert(
      fc.property(
        fc.array(edit, { maxLength: 80 }),
        fc.integer({ min: 8192, max: 32768 }),
        fc.integer({ min: 1, max: 64 }),
        fc.oneof(fc.constant(2 ** 31), fc.integer({ min: 1, max: 200 })),
        (edits, chunkBytes, maxLines, maxPoolStrings) => {
          const lines = LINES.map((l) => JSON.parse(l) as Line);
          for (const e of edits) apply(lines, e);
          const text = encoder.encode(`${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
          const t = tally();
          const verdicts = decodeAll(newDecoder({ chunkBytes, maxLines, maxPoolStrings }), text);
          expect(verdicts.length).toBe(LINES.length);
          for (const v of verdicts) checkVerdict(v, t);
          // An edit turns one line into a fallback at most (the check passes over those).
          expect(t.row).toBeGreaterThanOrEqual(ROWS - edits.length);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('the same endpoint alternating between two sets of strings keeps giving each its own references', () => {
    const lines = LINES.map((l) => JSON.parse(l) as Line);
    const id = lines.find((l) => typeof l.endpoint?.id === 'number')?.endpoint?.id as number;
    lines.forEach((l, i) => {
      if (!l.endpoint) return;
      l.endpoint.id = id;
      l.endpoint.imei = i % 2 === 0 ? '350000000000002' : '350000000000003';
      if (i % 3 === 0) delete l.endpoint.name;
    });
    const text = encoder.encode(`${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
    const verdicts = decodeAll(newDecoder({ chunkBytes: 2048 }), text);
    const rows = verdicts.filter((v) => v.status === STATUS_ROW);
    expect(rows.length).toBe(ROWS);
    for (const v of verdicts) checkVerdict(v);
  });
});
