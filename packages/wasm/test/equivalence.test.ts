/**
 * The WASM decoder's proof, line by line: a row equals the full decoder's row (column by
 * column, strings through the pool), a line reported invalid is one the full decoder rejects
 * as invalid JSON, a blank is blank; everything else is sent to the full decoder.
 */
import { eventTypeByKey } from '@simfleet/core';
import fc from 'fast-check';
import { parse as parseLossless, stringify as stringifyLossless } from 'lossless-json';
import { describe, expect, it } from 'vitest';
import { checkLine, encoder, newDecoder, seedLines, simulatorLines, tally } from './support.js';

const SIM = simulatorLines(false, 300, 11);
const MESSY = simulatorLines(true, 600, 12);
const SEEDS = seedLines();
const ALL = [...SIM, ...MESSY, ...SEEDS];

describe('WasmLineDecoder equals the full decoder', () => {
  it('decodes canonical simulator lines into rows, identical to the full decoder', () => {
    const decoder = newDecoder();
    const t = tally();
    for (const line of SIM) checkLine(decoder, encoder.encode(line), t);
    // Canonical lines are the reason the module exists: none may need the full decoder.
    expect(t.row).toBe(SIM.length);
  });

  it('on messy simulator lines and seed examples: the same row, invalid where the full decoder says so, or the full decoder; mostly rows', () => {
    const decoder = newDecoder();
    const t = tally();
    for (const line of [...MESSY, ...SEEDS]) checkLine(decoder, encoder.encode(line), t);
    expect(t.row).toBeGreaterThan(t.fallback + t.invalid);
  });

  it('never writes a different row for mutated lines (byte edits, whitespace, escapes, truncation)', () => {
    const decoder = newDecoder();
    const t = tally();
    const INTERESTING = [...'"{}[],:\\0123456789 -.eE+tfn\t\r/uxZT'].map((c) => c.charCodeAt(0)).concat([0x00, 0x0b, 0x7f, 0x80, 0xc3, 0xa9, 0xe2, 0xff]);
    const byteArb = fc.oneof(fc.constantFrom(...INTERESTING), fc.integer({ min: 0, max: 255 }));
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), byte: byteArb }),
      fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), byte: byteArb }),
      fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), byte: fc.constant(0) }),
      fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), byte: fc.constantFrom(0x20, 0x09, 0x0d) }),
      fc.record({ kind: fc.constant('escape' as const), at: fc.nat(), byte: fc.constant(0) }),
      fc.record({ kind: fc.constant('quoteNumber' as const), at: fc.nat(), byte: fc.constant(0) }),
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(), byte: fc.constant(0) }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...ALL), fc.array(mutation, { minLength: 1, maxLength: 4 }), (line, edits) => {
        let bytes = Array.from(encoder.encode(line));
        for (const m of edits) bytes = applyEdit(bytes, m.kind, m.at, m.byte);
        checkLine(decoder, Uint8Array.from(bytes), t);
      }),
      { numRuns: 3000 },
    );
    // Not vacuous: many mutated lines stay rows, and many broken ones are reported invalid.
    expect(t.row).toBeGreaterThan(300);
    expect(t.invalid).toBeGreaterThan(300);
  });

  it('never writes a different row for structural variants (key order, duplicated keys, nulls, numbers)', () => {
    const decoder = newDecoder();
    const t = tally();
    const variants = fc.constantFrom('shuffle', 'duplicateKey', 'nullField', 'stringNumber', 'bigId', 'tooBigId', 'protoKey', 'unknownType', 'offsetTimestamp');
    fc.assert(
      fc.property(fc.constantFrom(...ALL), variants, fc.nat(), (line, variant, n) => {
        let value: unknown;
        try {
          value = parseLossless(line);
        } catch {
          return;
        }
        if (!isObject(value)) return;
        checkLine(decoder, encoder.encode(structuralVariant(value, variant, n)), t);
      }),
      { numRuns: 1500 },
    );
    expect(t.row).toBeGreaterThan(100);
  });

  it('reads the cases the reducer depends on: ids to 2^64 − 1, flags from descriptions, operators, blanks', () => {
    const decoder = newDecoder();
    const base = JSON.parse(SIM.find((l) => l.includes('"pdp_context"') && l.includes('"event_type":{"id":3')) ?? 'null') as Record<string, unknown>;
    expect(base).not.toBeNull();
    const lines = [
      JSON.stringify(base).replace(/"id":\d+,"event_type"/, '"id":18446744073709551615,"event_type"'),
      JSON.stringify({ ...base, description: '  pdp CONTEXT request rejected, because endpoint has no quota.' }),
      JSON.stringify({ ...base, description: 'PDP Context Request rejected, for no reason we know' }),
      JSON.stringify({ ...base, event_type: { id: eventTypeByKey('updatePdpContext').id, description: 'Delete PDP Context' } }),
      JSON.stringify({ ...base, event_type: { id: eventTypeByKey('updatePdpContext').id }, description: 'updated' }),
      JSON.stringify({ ...base, event_type: { id: eventTypeByKey('updatePdpContext').id }, description: 'context DELETED' }),
      JSON.stringify({ ...base, event_type: { id: eventTypeByKey('generic').id }, description: 'Disconnecting data access for IMSI' }),
      JSON.stringify({ ...base, event_type: { id: eventTypeByKey('generic').id }, description: 'something else' }),
      JSON.stringify({ ...base, detail: { name: null } }),
      JSON.stringify({ ...base, detail: { name: '' } }),
      JSON.stringify({ ...base, detail: { mnc: [{ mnc: 7 }], pdp_context: { mcc: 262, apn: 'x', rat_type: null } } }),
      JSON.stringify({ ...base, detail: { name: 'Télé', country: { mcc: '208', iso_code: 'fr' }, mnc: '01', pdp_context: { apn: 'ünï', rat_type: 6 } } }),
      JSON.stringify({ ...base, endpoint: null, sim: null, imsi: null, user: null, organisation: null }),
      JSON.stringify({ ...base, endpoint: { id: 7, imei: 350006259704801, ip_address: '' }, sim: { iccid: 0 } }).replace(
        '"iccid":0',
        '"iccid":8988303245000098309',
      ),
      ' \t\r',
      '\u000b\u000c',
    ];
    const t = tally();
    const verdicts = lines.map((line) => checkLine(decoder, encoder.encode(line), t));
    expect(t.fallback + t.invalid).toBe(0);
    expect(t.blank).toBe(2);
    expect((verdicts[0]?.row ?? [])[1]).toBe(0xffffffff);
    expect((verdicts[0]?.row ?? [])[2]).toBe(0xffffffff);
  });
});

/** Values put under an unread key: valid and invalid numbers, strings, escapes, nesting. */
const deep = (n: number, open: string, close: string): string => open.repeat(n) + close.repeat(n);
const INJECTED = [
  ...['-', '01', '1.', '1e', '-0', '1e+', '.5', '+1', '1E5', '-01', '0.5e-3', '-', '00', '1.e3', '2e', 'NaN', '1_0'],
  ...['tru', 'nul', 'falsey', 'truex', 'null'],
  ...['"\\x"', '"\\u12G4"', '"\\u12"', '"\\"', '"a\\\\"', '"a\\""', '"\\u0041"', '"\\/"', '"é"', '"\u00ff\u0080"', '"a\tb"', '""'],
  ...['[1,]', '[,1]', '{"a":1,}', '{"a"}', '{"a":}', '{:1}', '[1 2]', '{"a":1 "b":2}', '[]', '{}', '[[]]', '{"a":[{"b":{}}]}'],
  ...[10, 61, 62, 63, 64, 65, 66].flatMap((n) => [deep(n, '[', ']'), deep(n, '{"a":', '}').replace(/\{"a":\}/g, '{}')]),
  deep(63, '[', ']').replace('[]', '["x\\n",-0.5e+2,{"k":null}]'),
];
const nestedObjects = (n: number): string => `${'{"a":'.repeat(n - 1)}{}${'}'.repeat(n - 1)}`;

describe('WasmLineDecoder on what it skips and the white space between tokens', () => {
  it('white space at every position of canonical lines: the same row, invalid, or the full decoder; rows between tokens', () => {
    const decoder = newDecoder();
    const lines = SIM.filter((l) => l.includes('"pdp_context"'))
      .slice(0, 2)
      .concat(SIM.slice(0, 1));
    expect(lines.length).toBe(3);
    for (const [k, line] of lines.entries()) {
      const bytes = encoder.encode(line);
      const t = tally();
      const ws = [0x20, 0x09, 0x0d][k % 3] as number;
      for (let i = 0; i <= bytes.length; i++) {
        const edited = new Uint8Array(bytes.length + 2);
        edited.set(bytes.subarray(0, i), 0);
        edited[i] = ws;
        edited[i + 1] = 0x20;
        edited.set(bytes.subarray(i), i + 2);
        checkLine(decoder, edited, t);
      }
      const structural = (b: number | undefined): boolean => b !== undefined && '{}[],:"'.includes(String.fromCharCode(b));
      let between = 0;
      let quotes = 0;
      for (let i = 0; i <= bytes.length; i++) {
        if (quotes % 2 === 0 && (i === 0 || i === bytes.length || structural(bytes[i - 1]) || structural(bytes[i]))) between++;
        if (bytes[i] === 0x22) quotes++;
      }
      expect(between).toBeGreaterThan(100);
      expect(t.row, line).toBeGreaterThanOrEqual(between);
    }
  });

  it('values under unread keys (bad numbers, escapes, bytes >= 0x80, deep nesting, truncation): the same row, invalid, or the full decoder', () => {
    const decoder = newDecoder();
    const t = tally();
    fc.assert(
      fc.property(fc.constantFrom(...SIM, ...MESSY), fc.constantFrom(...INJECTED), fc.nat(), fc.nat(), (line, value, at, cut) => {
        const opens = [...line.matchAll(/\{"/g)].map((m) => m.index ?? 0);
        const i = (opens[at % opens.length] as number) + 1;
        const text = `${line.slice(0, i)}"zz":${value},${line.slice(i)}`;
        checkLine(decoder, encoder.encode(text), t);
        const cutAt = i + 5 + (cut % (value.length + 1));
        checkLine(decoder, encoder.encode(text.slice(0, cutAt)), t);
      }),
      { numRuns: 2500 },
    );
    expect(t.row).toBeGreaterThan(500);
    expect(t.invalid).toBeGreaterThan(500);
  });

  it('nesting: skipped values to depth 64 are rows, deeper ones go to the full decoder, in the record and in read objects', () => {
    const decoder = newDecoder();
    const line = SIM.find((l) => l.includes('"detail":{')) as string;
    expect(line).toBeDefined();
    for (const depth of [2, 10, 62, 63, 64, 65, 66, 80]) {
      for (const value of [nestedObjects(depth - 1), deep(depth - 1, '[', ']')]) {
        for (const [text, reached] of [
          [`{"zz":${value},${line.slice(1)}`, depth],
          [line.replace('"detail":{', `"detail":{"zz":${value},`), depth + 1],
        ] as const) {
          const t = tally();
          checkLine(decoder, encoder.encode(text), t);
          expect(t.row, `${reached}`).toBe(reached <= 64 ? 1 : 0);
        }
      }
    }
  });

  it('escapes and non-ASCII at every position of the strings of a canonical line: the same row, invalid, or the full decoder', () => {
    const decoder = newDecoder();
    const line = SIM.find((l) => l.includes('"pdp_context"')) as string;
    const bytes = Array.from(encoder.encode(line));
    const quotes = bytes.flatMap((b, i) => (b === 0x22 ? [i] : []));
    const t = tally();
    const pieces = ['\\"', '\\\\', '\\u0041', '\\', '\\u00', 'é', '\u20ac', '\u0001'].map((s) => Array.from(encoder.encode(s)));
    for (const q of quotes) {
      for (const piece of pieces) {
        for (const at of [q, q + 1]) checkLine(decoder, Uint8Array.from([...bytes.slice(0, at), ...piece, ...bytes.slice(at)]), t);
      }
    }
    for (const q of quotes) checkLine(decoder, Uint8Array.from([...bytes.slice(0, q), 0xff, 0x80, ...bytes.slice(q)]), t);
    expect(t.row).toBeGreaterThan(quotes.length);
    expect(t.invalid).toBeGreaterThan(quotes.length);
  });
});

describe('WasmLineDecoder on keys that differ a little from the ones it keeps per position', () => {
  it('every key of trained lines edited (shortened, lengthened, escaped, non-ASCII, spaced, a quote or colon moved): the same row, invalid, or the full decoder', () => {
    // The decoder keeps the key it saw at each position of each object kind: train it on
    // canonical lines, then give it keys that a 16-byte compare must not take for the kept ones.
    const decoder = newDecoder();
    for (const line of SIM.slice(0, 20)) checkLine(decoder, encoder.encode(line), tally());
    const edits: ((key: string) => string)[] = [
      (k) => k.slice(0, -1),
      (k) => `${k}x`,
      (k) => `${k.slice(0, -1)}${k.slice(-1).toUpperCase()}`,
      (k) => `\\u00${k.charCodeAt(0).toString(16)}${k.slice(1)}`,
      (k) => `${k.slice(0, 1)}\\${k.slice(1)}`,
      (k) => `${k}\u00e9`,
      (k) => `\u00e9${k.slice(1)}`,
      (k) => `${k}" `,
      (k) => `${k}"\t`,
      (k) => `${k}\u0001`,
      (k) => `${k}${k}`,
      () => '',
      (k) => `${k}":1,"${k}`,
      (k) => `${k.slice(0, 1)}"${k.slice(1)}`,
      (k) => `${k}"`,
    ];
    const t = tally();
    fc.assert(
      fc.property(fc.constantFrom(...SIM), fc.nat(), fc.constantFrom(...edits.keys()), (line, at, e) => {
        const keys = [...line.matchAll(/"([a-z_]+)":/g)];
        const m = keys[at % keys.length] as RegExpMatchArray;
        const i = (m.index ?? 0) + 1;
        const key = m[1] as string;
        const edited = (edits[e] as (k: string) => string)(key);
        // An edit that ends in `"` or `" ` closes the key itself: the original quote then follows.
        checkLine(decoder, encoder.encode(`${line.slice(0, i)}${edited}${line.slice(i + key.length)}`), t);
      }),
      { numRuns: 4000 },
    );
    expect(t.row).toBeGreaterThan(500);
    expect(t.invalid + t.fallback).toBeGreaterThan(500);
  });
});

describe('WasmLineDecoder event ids', () => {
  it('ids of every length from 1 to 21 digits: exact hi/lo when at most 2^64 − 1, else the full decoder', () => {
    const decoder = newDecoder();
    const line = SIM[0] as string;
    expect(line).toMatch(/"id":\d+,"event_type"/);
    const ids = [];
    for (let k = 1; k <= 21; k++)
      ids.push(
        '9'.repeat(k),
        '1234567890123456789012'.slice(0, k),
        `1${'0'.repeat(k - 1)}`,
        `${'4294967295'.slice(0, Math.min(k, 10))}${'7'.repeat(Math.max(0, k - 10))}`,
      );
    ids.push(
      '18446744073709551615',
      '18446744073709551616',
      '18446744073709551619',
      '99999999999999999999',
      '4294967296',
      '4294967295',
      '9007199254740993',
      '0',
    );
    for (const id of ids) {
      const t = tally();
      checkLine(decoder, encoder.encode(line.replace(/"id":\d+,"event_type"/, `"id":${id},"event_type"`)), t);
      expect(t.row, id).toBe(BigInt(id) < 2n ** 64n ? 1 : 0);
    }
  });
});

describe('WasmLineDecoder integers in read fields', () => {
  it('digits of every length 1 to 18 (leading zeros, a fraction, an exponent after them) in the endpoint, organisation and sim ids: the same row, invalid, or the full decoder; rows up to 15 digits', () => {
    const decoder = newDecoder();
    const line = SIM.find((l) => /"endpoint":\{"id":\d+,/.test(l) && /"organisation":\{"id":\d+,/.test(l) && /"sim":\{[^}]*"id":\d+[,}]/.test(l)) as string;
    expect(line).toBeDefined();
    const fields = [/("endpoint":\{"id":)\d+/, /("organisation":\{"id":)\d+/, /("sim":\{[^}]*?"id":)\d+/];
    for (const field of fields) {
      for (let k = 1; k <= 18; k++) {
        const digits = '918273645091827364'.slice(0, k);
        for (const [text, row] of [
          [digits, true],
          [`0${digits}`, false],
          [`${digits}.5`, false],
          [`${digits}e1`, false],
          [`${digits}E+1`, false],
          [`${digits}.`, false],
          [`-${digits}`, false],
        ] as const) {
          const t = tally();
          checkLine(decoder, encoder.encode(line.replace(field, `$1${text}`)), t);
          expect(t.row, `${field} ${text}`).toBe(row && k <= 15 ? 1 : 0);
        }
      }
      const t = tally();
      for (const text of ['0', '0.0', '00', '0e0', '-0']) checkLine(decoder, encoder.encode(line.replace(field, `$1${text}`)), t);
      expect(t.row).toBe(1);
    }
  });
});

describe('WasmLineDecoder strings of every length across its 16- and 32-byte loads', () => {
  it('read and skipped strings of 0 to 40 bytes with an escape, a byte >= 0x80 or a control byte at every position: the same row, invalid, or the full decoder', () => {
    const decoder = newDecoder();
    const line = SIM.find((l) => /"name":"[^"]*","tags"/.test(l) && /"production_date":"[^"]*"/.test(l)) as string;
    expect(line).toBeDefined();
    const fields = [/("endpoint":\{[^}]*?"name":")[^"]*/, /("production_date":")[^"]*/, /("iccid":")[^"]*/];
    const specials = ['\\n', '\\u00e9', '\u00e9', '\u0001', '\\"', '\\'];
    const t = tally();
    for (const field of fields) {
      for (let n = 0; n <= 40; n++) {
        const plain = 'abcdefghij0123456789ABCDEFGHIJklmnopqrstuvwxyz'.slice(0, n);
        checkLine(decoder, encoder.encode(line.replace(field, `$1${plain}`)), t);
        for (let i = 0; i <= n; i++) {
          for (const sp of specials) checkLine(decoder, encoder.encode(line.replace(field, `$1${plain.slice(0, i)}${sp}${plain.slice(i)}`)), t);
        }
      }
    }
    expect(t.row).toBeGreaterThan(3 * 41);
    expect(t.invalid).toBeGreaterThan(40);
  });
});

describe('WasmLineDecoder timestamps', () => {
  it('every byte of a timestamp replaced (digits, marks, letters, bytes >= 0x80) and calendar edges: the same row, invalid, or the full decoder; rows where the full decoder has one', () => {
    const decoder = newDecoder();
    const line = SIM[0] as string;
    const m = /"timestamp":"([^"]*)"/.exec(line) as RegExpExecArray;
    expect(m).not.toBeNull();
    const at = m.index + '"timestamp":"'.length;
    const ts = m[1] as string;
    const t = tally();
    const bytes = Array.from(encoder.encode(line));
    for (let i = 0; i < ts.length; i++) {
      for (const b of [...'0159-:T Z+./a'].map((c) => c.charCodeAt(0)).concat([0x80, 0x00])) {
        const edited = bytes.slice();
        edited[at + i] = b;
        checkLine(decoder, Uint8Array.from(edited), t);
      }
    }
    const forms = [
      '2020-02-29T23:59:59Z',
      '2021-02-29T00:00:00Z',
      '2000-02-29 12:00:00.123+00:00',
      '1900-02-29T00:00:00Z',
      '2021-04-31T00:00:00Z',
      '2021-12-31T24:00:00Z',
      '2021-12-31T23:60:00Z',
      '2021-12-31T23:59:60Z',
      '0999-01-01T00:00:00Z',
      '2021-00-10T00:00:00Z',
      '2021-13-10T00:00:00Z',
      '2021-01-00T00:00:00+0000',
      '2021-01-01T00:00:00.1234Z',
      '2021-01-01T00:00',
    ];
    const rows = tally();
    for (const form of forms) checkLine(decoder, encoder.encode(`${line.slice(0, at)}${form}${line.slice(at + ts.length)}`), rows);
    expect(rows.row).toBeGreaterThanOrEqual(2);
    expect(t.row).toBeGreaterThan(ts.length);
  });
});

function applyEdit(bytes: number[], kind: string, at: number, byte: number): number[] {
  if (bytes.length === 0) return bytes;
  const i = at % bytes.length;
  const out = [...bytes];
  switch (kind) {
    case 'replace':
      out[i] = byte;
      return out;
    case 'insert':
      out.splice(i, 0, byte);
      return out;
    case 'delete':
      out.splice(i, 1);
      return out;
    case 'truncate':
      return out.slice(0, i);
    case 'escape': {
      for (let j = i; j < out.length; j++) {
        const c = out[j] as number;
        if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39)) {
          out.splice(j, 1, ...Array.from(encoder.encode(`\\u00${c.toString(16)}`)));
          return out;
        }
      }
      return out;
    }
    case 'quoteNumber': {
      for (let j = i; j < out.length - 1; j++) {
        const next = out[j + 1] as number;
        if (out[j] === 0x3a && ((next >= 0x30 && next <= 0x39) || next === 0x2d)) {
          let k = j + 1;
          while (k < out.length && /[-0-9.eE+]/.test(String.fromCharCode(out[k] as number))) k++;
          out.splice(k, 0, 0x22);
          out.splice(j + 1, 0, 0x22);
          return out;
        }
      }
      return out;
    }
    default:
      return out;
  }
}

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function shuffleKeys(v: unknown, n: number): unknown {
  if (Array.isArray(v)) return v.map((x) => shuffleKeys(x, n));
  if (!isObject(v) || v.constructor !== Object) return v;
  const keys = Object.keys(v);
  const out: Obj = {};
  for (let i = 0; i < keys.length; i++) {
    const key = keys[(i + n) % keys.length] as string;
    out[key] = shuffleKeys(v[key], n + 1);
  }
  return out;
}

function structuralVariant(value: Obj, variant: string, n: number): string {
  const text = (v: unknown): string => stringifyLossless(v) ?? '';
  const keys = Object.keys(value);
  const key = keys[n % Math.max(1, keys.length)] ?? 'id';
  switch (variant) {
    case 'shuffle':
      return text(shuffleKeys(value, n));
    case 'duplicateKey': {
      const other = value[keys[(n + 1) % keys.length] as string];
      return `${text(value).slice(0, -1)},${JSON.stringify(key)}:${text(other) || 'null'}}`;
    }
    case 'nullField':
      return text({ ...value, [key]: null });
    case 'stringNumber': {
      const nested = value[key];
      if (isObject(nested) && 'id' in nested) return text({ ...value, [key]: { ...nested, id: String((nested as { id: unknown }).id) } });
      return text({ ...value, id: String((value as { id?: unknown }).id) });
    }
    case 'bigId':
      return text(value).replace(/"id":\d+/, `"id":${(2n ** 53n + BigInt(n)).toString()}`);
    case 'tooBigId':
      return text(value).replace(/"id":\d+/, `"id":${(2n ** 64n + BigInt(n)).toString()}`);
    case 'protoKey':
      return `{"__proto__":{"id":${n}},${text(value).slice(1)}`;
    case 'unknownType':
      return text({ ...value, event_type: { id: 1000 + (n % 50) } });
    case 'offsetTimestamp':
      return text({
        ...value,
        timestamp: [
          '2021-10-27T08:38:02+02:00',
          '2021-10-27T08:38:02.5Z',
          '2021-10-27 08:38:02',
          '2021-02-29T00:00:00Z',
          '2021-10-27T08:38:02+0000',
          '2021-10-27T08:38:02.123+00:00',
        ][n % 6],
      });
    default:
      return text(value);
  }
}
