/** Decode errors: codes, JSON paths, expected/found, messages, and text locations. */
import { describe, expect, it } from 'vitest';
import { eventTypeByKey } from '../../src/catalog/eventTypes.js';
import { DecodeError } from '../../src/decode/DecodeError.js';
import { decodeEvent } from '../../src/decode/decodeEvent.js';
import { decodeEventText } from '../../src/decode/decodeEventText.js';
import { MAX_JSON_DEPTH } from '../../src/decode/jsonDepth.js';
import { baseRecord, err, type Rec, text } from './support.js';

const CREATE_PDP = eventTypeByKey('createPdpContext').id;
const without = (key: string): Rec => {
  const r = baseRecord(CREATE_PDP);
  delete r[key];
  return r;
};
const withField = (path: readonly string[], value: unknown): Rec => {
  const r = baseRecord(CREATE_PDP);
  let target: Rec = r;
  for (const key of path.slice(0, -1)) target = target[key] as Rec;
  target[path.at(-1) ?? ''] = value;
  return r;
};
const summary = (e: DecodeError) => ({ code: e.code, path: e.path });

describe('DecodeError', () => {
  it('is an Error with a stable code, a path, expected, found and a readable message', () => {
    const e = err(decodeEvent(withField(['event_type', 'id'], 'x')));
    expect(e).toBeInstanceOf(DecodeError);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('DecodeError');
    expect(e).toMatchObject({ code: 'wrong_type', path: '$.event_type.id', expected: 'an integer', found: 'string "x"' });
    expect(e.message).toBe('$.event_type.id: expected an integer, found string "x"');
    expect(e.line).toBeUndefined();
  });

  it('previews long values briefly', () => {
    const e = err(decodeEvent(withField(['timestamp'], 'x'.repeat(500))));
    expect(e.found.length).toBeLessThan(60);
    expect(e.found).toMatch(/^string "x+…"$/);
  });
});

describe('structural errors', () => {
  it.each([
    ['an array', []],
    ['null', null],
    ['a string', 'event'],
    ['a number', 42],
  ])('not_an_object for %s', (_name, value) => {
    expect(summary(err(decodeEvent(value)))).toEqual({ code: 'not_an_object', path: '$' });
  });

  it.each([
    ['id', '$.id'],
    ['timestamp', '$.timestamp'],
    ['event_type', '$.event_type'],
  ])('missing_field when %s is missing', (key, path) => {
    expect(summary(err(decodeEvent(without(key))))).toEqual({ code: 'missing_field', path });
  });

  it('missing_field for event_type.id, endpoint.id, organisation.id and event_source.id', () => {
    for (const [parent, path] of [
      ['event_type', '$.event_type.id'],
      ['endpoint', '$.endpoint.id'],
      ['organisation', '$.organisation.id'],
      ['event_source', '$.event_source.id'],
    ] as const) {
      const r = baseRecord(CREATE_PDP);
      delete (r[parent] as Rec)['id'];
      expect(summary(err(decodeEvent(r)))).toEqual({ code: 'missing_field', path });
    }
  });

  it.each([
    [['endpoint', 'id'], { n: 1 }, '$.endpoint.id', 'object with keys n'],
    [['endpoint', 'id'], null, '$.endpoint.id', 'null'],
    [['organisation', 'id'], true, '$.organisation.id', 'boolean true'],
    [['event_type'], 3, '$.event_type', 'number 3'],
    [['sim'], 'none', '$.sim', 'string "none"'],
    [['endpoint'], [1], '$.endpoint', 'array of 1 item'],
    [['endpoint', 'name'], 7, '$.endpoint.name', 'number 7'],
    [['sim', 'iccid'], { digits: '1' }, '$.sim.iccid', 'object with keys digits'],
    [['description'], 12, '$.description', 'number 12'],
    [['alert'], 'yes', '$.alert', 'string "yes"'],
  ] as const)('wrong_type at %j', (path, value, jsonPath, found) => {
    const e = err(decodeEvent(withField(path, value)));
    expect({ code: e.code, path: e.path, found: e.found }).toEqual({ code: 'wrong_type', path: jsonPath, found });
  });

  it.each([['2021-02-30T00:00:00Z'], ['yesterday'], [''], ['2021-10-27'], ['12:00'], ['2021-10-27T11:59:29.000Z ']])(
    'invalid_timestamp for %j (never NaN)',
    (timestamp) => {
      const e = err(decodeEvent(withField(['timestamp'], timestamp)));
      expect(summary(e)).toEqual({ code: 'invalid_timestamp', path: '$.timestamp' });
    },
  );

  it('wrong_type for a timestamp that is not a string', () => {
    expect(summary(err(decodeEvent(withField(['timestamp'], 1635323882000))))).toEqual({
      code: 'wrong_type',
      path: '$.timestamp',
    });
  });

  it('unsafe_integer for a number id beyond 2^53 (it was already rounded)', () => {
    const e = err(decodeEvent(withField(['id'], 2 ** 53 + 2)));
    expect(summary(e)).toEqual({ code: 'unsafe_integer', path: '$.id' });
    expect(e.found).toBe('number 9007199254740994');
  });

  it('unsafe_integer for a number ICCID beyond 2^53 and a number endpoint id beyond 2^53', () => {
    // biome-ignore lint/correctness/noPrecisionLoss: the point is a value that lost its digits
    expect(summary(err(decodeEvent(withField(['sim', 'iccid'], 8988303000005733850))))).toEqual({
      code: 'unsafe_integer',
      path: '$.sim.iccid',
    });
    expect(summary(err(decodeEvent(withField(['endpoint', 'id'], 2 ** 60))))).toEqual({
      code: 'unsafe_integer',
      path: '$.endpoint.id',
    });
  });

  it.each([[-1], [1.5], ['-5'], ['2.5'], [-3n], [2n ** 64n]])('invalid_value for the event id %s', (id) => {
    expect(summary(err(decodeEvent(withField(['id'], id))))).toEqual({ code: 'invalid_value', path: '$.id' });
  });

  it('invalid_value for an event id of 2^64 in text, wrong_type for an id that is not a number', () => {
    const line = text(baseRecord(CREATE_PDP)).replace('"id":500000000000001', '"id":18446744073709551616');
    expect(summary(err(decodeEventText(line)))).toEqual({ code: 'invalid_value', path: '$.id' });
    expect(summary(err(decodeEvent(withField(['id'], 'abc'))))).toEqual({ code: 'wrong_type', path: '$.id' });
    expect(summary(err(decodeEvent(withField(['id'], true))))).toEqual({ code: 'wrong_type', path: '$.id' });
  });

  it('invalid_value for an alert number other than 1 or 0', () => {
    expect(summary(err(decodeEvent(withField(['alert'], 2))))).toEqual({ code: 'invalid_value', path: '$.alert' });
  });

  it('reports odd keys in bracket notation', () => {
    const r = withField(['detail'], { 'a b': () => 1 });
    expect(summary(err(decodeEvent(r)))).toEqual({ code: 'wrong_type', path: '$.detail["a b"]' });
  });

  it('returns an error for values that are not JSON inside kept parts (functions, NaN, cycles, class instances)', () => {
    const cyclic: Rec = {};
    cyclic['self'] = cyclic;
    for (const [detail, code] of [
      [{ f: () => 1 }, 'wrong_type'],
      [{ n: Number.NaN }, 'invalid_value'],
      [cyclic, 'invalid_value'],
      [{ d: new Date(0) }, 'wrong_type'],
      [{ a: [1, undefined] }, 'wrong_type'],
    ] as const) {
      expect(err(decodeEvent(withField(['detail'], detail))).code).toBe(code);
    }
  });

  it('never throws, even when reading the value throws', () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('no reading');
        },
      },
    );
    const e = err(decodeEvent(hostile));
    expect(e).toMatchObject({ code: 'invalid_value', path: '$' });
    expect(e.found).toContain('no reading');
  });
});

describe('text errors', () => {
  it('gives 1-based line and column of the problem', () => {
    const e = err(decodeEventText('{\n  "id": 1,\n  "timestamp": x\n}'));
    expect(e).toMatchObject({ code: 'invalid_json', path: '$', line: 3, column: 16, expected: 'valid JSON' });
    expect(e.found).toMatch(/^"x"/);
    expect(e.message).toMatch(/^\$: expected valid JSON, found "x" .*\(line 3, column 16\)$/);
  });

  it.each([
    ['{"a":1,}', 1, 8],
    ['{"a" 1}', 1, 6],
    ['', 1, 1],
    ['[1,2', 1, 5],
    ['{"id":1,', 1, 9],
    ['{"a":1}x', 1, 8],
    ['{"a":"\t"}', 1, 7],
    ['{"a":1}\r\n{"b":2}', 2, 1],
    ['{"a":\r1,\r}', 3, 1],
  ])('locates the error in %j at line %i, column %i', (source, line, column) => {
    expect(err(decodeEventText(source))).toMatchObject({ code: 'invalid_json', line, column });
  });

  it("offsets the line by at.line (the record's line in its file)", () => {
    expect(err(decodeEventText('{"id":1,', { line: 12 }))).toMatchObject({ line: 12, column: 9 });
    expect(err(decodeEventText('{\n"id":}', { line: 12 }))).toMatchObject({ line: 13, column: 6 });
  });

  it('gives structural errors of a text the line the record starts on, when told', () => {
    const line = text(without('timestamp'));
    expect(err(decodeEventText(line, { line: 40 }))).toMatchObject({ code: 'missing_field', line: 40 });
    expect(err(decodeEventText(line)).line).toBeUndefined();
  });

  it('refuses nesting beyond the limit with too_deep, with or without big integers (the same on every thread)', () => {
    const nested = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
    // The record is level 1, detail level 2, x's arrays from level 3 on.
    const record = (id: string, levels: number) =>
      `{"id":${id},"timestamp":"2021-10-27T08:38:02Z","event_type":{"id":${eventTypeByKey('organisationUpdated').id}},"detail":{"x":${nested(levels)}}}`;
    expect(MAX_JSON_DEPTH).toBe(64);
    expect(decodeEventText(record('1', MAX_JSON_DEPTH - 2)).ok).toBe(true);
    expect(decodeEventText(record('12345678901234567890', MAX_JSON_DEPTH - 2)).ok).toBe(true);
    for (const levels of [MAX_JSON_DEPTH - 1, 100_000]) {
      for (const id of ['1', '12345678901234567890']) {
        expect(err(decodeEventText(record(id, levels)))).toMatchObject({ code: 'too_deep', path: '$', line: 1 });
      }
    }
    expect(err(decodeEventText(record('1', 100_000).slice(0, -3)))).toMatchObject({ code: 'invalid_json', line: 1 });
  });

  it('returns an error for a non-string argument instead of throwing', () => {
    expect(err(decodeEventText(42 as unknown as string)).code).toBe('wrong_type');
  });
});
