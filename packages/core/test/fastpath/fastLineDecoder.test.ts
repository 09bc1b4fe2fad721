/**
 * The fast path's proof: on every line it either falls back or writes exactly the row
 * the full decoder (decodeEventText + classifyEvent + EventColumns.push) writes.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parse as parseLossless, stringify as stringifyLossless } from 'lossless-json';
import { describe, expect, it } from 'vitest';
import { eventTypeByKey } from '../../src/catalog/eventTypes.js';
import { classifyEvent } from '../../src/decode/classifyEvent.js';
import { decodeEventText } from '../../src/decode/decodeEventText.js';
import { parseTimestamp } from '../../src/decode/timestamp.js';
import { FAST_BLANK, FAST_FALLBACK, FastLineDecoder } from '../../src/fastpath/FastLineDecoder.js';
import { timestampBytes } from '../../src/fastpath/timestampBytes.js';
import { EventColumns } from '../../src/reducer/EventColumns.js';
import { POOL_COLUMNS, ROW_COLUMNS } from '../../src/reducer/rowColumns.js';
import { StringPool } from '../../src/reducer/StringPool.js';
import { seedExamples } from '../decode/support.js';

const encoder = new TextEncoder();

/** Lines the testkit's simulator wrote (test/fixtures; the testkit's tests check they are what it writes today). */
function simulatorLines(name: string): string[] {
  return readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => l !== '');
}

/** The documentation's example records, one NDJSON line each (test/fixtures/seed-events.ndjson). */
function seedLines(): string[] {
  return seedExamples().map((e) => e.text);
}

const SIM = simulatorLines('simulator-canonical.ndjson');
const MESSY = simulatorLines('simulator-messy.ndjson');
const SEEDS = seedLines();
const ALL = [...SIM, ...MESSY, ...SEEDS];

/** Every row column of one row (`ROW_COLUMNS`, so a new column is compared too), strings resolved through the pool. */
function rowOf(c: EventColumns, row: number): unknown[] {
  return ROW_COLUMNS.map(([name]) => {
    const v = c[name][row] as number;
    return POOL_COLUMNS.includes(name) ? c.pool.get(v) : v;
  });
}

/** The full decoder's verdict on a line: its row, 'blank' or 'rejected'. */
function fullRow(bytes: Uint8Array): unknown[] | 'blank' | 'rejected' {
  let text = Buffer.from(bytes).toString('utf8');
  if (text.endsWith('\r')) text = text.slice(0, -1);
  if (text.trim() === '') return 'blank';
  const decoded = decodeEventText(text);
  if (!decoded.ok) return 'rejected';
  const columns = new EventColumns(new StringPool(), 1);
  const pushed = columns.push(classifyEvent(decoded.value));
  return pushed.ok ? rowOf(columns, 0) : 'rejected';
}

interface Tally {
  fast: number;
  fallback: number;
}

/** Checks one line; the decoder (and its interning caches) is shared across lines on purpose. */
function check(decoder: FastLineDecoder, bytes: Uint8Array, tally?: Tally): void {
  // Surround the line with other bytes: the decoder must stay within [start, end).
  const framed = new Uint8Array(bytes.length + 4);
  framed.set(encoder.encode('7,"'), 0);
  framed.set(bytes, 3);
  framed[bytes.length + 3] = 0x31;
  const before = decoder.columns.length;
  const result = decoder.decodeLine(framed, 3, 3 + bytes.length);
  const expected = fullRow(bytes);
  const line = Buffer.from(bytes).toString('latin1');
  if (result === FAST_FALLBACK) {
    expect(decoder.columns.length, line).toBe(before);
    if (tally) tally.fallback++;
    return;
  }
  if (tally) tally.fast++;
  if (result === FAST_BLANK) {
    expect(expected, line).toBe('blank');
    return;
  }
  expect(result, line).toBe(before);
  expect(rowOf(decoder.columns, result), line).toEqual(expected);
}

const newDecoder = (): FastLineDecoder => new FastLineDecoder(new EventColumns(new StringPool(), 16));

describe('FastLineDecoder equals the full decoder', () => {
  it('decodes canonical simulator lines on the fast path, identical to the full decoder', () => {
    const decoder = newDecoder();
    const tally = { fast: 0, fallback: 0 };
    for (const line of SIM) check(decoder, encoder.encode(line), tally);
    // Canonical lines are the fast path's reason to exist: none may need the full decoder.
    expect(tally.fallback).toBe(0);
  });

  it('on messy simulator lines and seed examples: the same row or a fallback, and mostly fast', () => {
    const decoder = newDecoder();
    const tally = { fast: 0, fallback: 0 };
    for (const line of [...MESSY, ...SEEDS]) check(decoder, encoder.encode(line), tally);
    expect(tally.fast).toBeGreaterThan(tally.fallback);
  });

  it('never writes a different row for mutated lines (byte edits, whitespace, escapes, truncation, reorders)', () => {
    const decoder = newDecoder();
    const tally = { fast: 0, fallback: 0 };
    const lineArb = fc.constantFrom(...ALL);
    const INTERESTING = [...'"{}[],:\\0123456789 -.eE+tfn\t\r/uxZT'].map((c) => c.charCodeAt(0)).concat([0x00, 0x0b, 0x7f, 0x80, 0xc3, 0xa9, 0xe2, 0xff]);
    const byteArb = fc.oneof(fc.constantFrom(...INTERESTING), fc.integer({ min: 0, max: 255 }));
    const mutation = fc.oneof(
      // Replace, insert or delete bytes.
      fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), byte: byteArb }),
      fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), byte: byteArb }),
      fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), byte: fc.constant(0) }),
      // Whitespace between tokens (and, by chance, inside them).
      fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), byte: fc.constantFrom(0x20, 0x09, 0x0d) }),
      // A letter as a \u escape (same meaning inside a string, broken JSON outside).
      fc.record({ kind: fc.constant('escape' as const), at: fc.nat(), byte: fc.constant(0) }),
      // A number as a string.
      fc.record({ kind: fc.constant('quoteNumber' as const), at: fc.nat(), byte: fc.constant(0) }),
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(), byte: fc.constant(0) }),
    );
    fc.assert(
      fc.property(lineArb, fc.array(mutation, { minLength: 1, maxLength: 4 }), (line, edits) => {
        let bytes = Array.from(encoder.encode(line));
        for (const m of edits) bytes = applyEdit(bytes, m.kind, m.at, m.byte);
        check(decoder, Uint8Array.from(bytes), tally);
      }),
      { numRuns: 3000 },
    );
    // Not vacuous: many mutated lines (whitespace, escapes in unread strings, edits in skipped values) stay fast.
    expect(tally.fast).toBeGreaterThan(300);
  }, 60_000);

  it('never writes a different row for structural variants (key order, duplicated keys, nulls, numbers)', () => {
    const decoder = newDecoder();
    const tally = { fast: 0, fallback: 0 };
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
        const text = structuralVariant(value, variant, n);
        check(decoder, encoder.encode(text), tally);
      }),
      { numRuns: 1500 },
    );
    expect(tally.fast).toBeGreaterThan(100);
  }, 60_000);

  it('reads the cases the reducer depends on: ids to 2^64 − 1, flags from descriptions, operators, blanks', () => {
    const decoder = newDecoder();
    const base = JSON.parse(SIM.find((l) => l.includes('"pdp_context"') && l.includes('"event_type":{"id":3')) ?? 'null') as Record<string, unknown>;
    expect(base).not.toBeNull();
    const lines = [
      JSON.stringify(base).replace(/"id":\d+,"event_type"/, '"id":18446744073709551615,"event_type"'),
      JSON.stringify({ ...base, description: '  pdp CONTEXT request rejected, because endpoint has no quota.' }),
      JSON.stringify({ ...base, event_type: { id: eventTypeByKey('updatePdpContext').id, description: 'Delete PDP Context' } }),
      JSON.stringify({ ...base, event_type: { id: eventTypeByKey('updatePdpContext').id }, description: 'updated' }),
      JSON.stringify({ ...base, event_type: { id: eventTypeByKey('generic').id }, description: 'Disconnecting data access for IMSI' }),
      JSON.stringify({ ...base, detail: { name: null } }),
      JSON.stringify({ ...base, detail: { mnc: [{ mnc: 7 }], pdp_context: { mcc: 262, apn: 'x', rat_type: null } } }),
      JSON.stringify({ ...base, endpoint: null, sim: null, imsi: null, user: null, organisation: null }),
      ' \t\r',
    ];
    const tally = { fast: 0, fallback: 0 };
    for (const line of lines) check(decoder, encoder.encode(line), tally);
    expect(tally.fallback).toBe(0);
    const columns = decoder.columns;
    expect([columns.idHi[0], columns.idLo[0]]).toEqual([0xffffffff, 0xffffffff]);
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
/** Bytes of a value that reaches depth n (from the record's level) as objects: `{"a":{"a":…{}…}}`. */
function nestedObjects(n: number): string {
  return `${'{"a":'.repeat(n - 1)}{}${'}'.repeat(n - 1)}`;
}

describe('FastLineDecoder on what its scanner skips and the white space between tokens', () => {
  it('white space at every position of canonical lines: the same row or a fallback, and fast between tokens', () => {
    const decoder = newDecoder();
    const lines = SIM.filter((l) => l.includes('"pdp_context"'))
      .slice(0, 2)
      .concat(SIM.slice(0, 1));
    expect(lines.length).toBe(3);
    for (const [k, line] of lines.entries()) {
      const bytes = encoder.encode(line);
      const tally = { fast: 0, fallback: 0 };
      const ws = [0x20, 0x09, 0x0a, 0x0d][k % 4] as number;
      for (let i = 0; i <= bytes.length; i++) {
        const edited = new Uint8Array(bytes.length + 2);
        edited.set(bytes.subarray(0, i), 0);
        edited[i] = ws;
        edited[i + 1] = 0x20;
        edited.set(bytes.subarray(i), i + 2);
        check(decoder, edited, tally);
      }
      // Between tokens white space changes nothing: those lines must stay fast.
      const structural = (b: number | undefined): boolean => b !== undefined && '{}[],:"'.includes(String.fromCharCode(b));
      let between = 0;
      let quotes = 0;
      for (let i = 0; i <= bytes.length; i++) {
        if (quotes % 2 === 0 && (i === 0 || i === bytes.length || structural(bytes[i - 1]) || structural(bytes[i]))) between++;
        if (bytes[i] === 0x22) quotes++;
      }
      expect(between).toBeGreaterThan(100);
      expect(tally.fast, line).toBeGreaterThanOrEqual(between);
    }
  }, 60_000);

  it('values under unread keys (bad numbers, escapes, bytes >= 0x80, deep nesting, truncation): the same row or a fallback', () => {
    const decoder = newDecoder();
    const tally = { fast: 0, fallback: 0 };
    fc.assert(
      fc.property(fc.constantFrom(...SIM, ...MESSY), fc.constantFrom(...INJECTED), fc.nat(), fc.nat(), (line, value, at, cut) => {
        // After the n-th `{` (the record or a nested object, read or skipped): `"zz":value,`.
        const opens = [...line.matchAll(/\{"/g)].map((m) => m.index ?? 0);
        const i = (opens[at % opens.length] as number) + 1;
        const text = `${line.slice(0, i)}"zz":${value},${line.slice(i)}`;
        check(decoder, encoder.encode(text), tally);
        // The same, cut inside (or right after) the injected value.
        const cutAt = i + 5 + (cut % (value.length + 1));
        check(decoder, encoder.encode(text.slice(0, cutAt)), tally);
      }),
      { numRuns: 2500 },
    );
    expect(tally.fast).toBeGreaterThan(500);
  }, 60_000);

  it('nesting: skipped values to depth 64 are fast, deeper ones fall back, in the record and in read objects', () => {
    const decoder = newDecoder();
    const line = SIM.find((l) => l.includes('"detail":{')) as string;
    expect(line).toBeDefined();
    for (const depth of [2, 10, 62, 63, 64, 65, 66, 80]) {
      for (const value of [nestedObjects(depth - 1), deep(depth - 1, '[', ']')]) {
        // Under the record (depth 1), the value reaches depth `depth`; under `detail` (depth 2) one more.
        for (const [text, reached] of [
          [`{"zz":${value},${line.slice(1)}`, depth],
          [line.replace('"detail":{', `"detail":{"zz":${value},`), depth + 1],
        ] as const) {
          const tally = { fast: 0, fallback: 0 };
          check(decoder, encoder.encode(text), tally);
          expect(tally.fast, `${reached}`).toBe(reached <= 64 ? 1 : 0);
        }
      }
    }
  });

  it('escapes and non-ASCII at every position of the strings of a canonical line: the same row or a fallback', () => {
    const decoder = newDecoder();
    const line = SIM.find((l) => l.includes('"pdp_context"')) as string;
    const bytes = Array.from(encoder.encode(line));
    const quotes = bytes.flatMap((b, i) => (b === 0x22 ? [i] : []));
    const tally = { fast: 0, fallback: 0 };
    const pieces = ['\\"', '\\\\', '\\u0041', '\\', '\\u00', 'é', '\u20ac', '\u0001'].map((t) => Array.from(encoder.encode(t)));
    for (const q of quotes) {
      for (const piece of pieces) {
        // Right before a quote (a closing quote: the end of a string) and right after it (a string's start).
        for (const at of [q, q + 1]) check(decoder, Uint8Array.from([...bytes.slice(0, at), ...piece, ...bytes.slice(at)]), tally);
      }
    }
    // Raw bytes >= 0x80 (valid UTF-8 or not) inside any string.
    for (const q of quotes) check(decoder, Uint8Array.from([...bytes.slice(0, q), 0xff, 0x80, ...bytes.slice(q)]), tally);
    expect(tally.fast).toBeGreaterThan(quotes.length);
  }, 60_000);
});

describe('FastLineDecoder endpoint names', () => {
  it('every shape of endpoint.name: plain, empty, non-ASCII and null are fast; escaped and non-strings fall back', () => {
    const decoder = newDecoder();
    const line = SIM.find((l) => l.includes('"pdp_context"')) as string;
    expect(line).toMatch(/"name":"[^"]+","tags"/);
    const withName = (value: string): string => line.replace(/"name":"[^"]+","tags"/, `${value}"tags"`);
    const fastCases: [string, string | null][] = [
      ['"name":"Cold Chain Sensor 12",', 'Cold Chain Sensor 12'],
      ['"name":"",', ''],
      ['"name":"Kühlkette Nord 🚚",', 'Kühlkette Nord 🚚'],
      ['"name":null,', null],
      ['', null],
    ];
    for (const [value, name] of fastCases) {
      const tally = { fast: 0, fallback: 0 };
      const text = withName(value);
      check(decoder, encoder.encode(text), tally);
      expect(tally.fast, text).toBe(1);
      const columns = decoder.columns;
      expect(columns.pool.get(columns.name[columns.length - 1] as number), text).toBe(name);
    }
    // An escape is decoded by the full decoder; a number, boolean, object or array there is a wrong type it reports.
    for (const value of ['"name":"Truck \\"A\\"",', '"name":"\\u0041",', '"name":7,', '"name":true,', '"name":{},', '"name":[],']) {
      const tally = { fast: 0, fallback: 0 };
      check(decoder, encoder.encode(withName(value)), tally);
      expect(tally.fallback, value).toBe(1);
    }
    expect(fullRow(encoder.encode(withName('"name":"Truck \\"A\\"",')))).toContain('Truck "A"');
    expect(fullRow(encoder.encode(withName('"name":7,')))).toBe('rejected');
  });
});

describe('FastLineDecoder event ids', () => {
  it('ids of every length from 1 to 21 digits: exact hi/lo when at most 2^64 − 1, else a fallback', () => {
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
    ids.push('18446744073709551615', '18446744073709551616', '4294967296', '4294967295', '9007199254740993');
    for (const id of ids) {
      const tally = { fast: 0, fallback: 0 };
      check(decoder, encoder.encode(line.replace(/"id":\d+,"event_type"/, `"id":${id},"event_type"`)), tally);
      expect(tally.fast, id).toBe(BigInt(id) < 2n ** 64n ? 1 : 0);
    }
  });
});

describe('FastLineDecoder key prediction', () => {
  it('a key that differs from the one the previous record had at its place: the same row or a fallback', () => {
    const decoder = newDecoder();
    const line = SIM.find((l) => l.includes('"pdp_context"')) as string;
    const keys = [...line.matchAll(/"([a-z_]+)":/g)].map((m) => ({ at: (m.index ?? 0) + 1, key: m[1] as string }));
    expect(keys.length).toBeGreaterThan(40);
    const tally = { fast: 0, fallback: 0 };
    for (const { at, key } of keys) {
      // Each replaces the key and its closing quote; the last one drops the quote (invalid JSON).
      const edits = [
        key.slice(0, -1),
        `${key}x`,
        `${key.slice(0, -1)}${key.endsWith('z') ? 'y' : 'z'}`,
        `${key.slice(0, -1)}\\u00${key.charCodeAt(key.length - 1).toString(16)}`,
        key.toUpperCase(),
        `${key}"`,
      ]
        .map((k) => `${k}"`)
        .concat(`${key}x`);
      for (const edited of edits) {
        // The original first, so its key order is what the decoder predicts for the edited line.
        check(decoder, encoder.encode(line), tally);
        check(decoder, encoder.encode(`${line.slice(0, at)}${edited}${line.slice(at + key.length + 1)}`), tally);
      }
    }
    expect(tally.fast).toBeGreaterThan(keys.length * 7);
  }, 60_000);
});

describe('timestampBytes', () => {
  it('agrees with parseTimestamp whenever it answers', () => {
    const forms = fc.constantFrom('', '.000', '.123', '.5', '.1234');
    const zones = fc.constantFrom('', 'Z', '+0000', '+00:00', '+01:00', '-0000', 'z');
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        fc.integer({ min: 0, max: 24 }),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 0, max: 61 }),
        fc.constantFrom('T', ' ', 't'),
        forms,
        zones,
        (y, mo, d, h, mi, s, sep, frac, zone) => {
          const pad = (v: number, n = 2): string => String(v).padStart(n, '0');
          const text = `${pad(y, 4)}-${pad(mo)}-${pad(d)}${sep}${pad(h)}:${pad(mi)}:${pad(s)}${frac}${zone}`;
          const fast = timestampBytes(encoder.encode(text), 0, text.length);
          if (!Number.isNaN(fast)) expect(fast, text).toBe(parseTimestamp(text));
          // The common forms must be answered.
          if (
            y >= 1000 &&
            y <= 9999 &&
            mo >= 1 &&
            mo <= 12 &&
            d >= 1 &&
            d <= 28 &&
            h <= 23 &&
            mi <= 59 &&
            s <= 59 &&
            sep !== 't' &&
            (frac === '' || frac === '.000' || frac === '.123') &&
            ['', 'Z', '+0000', '+00:00'].includes(zone)
          ) {
            expect(fast, text).not.toBeNaN();
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('timestampBytes on edited timestamps', () => {
  it('never answers differently from parseTimestamp when a character is replaced, inserted or removed', () => {
    const chars = fc.constantFrom(...'0123456789:-T Z+.x/');
    const base = fc.constantFrom(
      '2021-10-27T08:38:02.000Z',
      '2017-10-26T07:28:00.000+0000',
      '2019-01-21T09:36:17Z',
      '2021-12-20 12:27:56',
      '2024-02-29T23:59:59+00:00',
    );
    fc.assert(
      fc.property(base, fc.nat(), chars, fc.constantFrom(0, 1, 2), (text, at, ch, op) => {
        const i = at % text.length;
        const edited =
          op === 0 ? text.slice(0, i) + ch + text.slice(i + 1) : op === 1 ? text.slice(0, i) + ch + text.slice(i) : text.slice(0, i) + text.slice(i + 1);
        const fast = timestampBytes(encoder.encode(edited), 0, edited.length);
        if (!Number.isNaN(fast)) expect(fast, edited).toBe(parseTimestamp(edited));
      }),
      { numRuns: 3000 },
    );
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
      // The next ASCII letter from i becomes \u00XX.
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
      // The next number value after a ':' gets quotes.
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

/** A shuffled copy of an object's keys, recursively (a deterministic rotation by n). */
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
      // The key again at the end, with a value taken from elsewhere in the record.
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
      return text({ ...value, timestamp: ['2021-10-27T08:38:02+02:00', '2021-10-27T08:38:02.5Z', '2021-10-27 08:38:02', '2021-02-29T00:00:00Z'][n % 4] });
    default:
      return text(value);
  }
}
