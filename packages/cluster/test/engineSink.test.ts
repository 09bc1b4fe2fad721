import { jetstream } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { expandPaths, replaySources } from '@simfleet/engine';
import { afterEach, describe, expect, it } from 'vitest';
import { runPublish } from '../src/commands/publish.js';
import { PartitionConsumer } from '../src/consume/PartitionConsumer.js';
import { ensureRejectStream } from '../src/consume/rejectStream.js';
import { EngineSink } from '../src/engine/EngineSink.js';
import { KvPositionStore } from '../src/engine/KvPositionStore.js';
import { openCheckpointBucket } from '../src/ownership/clusterBuckets.js';
import { EVENT_STREAM, partitionSubjects } from '../src/stream/eventStream.js';
import { partitionOf } from '../src/stream/partitionOf.js';
import { type NatsServer, startNatsServer } from './natsServer.js';
import { waitFor } from './processes.js';
import { capturedIo, type NatsHandles, natsHandles, REPO } from './support.js';

const SAMPLES = `${REPO}examples/data`;
const PARTITIONS = 4;

describe('partitions applied through the engine', () => {
  let server: NatsServer | undefined;
  let nats: NatsHandles | undefined;
  afterEach(async () => {
    await nats?.close();
    await server?.stop();
  });

  it('hold replay’s state of every endpoint, also after a partition is rebuilt from the stream and a file is re-published', async () => {
    server = await startNatsServer();
    nats = await natsHandles(server.url);
    const { jsm } = nats;
    const js = jetstream(nats.nc);
    // A one-second duplicate window: the re-published file below is stored again, so the
    // engine (not JetStream) has to drop its copies, as replay does.
    await jsm.streams.add({ name: EVENT_STREAM, subjects: partitionSubjects(PARTITIONS), duplicate_window: nanos(1_000) });
    await ensureRejectStream(jsm);
    expect(await runPublish([SAMPLES, '--nats', server.url], capturedIo())).toBe(0);

    const checkpoints = await openCheckpointBucket(nats.nc);
    const store = new KvPositionStore(checkpoints);
    const sink = new EngineSink(js, store, { partitions: PARTITIONS });
    const consumers = new Map<number, PartitionConsumer>();
    const startPartition = async (partition: number, into: EngineSink): Promise<void> => {
      const consumer = new PartitionConsumer(js, jsm, partition, into, { owner: 'test', checkpoints });
      await consumer.start();
      consumers.set(partition, consumer);
    };
    const caughtUp = async (): Promise<void> => {
      const info = await jsm.streams.info(EVENT_STREAM, { subjects_filter: '>' });
      await waitFor(
        'every partition caught up',
        async () => {
          for (const [partition, consumer] of consumers) {
            const last = await jsm.streams.getMessage(EVENT_STREAM, { last_by_subj: `simfleet.events.${partition}` });
            if (consumer.covered !== last?.seq) return undefined;
          }
          return true;
        },
        60_000,
      );
      expect(Object.keys(info.state.subjects ?? {})).toHaveLength(PARTITIONS);
    };
    for (let partition = 0; partition < PARTITIONS; partition += 1) await startPartition(partition, sink);
    await caughtUp();

    // Partition 1 changes owner: a new sink rebuilds it from the subject up to the stored position.
    await consumers.get(1)?.stop();
    const takeover = new EngineSink(js, store, { partitions: PARTITIONS });
    await startPartition(1, takeover);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await runPublish([`${SAMPLES}/seed-events.ndjson`, '--nats', server.url], capturedIo())).toBe(0);
    await caughtUp();

    const { session } = await replaySources(await expandPaths([SAMPLES]));
    const expected = session.fleet;
    const fleets = [0, 1, 2, 3].map((p) => (p === 1 ? takeover : sink).fleetOf(p)?.fleet);
    const ids = [...expected.endpointIds()];
    expect(ids.length).toBeGreaterThan(1_000);
    const text = (value: unknown): string => JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    const differing: number[] = [];
    for (const id of ids) {
      const fleet = fleets[partitionOf(id, PARTITIONS)];
      if (text(fleet?.readEndpoint(id)) !== text(expected.readEndpoint(id))) differing.push(id);
    }
    const first = differing[0];
    expect(
      differing,
      first === undefined ? '' : `${text(fleets[partitionOf(first, PARTITIONS)]?.readEndpoint(first))}\n${text(expected.readEndpoint(first))}`,
    ).toEqual([]);
    // No partition holds an endpoint of another.
    for (const [p, fleet] of fleets.entries()) for (const id of fleet?.endpointIds() ?? []) expect(partitionOf(id, PARTITIONS)).toBe(p);
    for (const consumer of consumers.values()) await consumer.stop();
  });
});
