import { decodeEvent, eventTypeByKey } from '@simfleet/core';
import { describe, expect, it } from 'vitest';
import { decodeEventsBody, parseEventsBody } from '../../src/serve/parseEventsBody.js';

const line = (id: number, endpointId: number, time: string): string =>
  `{"id":${id},"timestamp":"${time}","description":"x","event_type":{"id":${eventTypeByKey('updateLocation').id}},"organisation":{"id":77},"endpoint":{"id":${endpointId}}}`;

describe('decodeEventsBody', () => {
  it('decodes a million bad array elements in slices, keeping the first reasons and counting them all', async () => {
    const body = Buffer.from(`[${Array.from({ length: 1_000_000 }, () => '1').join(',')}]`);
    let turns = 0;
    const counting = setInterval(() => {
      turns += 1;
    }, 1);
    const parsed = await decodeEventsBody(body, 'application/json', { sliceMs: 2 });
    clearInterval(counting);
    // Timers ran while it decoded: it gave the event loop back between slices.
    expect(turns).toBeGreaterThan(10);
    expect(parsed.events).toHaveLength(0);
    expect(parsed.rejectCount).toBe(1_000_000);
    expect(parsed.rejectedRecords).toBe(1_000_000);
    expect(parsed.rejects).toHaveLength(100);
    expect(parsed.rejects.map((r) => r.index)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(Object.values(parsed.rejectsByCode).reduce((a, b) => a + b, 0)).toBe(1_000_000);
    expect(parsed.rejectsByCode[parsed.rejects[0]?.code ?? '']).toBe(1_000_000);
  });

  it('gives the same result as the one-piece parse, for NDJSON, arrays, objects and broken bodies', async () => {
    const good = [line(1, 10, '2022-01-01T00:00:00Z'), line(2, 11, '2022-01-01T00:00:01Z')];
    const bodies: [string, string | undefined][] = [
      [`${good.join('\n')}\n`, 'application/x-ndjson'],
      [`${good[0]}\n{"id":3,"timestamp":"later"}\r\n\n${good[1]}`, undefined],
      [`[${good[0]},\n  ${good[1]}]`, 'application/json'],
      [`[${good[0]}, 5, {"id":"x"}, ${good[1]}]  \n`, 'application/json'],
      [`\ufeff[${good[0]}]`, undefined],
      ['[]', undefined],
      ['', undefined],
      ['  \n \n', undefined],
      [good[0] as string, undefined],
      ['{"id":1,"timestamp":"2022-01-01T00:00:00Z"}', undefined],
    ];
    for (const [body, type] of bodies) {
      const sliced = await decodeEventsBody(Buffer.from(body), type, { sliceMs: 0, maxListedRejects: 1000 });
      expect(sliced, body).toEqual(parseEventsBody(body, type));
    }
    // Element by element gives what decoding the parsed array gives.
    const array = `[${good[0]}, 5, {"id":"x"}, ${good[1]}]`;
    const parsed = await decodeEventsBody(Buffer.from(array), 'application/json');
    const whole = (JSON.parse(array) as unknown[]).map((item) => decodeEvent(item));
    expect(parsed.events).toEqual(whole.flatMap((r) => (r.ok ? [r.value] : [])));
    expect(parsed.rejects.map((r) => [r.index, r.code, r.path])).toEqual(whole.flatMap((r, index) => (r.ok ? [] : [[index, r.error.code, r.error.path]])));
  });

  it('an array that is not valid JSON accepts nothing and points at the fault in the body', async () => {
    const good = line(1, 10, '2022-01-01T00:00:00Z');
    const cases: [string, number, number][] = [
      [`[${good},\n${good},]`, 2, good.length + 2],
      [`[${good} ${good}]`, 1, good.length + 3],
      [`[${good}}`, 1, good.length + 2],
      [`[${good},\n  {"id":01}]`, 2, 10],
      [`[${good}] x`, 1, good.length + 4],
      [`[${good}, "unterminated]`, 1, good.length + 18],
    ];
    for (const [body, lineNumber, column] of cases) {
      expect(() => JSON.parse(body)).toThrow();
      const parsed = await decodeEventsBody(Buffer.from(body), 'application/json');
      expect(parsed.events, body).toHaveLength(0);
      expect(parsed.rejects, body).toHaveLength(1);
      expect(parsed.rejects[0], body).toMatchObject({ index: null, code: 'invalid_json', line: lineNumber, column });
      expect(parsed.rejectedRecords).toBe(0);
    }
  });
});
