import { Kvm } from '@nats-io/kv';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { PartitionConsumer } from '../src/consume/PartitionConsumer.js';
import type { PartitionMessage, PartitionSink, SinkResult } from '../src/consume/PartitionSink.js';
import { partitionConsumerName } from '../src/consume/partitionConsumerName.js';
import { REJECT_STREAM, ensureRejectStream } from '../src/consume/rejectStream.js';
import { openCheckpointBucket } from '../src/ownership/clusterBuckets.js';
import { publishRecords, type SourcedRecord } from '../src/publish/publishRecords.js';
import { ensureEventStream } from '../src/stream/ensureEventStream.js';
import { EVENT_STREAM } from '../src/stream/eventStream.js';
import { startNatsServer, type NatsServer } from './natsServer.js';
import { waitFor } from './processes.js';
import { deleteEventStream, type NatsHandles, natsHandles, readEventStream } from './support.js';

/**
 * A sink that keeps each partition's applied records and position in memory, with the same
 * contract as the database sink: the position moves only with the records, a stale previous
 * position is refused. `fail` decides which records throw (poison).
 */
class RecordingSink implements PartitionSink {
  readonly applied: number[] = [];
  position = 0;
  constructor(
    readonly fail: (m: PartitionMessage) => boolean = () => false,
    readonly delayMs = 0,
  ) {}
  async open(): Promise<number> {
    return this.position;
  }
  async apply(_partition: number, messages: readonly PartitionMessage[], previousSeq: number, coveredSeq: number): Promise<SinkResult> {
    if (previousSeq !== this.position) throw new Error(`stale position ${previousSeq}, stored ${this.position}`);
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (messages.some(this.fail)) throw new Error('cannot apply this record');
    this.applied.push(...messages.map((m) => m.seq));
    this.position = coveredSeq;
    return { rejected: [] };
  }
  async close(): Promise<void> {}
}

function records(count: number, poisonAt?: number): SourcedRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    text: JSON.stringify({
      id: 1000 + i,
      timestamp: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
      event_type: { id: 0 },
      description: i === poisonAt ? 'POISON' : 'ok',
      endpoint: { id: 7 },
    }),
    file: 'generated.ndjson',
    line: i + 1,
  }));
}

async function* each<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}

describe('a partition consumer', () => {
  let own: NatsServer | undefined;
  const handles: NatsHandles[] = [];
  afterEach(async () => {
    for (const h of handles.splice(0)) await h.close();
    await own?.stop();
    own = undefined;
  });

  it('rejects a poison record with its reason and location, applies the rest in order, and does not redeliver it', async () => {
    const nats = await natsHandles(inject('natsUrl'));
    handles.push(nats);
    await deleteEventStream(nats.jsm);
    await nats.jsm.streams.delete(REJECT_STREAM).catch(() => false);
    await ensureEventStream(nats.jsm, 1, 1);
    await ensureRejectStream(nats.jsm);
    await publishRecords(nats.js, each(records(20, 7)), { partitions: 1 });
    const sink = new RecordingSink((m) => m.text.includes('POISON'));
    const consumer = new PartitionConsumer(nats.js, nats.jsm, 0, sink, { owner: 't', checkpoints: await openCheckpointBucket(nats.nc) });
    await consumer.start();
    const last = (await nats.jsm.streams.info(EVENT_STREAM)).state.last_seq;
    await waitFor('the partition caught up', async () => (consumer.covered === last ? true : undefined), 30_000);
    await consumer.stop();
    const stored = await readEventStream(nats.js, nats.jsm);
    const poisonSeq = stored.find((m) => m.text.includes('POISON'))?.seq;
    expect(sink.applied).toEqual(stored.map((m) => m.seq).filter((seq) => seq !== poisonSeq));
    const rejected = await nats.jsm.streams.getMessage(REJECT_STREAM, { last_by_subj: 'simfleet.rejects' });
    expect(rejected?.header.get('Simfleet-Code')).toBe('apply_failed');
    expect(rejected?.header.get('Simfleet-Reason')).toContain('cannot apply this record');
    expect(rejected?.header.get('Simfleet-Source')).toBe('generated.ndjson:8');
    expect(rejected?.string()).toContain('POISON');
    const info = await nats.jsm.consumers.info(EVENT_STREAM, partitionConsumerName(0, 't'));
    expect(info.num_ack_pending + info.num_pending).toBe(0);
  });

  it('keeps consuming across a NATS restart with MaxAckPending reached, every record once and in order', async () => {
    own = await startNatsServer();
    const nats = await natsHandles(own.url);
    handles.push(nats);
    await ensureEventStream(nats.jsm, 1, 1);
    await ensureRejectStream(nats.jsm);
    await publishRecords(nats.js, each(records(3_000)), { partitions: 1 });
    // A slow sink and a small MaxAckPending: deliveries are waiting for acks when the server stops.
    const sink = new RecordingSink(() => false, 5);
    const logs: string[] = [];
    const consumer = new PartitionConsumer(nats.js, nats.jsm, 0, sink, {
      owner: 't',
      checkpoints: await openCheckpointBucket(nats.nc),
      batchSize: 40,
      maxAckPending: 40,
      log: (line) => logs.push(line),
    });
    await consumer.start();
    await waitFor('a third applied', async () => (sink.applied.length >= 1_000 ? true : undefined), 60_000);
    await own.restart();
    await waitFor('the partition caught up after the restart', async () => (consumer.covered === 3_000 ? true : undefined), 90_000);
    await consumer.stop();
    expect(sink.applied, logs.join('\n')).toEqual(Array.from({ length: 3_000 }, (_, i) => i + 1));
    // The stored checkpoint record covers the whole partition.
    const checkpoint = await (await new Kvm(nats.nc).open('simfleet_checkpoints')).get('partition.0');
    expect(checkpoint?.json<{ seq: number; messages: number }>()).toMatchObject({ seq: 3_000, messages: 3_000 });
  });
});
