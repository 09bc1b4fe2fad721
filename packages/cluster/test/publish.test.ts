import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decodeEventText } from '@simfleet/core';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { runPublish } from '../src/commands/publish.js';
import { EVENT_STREAM } from '../src/stream/eventStream.js';
import { partitionOf } from '../src/stream/partitionOf.js';
import { capturedIo, deleteEventStream, type NatsHandles, natsHandles, readEventStream, REPO, SIMFLEET_BIN } from './support.js';

const run = promisify(execFile);
const SAMPLES = `${REPO}examples/data`;

describe('simfleet publish', () => {
  let nats: NatsHandles;
  beforeAll(async () => {
    nats = await natsHandles(inject('natsUrl'));
  });
  afterAll(async () => {
    await nats.close();
  });
  beforeEach(async () => {
    await deleteEventStream(nats.jsm);
  });

  it('puts each record on its endpoint’s partition and organisation records on every partition', async () => {
    const io = capturedIo();
    expect(await runPublish([SAMPLES, '--nats', inject('natsUrl'), '--partitions', '4'], io)).toBe(0);
    const stored = await readEventStream(nats.js, nats.jsm);
    const withEndpoint = stored.filter((m) => m.fanout === undefined);
    const fannedOut = stored.filter((m) => m.fanout !== undefined);
    // examples/data: 30,018 records, 154 of them without an endpoint (checked with a JSON parser).
    expect(withEndpoint.length + fannedOut.length / 4).toBe(30_018);
    expect(fannedOut.length).toBe(154 * 4);
    for (const message of withEndpoint) {
      const decoded = decodeEventText(message.text);
      if (!decoded.ok || decoded.value.endpoint === null) throw new Error(`stored record does not decode with an endpoint: ${message.text}`);
      expect(message.subject).toBe(`simfleet.events.${partitionOf(decoded.value.endpoint.id, 4)}`);
      expect(message.msgId).toBe(decoded.value.id.toString());
    }
    const copies = new Map<string, string[]>();
    for (const message of fannedOut) {
      const [id, partition] = (message.msgId ?? '').split('.');
      expect(message.subject).toBe(`simfleet.events.${partition}`);
      copies.set(id ?? '', [...(copies.get(id ?? '') ?? []), message.subject]);
    }
    for (const subjects of copies.values())
      expect(subjects.sort()).toEqual(['simfleet.events.0', 'simfleet.events.1', 'simfleet.events.2', 'simfleet.events.3']);
    expect(stored.every((m) => m.source !== undefined && /:\d+$/.test(m.source))).toBe(true);
    expect(io.out()).toContain('records 30018 = published 30018 + rejected 0');
  });

  it('can be re-run: the second run stores nothing new', async () => {
    const url = inject('natsUrl');
    expect(await runPublish([SAMPLES, '--nats', url], capturedIo())).toBe(0);
    const first = (await nats.jsm.streams.info(EVENT_STREAM)).state.messages;
    const again = capturedIo();
    expect(await runPublish([SAMPLES, '--nats', url], again)).toBe(0);
    expect((await nats.jsm.streams.info(EVENT_STREAM)).state.messages).toBe(first);
    expect(again.out()).toContain(`${first} messages acknowledged on 16 partitions, ${first} of them already stored`);
  });

  it('rejects undecodable records with their location and publishes the rest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'simfleet-publish-'));
    const log = join(dir, 'mixed.ndjson');
    writeFileSync(
      log,
      [
        '{"id":1,"timestamp":"2021-10-27T08:38:02Z","event_type":{"id":0},"endpoint":{"id":7}}',
        '{"id":2,"timestamp":',
        '{"id":3,"timestamp":"2021-10-27T08:39:02Z","event_type":{"id":0},"organisation":{"id":5}}',
        '',
      ].join('\n'),
    );
    const rejects = join(dir, 'rejects.ndjson');
    const io = capturedIo();
    expect(await runPublish([log, '--nats', inject('natsUrl'), '--partitions', '2', '--rejects', rejects], io)).toBe(0);
    expect(io.out()).toContain('records 3 = published 2 + rejected 1; 3 messages acknowledged on 2 partitions');
    const { readFileSync } = await import('node:fs');
    const rejection = JSON.parse(readFileSync(rejects, 'utf8').trim()) as { file: string; line: number; code: string };
    expect(rejection).toMatchObject({ file: log, line: 2, code: 'invalid_json' });
  });

  it('keeps an existing stream’s partition count and refuses another one', async () => {
    const url = inject('natsUrl');
    expect(await runPublish([`${SAMPLES}/seed-events.ndjson`, '--nats', url, '--partitions', '3'], capturedIo())).toBe(0);
    const io = capturedIo();
    expect(await runPublish([`${SAMPLES}/seed-events.ndjson`, '--nats', url, '--partitions', '5'], io)).toBe(1);
    expect(io.err().trim()).toBe(`simfleet publish: stream ${EVENT_STREAM} already has 3 partitions; --partitions 5 asks for another count`);
    const info = await nats.jsm.streams.info(EVENT_STREAM);
    expect(info.config.subjects).toHaveLength(3);
  });

  it('runs as a command of the simfleet binary, with one-line errors', async () => {
    const { stdout } = await run('node', [SIMFLEET_BIN, 'publish', `${SAMPLES}/seed-events.ndjson`, '--nats', inject('natsUrl')]);
    expect(stdout).toContain('records 18 = published 18 + rejected 0; 138 messages acknowledged on 16 partitions');
    const failure = await run('node', [SIMFLEET_BIN, 'publish', `${SAMPLES}/seed-events.ndjson`, '--nats', 'nats://127.0.0.1:1']).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure).toMatchObject({ code: 1 });
    expect((failure as { stderr: string }).stderr.trim().split('\n')).toHaveLength(1);
    expect((failure as { stderr: string }).stderr).toContain('cannot connect to NATS at nats://127.0.0.1:1');
    const missing = await run('node', [SIMFLEET_BIN, 'publish', `${SAMPLES}/seed-events.ndjson`]).catch((error: { code: number; stderr: string }) => error);
    expect(missing).toMatchObject({ code: 1, stderr: 'simfleet publish: --nats URL is required (for example --nats nats://127.0.0.1:4222)\n' });
  });
});
