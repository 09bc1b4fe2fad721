/**
 * The endpoint name over HTTP: `GET /endpoints/:id` shows the name of the latest event in
 * (time, id) order that said one, also when a late event is placed into the history.
 */
import { eventTypeByKey } from '@simfleet/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/serve/startServer.js';
import { api, testServer, waitApplied } from './httpClient.js';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const line = (id: number, seconds: number, name: string | null | undefined): string => {
  const endpoint = name === undefined ? '{"id":900}' : `{"id":900,"name":${JSON.stringify(name)}}`;
  return `{"id":${id},"timestamp":"${new Date(T0 + seconds * 1000).toISOString()}","event_type":{"id":${eventTypeByKey('updateLocation').id}},"organisation":{"id":77},"endpoint":${endpoint}}`;
};
const post = (server: RunningServer, lines: readonly string[]): Promise<Response> =>
  api(server, '/events', { method: 'POST', body: `${lines.join('\n')}\n`, headers: { 'content-type': 'application/x-ndjson' } });
const nameOf = async (server: RunningServer): Promise<unknown> => ((await (await api(server, '/endpoints/900')).json()) as { name: unknown }).name;

describe('serve: the endpoint name', () => {
  let server: RunningServer & { logs: string[] };
  beforeAll(async () => {
    server = await testServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('is the latest said name, through renames, silent events and a late event', async () => {
    expect((await post(server, [line(1, 0, 'Tracker A'), line(2, 60, 'Tracker "B"')])).status).toBe(202);
    await waitApplied(server, 2);
    expect(await nameOf(server)).toBe('Tracker "B"');
    // A late event (between the two) with another name: placed into the history, not the latest.
    expect((await post(server, [line(3, 30, 'Tracker C')])).status).toBe(202);
    await waitApplied(server, 3);
    expect(await nameOf(server)).toBe('Tracker "B"');
    // Newer events without a name (key missing, null) keep it; an empty name is a name.
    expect((await post(server, [line(4, 90, undefined), line(5, 120, null)])).status).toBe(202);
    await waitApplied(server, 5);
    expect(await nameOf(server)).toBe('Tracker "B"');
    expect((await post(server, [line(6, 150, '')])).status).toBe(202);
    await waitApplied(server, 6);
    expect(await nameOf(server)).toBe('');
  });

  it('rejects a name of another type, with its path', async () => {
    const res = await post(server, [line(7, 200, null).replace('"name":null', '"name":42')]);
    const body = (await res.json()) as { accepted: number; rejected: { code: string; path: string }[] };
    expect(body.accepted).toBe(0);
    expect(body.rejected.map((r) => [r.code, r.path])).toEqual([['wrong_type', '$.endpoint.name']]);
  });
});
