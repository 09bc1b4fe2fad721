/**
 * The walk keeps the objects a log repeats byte for byte (event types, sources, severities,
 * organisations, operator details, countries) with what walking them wrote, and gives an
 * object equal to a kept one those writes without walking it. Kept objects change the speed
 * only: a line decoded after lines that filled them gets the verdict a fresh decoder (nothing
 * kept) gives it, and that verdict is the full decoder's — for objects one byte off a kept
 * one, kept objects moved into other lines, and kept objects holding bytes >= 0x80.
 */
import { eventTypeByKey } from '@simfleet/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkVerdict, decodeAll, encoder, type LineVerdict, newDecoder, seedLines, simulatorLines, type Tally, tally } from './support.js';

const SIM = simulatorLines(false, 300, 21);
const MESSY = simulatorLines(true, 300, 22);
const ALL = [...SIM, ...MESSY, ...seedLines()];

/** Keys whose objects the walk keeps (country inside detail). */
const KEPT = ['event_type', 'event_source', 'event_severity', 'organisation', 'detail', 'country'] as const;

/** [start, end) of the object under `"key":` in the line's bytes (its `{` to its `}`), or undefined. */
function objectSpan(bytes: readonly number[], key: string): [number, number] | undefined {
  const needle = Array.from(encoder.encode(`"${key}":`));
  let at = -1;
  for (let i = 0; i + needle.length <= bytes.length && at < 0; i++) if (needle.every((b, k) => bytes[i + k] === b)) at = i + needle.length;
  if (at < 0 || bytes[at] !== 0x7b) return undefined;
  let depth = 0;
  let inString = false;
  for (let j = at; j < bytes.length; j++) {
    const c = bytes[j] as number;
    if (inString) {
      if (c === 0x5c) j++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      depth--;
      if (depth === 0) return [at, j + 1];
    }
  }
  return undefined;
}

/** A small decoder (one line at a time needs no more): a fresh one per line is cheap. */
const freshDecoder = (): ReturnType<typeof newDecoder> => newDecoder({ chunkBytes: 1 << 14, maxLines: 16, maxPoolStrings: 64 });
const withNewline = (bytes: readonly number[]): Uint8Array => Uint8Array.from([...bytes, 0x0a]);
const verdictOf = (v: LineVerdict): { status: number; row: unknown[] | undefined } => ({ status: v.status, row: v.row });

/**
 * Decodes `before` (which fills the kept objects) and then `line` with one decoder, and `line`
 * with a fresh one: the verdicts must be equal, and the full decoder's.
 */
function checkAfter(decoder: ReturnType<typeof newDecoder>, before: readonly number[], line: readonly number[], t: Tally): void {
  decodeAll(decoder, withNewline(before));
  const after = decodeAll(decoder, withNewline(line));
  const fresh = decodeAll(freshDecoder(), withNewline(line));
  expect(after.map(verdictOf), Buffer.from(Uint8Array.from(line)).toString('latin1')).toEqual(fresh.map(verdictOf));
  for (const v of after) checkVerdict(v, t);
}

describe('WasmLineDecoder on objects it has kept', () => {
  it('a line decoded twice gets the same row both times, the full decoder’s', () => {
    const decoder = newDecoder();
    const t = tally();
    for (const line of SIM.slice(0, 100)) {
      const bytes = Array.from(encoder.encode(line));
      checkAfter(decoder, bytes, bytes, t);
    }
    expect(t.row).toBe(100);
  });

  it('a kept object one byte off (replaced, inserted, deleted; anywhere in it): the verdict of a fresh decoder, the full decoder’s', () => {
    const decoder = newDecoder();
    const t = tally();
    const INTERESTING = [...'"{}[],:\\0123456789 -.eE+tfnu'].map((c) => c.charCodeAt(0)).concat([0x00, 0x09, 0x7f, 0x80, 0xc3, 0xa9, 0xff]);
    const byteArb = fc.oneof(fc.constantFrom(...INTERESTING), fc.integer({ min: 0x20, max: 0x7e }));
    let edited = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...ALL),
        fc.constantFrom(...KEPT),
        fc.nat(),
        fc.constantFrom('replace', 'insert', 'delete'),
        byteArb,
        (line, key, at, kind, byte) => {
          const bytes = Array.from(encoder.encode(line));
          const span = objectSpan(bytes, key);
          if (span === undefined) return;
          const i = span[0] + (at % (span[1] - span[0]));
          const out = [...bytes];
          if (kind === 'replace') out[i] = byte;
          else if (kind === 'insert') out.splice(i, 0, byte);
          else out.splice(i, 1);
          edited++;
          checkAfter(decoder, bytes, out, t);
        },
      ),
      { numRuns: 1500 },
    );
    // Not vacuous: most lines hold these objects, and both rows and rejections come out.
    expect(edited).toBeGreaterThan(1000);
    expect(t.row).toBeGreaterThan(200);
    expect(t.invalid).toBeGreaterThan(200);
  });

  it('kept objects moved into other lines (and trailing bytes after them changed): the verdict of a fresh decoder, the full decoder’s', () => {
    const decoder = newDecoder();
    const t = tally();
    fc.assert(
      fc.property(fc.constantFrom(...ALL), fc.constantFrom(...ALL), fc.constantFrom(...KEPT), (from, into, key) => {
        const a = Array.from(encoder.encode(from));
        const b = Array.from(encoder.encode(into));
        const sa = objectSpan(a, key);
        const sb = objectSpan(b, key);
        if (sa === undefined || sb === undefined) return;
        const moved = [...b.slice(0, sb[0]), ...a.slice(sa[0], sa[1]), ...b.slice(sb[1])];
        checkAfter(decoder, a, moved, t);
        // The kept bytes then a byte that ends the value differently: the object's own bytes decide, not what follows.
        checkAfter(decoder, a, [...b.slice(0, sb[0]), ...a.slice(sa[0], sa[1]), 0x7d, ...b.slice(sb[1])], t);
      }),
      { numRuns: 800 },
    );
    expect(t.row).toBeGreaterThan(400);
    expect(t.invalid).toBeGreaterThan(100);
  });

  it('kept objects with bytes >= 0x80 (valid and invalid UTF-8, escapes) in read and skipped strings: every line checked as the first time', () => {
    const line = SIM.find((l) => l.includes('"country":{')) as string;
    const names = ['Caf\u00e9', '\u20ac', 'a\\u00e9b', 'x\\"y'];
    const t = tally();
    for (const key of KEPT) {
      for (const name of names) {
        // A name put into the object's first string value.
        const bytes = Array.from(encoder.encode(line));
        const span = objectSpan(bytes, key) as [number, number];
        const text = Buffer.from(Uint8Array.from(bytes.slice(span[0], span[1]))).toString('utf8');
        const changed = text.replace(/:"([^"\\]*)"/, `:"${name}"`);
        const good = [...bytes.slice(0, span[0]), ...encoder.encode(changed), ...bytes.slice(span[1])];
        const badText = Array.from(encoder.encode(changed.replace(/:"([^"\\]*)"/, ':"$1\u0000"')));
        const bad = [...bytes.slice(0, span[0]), ...badText.map((b) => (b === 0 ? 0xff : b)), ...bytes.slice(span[1])];
        const decoder = newDecoder();
        for (const l of [good, good, bad, bad, good, bytes, good]) checkAfter(decoder, l, l, t);
      }
    }
    expect(t.row).toBeGreaterThan(0);
    expect(t.fallback).toBeGreaterThan(0);
  });

  it('kept event types whose description has an escape or a byte >= 0x80 (which the deletion rule must see): every line checked as the first time', () => {
    const line = SIM.find((l) => l.includes('"country":{')) as string;
    const bytes = Array.from(encoder.encode(line));
    const span = objectSpan(bytes, 'event_type') as [number, number];
    const t = tally();
    for (const key of ['updatePdpContext', 'createPdpContext', 'purgeLocation'] as const) {
      const id = eventTypeByKey(key).id;
      for (const description of ['Delete PDP Context', 'D\\u0065lete PDP Context', 'Delete PDP Context \u00e9', '\u00e9 deleted', 'x\\"y', 'Update']) {
        const type = Array.from(encoder.encode(`{"id":${id},"description":"${description}"}`));
        const l = [...bytes.slice(0, span[0]), ...type, ...bytes.slice(span[1])];
        const decoder = newDecoder();
        for (let i = 0; i < 3; i++) checkAfter(decoder, l, l, t);
      }
    }
    expect(t.row).toBeGreaterThan(0);
    expect(t.fallback).toBeGreaterThan(0);
  });

  it('kept short operator details with a PDP context (APN, RAT type, codes read there): every line checked as the first time', () => {
    const line = SIM.find((l) => l.includes('"country":{')) as string;
    const bytes = Array.from(encoder.encode(line));
    const typeSpan = objectSpan(bytes, 'event_type') as [number, number];
    const type = Array.from(encoder.encode(`{"id":${eventTypeByKey('createPdpContext').id},"description":"Create PDP Context"}`));
    const withType = [...bytes.slice(0, typeSpan[0]), ...type, ...bytes.slice(typeSpan[1])];
    const span = objectSpan(withType, 'detail') as [number, number];
    const details = [
      '{"name":"O2","pdp_context":{"apn":"em","rat_type":6,"mcc":"262","mnc":"07"}}',
      '{"name":"O2","pdp_context":{"apn":"em","rat_type":1,"mcc":"262","mnc":"07"}}',
      '{"name":"O2","pdp_context":{"apn":"iot","mcc":"262","mnc":"07"}}',
      '{"name":"O2","country":{"mcc":"234","iso_code":"gb"},"mnc":"10","pdp_context":{"apn":"em","rat_type":6}}',
      '{"name":"O2","pdp_context":null}',
      '{"name":"O2"}',
    ];
    const t = tally();
    const decoder = newDecoder();
    for (let round = 0; round < 3; round++) {
      for (const detail of details) {
        const l = [...withType.slice(0, span[0]), ...encoder.encode(detail), ...withType.slice(span[1])];
        checkAfter(decoder, l, l, t);
      }
    }
    expect(t.row).toBe(3 * details.length);
  });
});
