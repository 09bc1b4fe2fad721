import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureRejectStream, REJECT_STREAM } from '../src/consume/rejectStream.js';
import { publishRecords, type SourcedRecord } from '../src/publish/publishRecords.js';
import { ensureEventStream } from '../src/stream/ensureEventStream.js';
import { type NatsServer, startNatsServer } from './natsServer.js';
import { spawnJsonLines } from './processes.js';
import { type NatsHandles, natsHandles } from './support.js';

const CRASHING_WORKER = fileURLToPath(new URL('./fixtures/crashingWorker.mjs', import.meta.url));

async function* records(count: number, crashAt: number): AsyncGenerator<SourcedRecord> {
  for (let i = 0; i < count; i += 1) {
    const text = JSON.stringify({
      id: 5000 + i,
      timestamp: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
      event_type: { id: 0 },
      description: i === crashAt ? 'CRASH' : 'ok',
      endpoint: { id: 9 },
    });
    yield { text, file: 'crash.ndjson', line: i + 1 };
  }
}

describe('a record that kills the worker', () => {
  let server: NatsServer | undefined;
  let nats: NatsHandles | undefined;
  afterEach(async () => {
    await nats?.close();
    await server?.stop();
  });

  it('is rejected after MaxDeliver owners started at it and died, and the partition goes on', async () => {
    server = await startNatsServer();
    nats = await natsHandles(server.url);
    await ensureEventStream(nats.jsm, 1, 1);
    await ensureRejectStream(nats.jsm);
    await publishRecords(nats.js, records(60, 41), { partitions: 1 });
    const exits: (number | string)[] = [];
    for (let start = 1; start <= 12; start += 1) {
      const owner = spawnJsonLines(`owner-${start}`, [CRASHING_WORKER, server.url, '60']);
      const code = await owner.exited;
      exits.push(code);
      if (code === 0) {
        expect(owner.events).toEqual([{ event: 'caught-up', covered: 60 }]);
        break;
      }
    }
    // Every owner before the last died on the record; the last rejected it and finished.
    expect(exits.at(-1)).toBe(0);
    expect(exits.slice(0, -1).every((code) => code === 70)).toBe(true);
    // Owner 1 dies in its first batch; owner 2 goes one record at a time and dies at the record;
    // owners 3 and 4 die at it at once; owner 5 is the fifth death there (MaxDeliver 5) and rejects it.
    expect(exits).toEqual([70, 70, 70, 70, 0]);
    const rejected = await nats.jsm.streams.getMessage(REJECT_STREAM, { last_by_subj: 'simfleet.rejects' });
    expect(rejected?.header.get('Simfleet-Code')).toBe('max_deliver');
    expect(rejected?.header.get('Simfleet-Reason')).toContain('owners started at this record without getting past it');
    expect(rejected?.header.get('Simfleet-Source')).toBe('crash.ndjson:42');
    expect((await nats.jsm.streams.info(REJECT_STREAM)).state.messages).toBe(1);
  });
});
