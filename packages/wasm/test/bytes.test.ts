/**
 * Bytes the full decoder sees as text: testkit's malformed records, invalid UTF-8 (which the
 * full decoder's text replaces with U+FFFD, so such a line is never the module's to reject or
 * decode), and raw control characters (invalid inside strings, and outside them except tab
 * and CR).
 */
import { malformedRecord } from '@simfleet/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkLine, encoder, newDecoder, STATUS_FALLBACK, STATUS_INVALID, STATUS_ROW, simulatorLines, tally } from './support.js';

const SIM = simulatorLines(false, 200, 21);
const PDP = SIM.find((l) => l.includes('"pdp_context"')) as string;

/** Byte sequences that are not UTF-8: stray continuation, overlongs, surrogates, beyond U+10FFFF, truncated sequences, bytes never in UTF-8. */
const NOT_UTF8 = [
  [0x80],
  [0xbf],
  [0xc0, 0xaf],
  [0xc1, 0xbf],
  [0xe0, 0x80, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xed, 0xbf, 0xbf],
  [0xf0, 0x80, 0x80, 0xaf],
  [0xf4, 0x90, 0x80, 0x80],
  [0xf5, 0x80, 0x80, 0x80],
  [0xc3],
  [0xe2, 0x82],
  [0xf0, 0x9f, 0x98],
  [0xfe],
  [0xff],
  [0xc3, 0x28],
];
/** UTF-8 that is valid: 2, 3 and 4 bytes, the edges (U+0080, U+07FF, U+0800, U+D7FF, U+E000, U+FFFF, U+10000, U+10FFFF). */
const UTF8 = ['é', '€', '😀', '\u0080', '\u07ff', '\u0800', '\ud7ff', '\ue000', '\uffff', '\u{10000}', '\u{10ffff}'].map((s) => Array.from(encoder.encode(s)));

describe('WasmLineDecoder on malformed records and raw bytes', () => {
  it("testkit's malformed records: the same row, invalid where the full decoder says invalid JSON, or the full decoder", () => {
    const decoder = newDecoder();
    const t = tally();
    fc.assert(
      fc.property(malformedRecord(), (line) => {
        // A malformed record may span lines (a long or broken text): every line is checked.
        for (const piece of line.split('\n')) checkLine(decoder, encoder.encode(piece), t);
      }),
      { numRuns: 1500 },
    );
    expect(t.invalid).toBeGreaterThan(100);
    expect(t.row).toBeGreaterThan(10);
  });

  it('invalid UTF-8 in any string (read or skipped) goes to the full decoder; valid UTF-8 decodes', () => {
    const decoder = newDecoder();
    const bytes = Array.from(encoder.encode(PDP));
    const quotes = bytes.flatMap((b, i) => (b === 0x22 ? [i] : []));
    // Inside every string: right after each opening quote (every other quote opens one).
    const t = tally();
    for (let k = 0; k < quotes.length; k += 2) {
      const at = (quotes[k] as number) + 1;
      for (const bad of NOT_UTF8) {
        const v = checkLine(decoder, Uint8Array.from([...bytes.slice(0, at), ...bad, ...bytes.slice(at)]), t);
        expect(v.status, `${bad} at ${at}`).toBe(STATUS_FALLBACK);
      }
      for (const good of UTF8) checkLine(decoder, Uint8Array.from([...bytes.slice(0, at), ...good, ...bytes.slice(at)]), t);
    }
    // Valid UTF-8 in a key or a skipped string changes nothing: those lines are rows.
    expect(t.row).toBeGreaterThan(quotes.length);
  });

  it('bytes >= 0x80 outside strings are invalid JSON', () => {
    const decoder = newDecoder();
    const bytes = Array.from(encoder.encode(PDP));
    // Commas between values (outside strings: canonical lines have no escaped quotes).
    let quotes = 0;
    const commas = bytes.flatMap((b, i) => {
      if (b === 0x22) quotes++;
      return b === 0x2c && quotes % 2 === 0 ? [i] : [];
    });
    expect(commas.length).toBeGreaterThan(30);
    for (const at of commas) {
      for (const high of [[0xc3, 0xa9], [0x80], [0xff]]) {
        const v = checkLine(decoder, Uint8Array.from([...bytes.slice(0, at), ...high, ...bytes.slice(at)]));
        expect(v.status).toBe(STATUS_INVALID);
      }
    }
  });

  it('raw control characters: invalid inside strings and between tokens, except tab and CR between tokens', () => {
    const decoder = newDecoder();
    const bytes = Array.from(encoder.encode(PDP));
    const quotes = bytes.flatMap((b, i) => (b === 0x22 ? [i] : [])).slice(0, 40);
    // Right after the colons between keys and values (outside strings: canonical lines have no escaped quotes).
    let inString = false;
    const colons = bytes.flatMap((b, i) => {
      if (b === 0x22) inString = !inString;
      return b === 0x3a && !inString ? [i + 1] : [];
    });
    expect(colons.length).toBeGreaterThan(40);
    const t = tally();
    for (let c = 0; c < 0x20; c++) {
      if (c === 0x0a) continue; // a newline ends the line: the chunk tests cover it
      for (let k = 0; k < quotes.length; k += 2) {
        const at = (quotes[k] as number) + 1;
        const v = checkLine(decoder, Uint8Array.from([...bytes.slice(0, at), c, ...bytes.slice(at)]), t);
        expect(v.status, `0x${c.toString(16)} in a string`).toBe(STATUS_INVALID);
      }
      for (const at of colons) {
        const v = checkLine(decoder, Uint8Array.from([...bytes.slice(0, at), c, ...bytes.slice(at)]), t);
        expect(v.status, `0x${c.toString(16)} after a colon`).toBe(c === 0x09 || c === 0x0d ? STATUS_ROW : STATUS_INVALID);
      }
    }
    // DEL (0x7f) is not a control character in JSON: a row (here inside the event's name, a skipped string).
    const at = PDP.indexOf('"name":"') + 8;
    expect(checkLine(decoder, Uint8Array.from([...bytes.slice(0, at), 0x7f, ...bytes.slice(at)])).status).toBe(STATUS_ROW);
  });

  it('an escape, a byte >= 0x80 or a control byte at every offset of a 64-byte block, in a skipped and in a read string', () => {
    const decoder = newDecoder();
    const t = tally();
    const body = PDP.slice(1);
    const nameAt = PDP.indexOf('"name":"') + 8;
    // What goes into the string, and the verdict in a skipped string (a read one: escapes and bytes >= 0x80 go to the full decoder or decode).
    const specials: [number[], number][] = [
      [[0x5c, 0x6e], STATUS_ROW],
      [[0x5c, 0x75, 0x30, 0x30, 0x65, 0x39], STATUS_ROW],
      [[0x5c, 0x5c], STATUS_ROW],
      [[0x5c, 0x22], STATUS_ROW],
      [[0x5c, 0x71], STATUS_INVALID],
      [[0x5c, 0x75, 0x30, 0x67], STATUS_INVALID],
      [[0xc3, 0xa9], STATUS_ROW],
      [[0xf0, 0x9f, 0x98, 0x80], STATUS_ROW],
      [[0xff], STATUS_FALLBACK],
      [[0xe2, 0x82], STATUS_FALLBACK],
      [[0x01], STATUS_INVALID],
      [[0x1f], STATUS_INVALID],
    ];
    for (let offset = 0; offset < 64; offset++) {
      for (const [special, skipped] of specials) {
        // Skipped: the special byte `offset` bytes into the line's second 64-byte block.
        const head = encoder.encode(`{"zz":"${'a'.repeat(64 + offset - 7)}`);
        const skippedLine = Uint8Array.from([...head, ...special, ...encoder.encode(`${'b'.repeat(70)}",${body}`)]);
        expect(checkLine(decoder, skippedLine, t).status, `${special} at ${offset}, skipped`).toBe(skipped);
        // Read (the endpoint's name): the special byte `offset` bytes into a block after the name's quote.
        const pad = (offset - (nameAt % 64) + 64) % 64;
        const read = Array.from(encoder.encode(PDP));
        checkLine(decoder, Uint8Array.from([...read.slice(0, nameAt), ...Array(pad).fill(0x61), ...special, ...read.slice(nameAt)]), t);
      }
    }
    expect(t.row).toBeGreaterThan(64 * 6);
    expect(t.invalid).toBeGreaterThan(64 * 4);
    expect(t.fallback).toBeGreaterThan(64 * 2);
  });

  it('duplicate keys: a read key twice goes to the full decoder, an unread key twice stays a row', () => {
    const decoder = newDecoder();
    for (const key of ['id', 'timestamp', 'event_type', 'endpoint', 'sim', 'detail']) {
      const v = checkLine(decoder, encoder.encode(`${PDP.slice(0, -1)},"${key}":null}`));
      expect(v.status, key).toBe(STATUS_FALLBACK);
    }
    for (const key of ['zz', 'tags', 'alert_x']) {
      const v = checkLine(decoder, encoder.encode(`${PDP.slice(0, -1)},"${key}":1,"${key}":2}`));
      expect(v.status, key).toBe(STATUS_ROW);
    }
    // In a read object too.
    expect(checkLine(decoder, encoder.encode(PDP.replace('"endpoint":{', '"endpoint":{"imei":"1",'))).status).toBe(STATUS_FALLBACK);
  });
});
