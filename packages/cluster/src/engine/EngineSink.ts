import { DeliverPolicy, type JetStreamClient } from '@nats-io/jetstream';
import { decodeEventText, type EmnifyEvent } from '@simfleet/core';
import { LiveFleet } from '@simfleet/engine';
import { toPartitionMessage } from '../consume/PartitionConsumer.js';
import { PartitionFencedError } from '../consume/PartitionFencedError.js';
import type { PartitionMessage, PartitionSink, SinkRejection, SinkResult } from '../consume/PartitionSink.js';
import { EVENT_STREAM, partitionSubject } from '../stream/eventStream.js';
import { partitionOf } from '../stream/partitionOf.js';
import type { PartitionStore } from './PartitionStore.js';

/** Options for {@link EngineSink}. */
export interface EngineSinkOptions {
  /** The stream's partition count (which endpoints are this partition's). */
  readonly partitions: number;
  /** The engine's reorder horizon (default: the engine's). */
  readonly reorderHorizonMs?: number;
  /** Messages read per fetch while a partition is rebuilt from the stream (default 2000). */
  readonly restoreBatch?: number;
}

interface OpenPartition {
  readonly live: LiveFleet;
  /** Receive time of the batch being ingested (the clock guard's "now"). */
  clock: number;
  readonly changed: Set<number>;
  /** Messages consumed up to the stored position. */
  consumed: number;
  /** The stored position this state is at. */
  covered: number;
}

/**
 * Partitions applied through the engine's live ingest (`LiveFleet`: the semantics of replay —
 * dedupe by id, (time, id) order, reorder horizon), their positions and rows kept by a
 * {@link PartitionStore}.
 *
 * A partition's subject is its changelog: opening a partition rebuilds its `LiveFleet` by
 * reading the subject from its start up to the stored position (what Kafka Streams does with a
 * source topic used as changelog), in stream order, with each message's stored time as the
 * clock guard's receive time, so the rebuilt state is the one the previous owner had.
 *
 * @example
 * const sink = new EngineSink(js, new KvPositionStore(checkpoints), { partitions: 16 });
 */
export class EngineSink implements PartitionSink {
  readonly #js: JetStreamClient;
  readonly #store: PartitionStore;
  readonly #options: EngineSinkOptions;
  readonly #open = new Map<number, OpenPartition>();
  /** States of partitions whose lease was lost, kept in case this worker gets them back unchanged. */
  readonly #kept = new Map<number, OpenPartition>();

  constructor(js: JetStreamClient, store: PartitionStore, options: EngineSinkOptions) {
    this.#js = js;
    this.#store = store;
    this.#options = options;
  }

  /** The live fleet of an open partition (tests and status read it). */
  fleetOf(partition: number): LiveFleet | undefined {
    return this.#open.get(partition)?.live;
  }

  async open(partition: number): Promise<number> {
    const { seq: covered, consumed } = await this.#store.position(partition);
    const kept = this.#kept.get(partition);
    this.#kept.delete(partition);
    if (kept !== undefined && kept.covered === covered) {
      // Nobody moved the partition on since this worker lost it (a pause, a NATS outage): the
      // state in memory is the stored one, no rebuild needed.
      this.#open.set(partition, kept);
      return covered;
    }
    const state: OpenPartition = { live: undefined as unknown as LiveFleet, clock: 0, changed: new Set(), consumed, covered };
    const live = new LiveFleet({
      ...(this.#options.reorderHorizonMs === undefined ? {} : { reorderHorizonMs: this.#options.reorderHorizonMs }),
      now: () => state.clock,
      onTransition: (transition) => state.changed.add(transition.endpointId),
    });
    (state as { live: LiveFleet }).live = live;
    if (covered > 0) await this.#rebuild(partition, state, covered);
    state.changed.clear();
    this.#open.set(partition, state);
    return covered;
  }

  async apply(partition: number, messages: readonly PartitionMessage[], previousSeq: number, coveredSeq: number): Promise<SinkResult> {
    const state = this.#open.get(partition);
    if (state === undefined) throw new Error(`partition ${partition} is not open`);
    try {
      const rejected = this.#ingest(state, messages);
      const endpointIds = [...state.changed].filter((id) => partitionOf(id, this.#options.partitions) === partition);
      // An empty batch moves the position past one rejected (poison) record.
      const consumed = state.consumed + Math.max(1, messages.length);
      await this.#store.commit(partition, { previousSeq, coveredSeq, consumed, fleet: state.live.fleet, endpointIds, asOf: state.live.asOf });
      state.consumed = consumed;
      state.covered = coveredSeq;
      state.changed.clear();
      return { rejected };
    } catch (error) {
      // The live state may now hold part of a batch the store does not: drop it. A fenced
      // partition is closed by its consumer; any other failure is retried on the state rebuilt
      // at the stored position (so the retry finds the same changes to write, not duplicates).
      this.#open.delete(partition);
      if (!(error instanceof PartitionFencedError)) await this.open(partition);
      throw error;
    }
  }

  consumed(partition: number): number | undefined {
    return this.#open.get(partition)?.consumed;
  }

  async close(partition: number, keep = false): Promise<void> {
    const state = this.#open.get(partition);
    this.#open.delete(partition);
    if (keep && state !== undefined) this.#kept.set(partition, state);
  }

  /** Decodes and ingests a batch; what could not be decoded or was refused is returned. */
  #ingest(state: OpenPartition, messages: readonly PartitionMessage[]): SinkRejection[] {
    const rejected: SinkRejection[] = [];
    const events: EmnifyEvent[] = [];
    const seqOf: number[] = [];
    let clock = state.clock;
    for (const m of messages) {
      clock = Math.max(clock, m.storedAt);
      const decoded = decodeEventText(m.text);
      if (!decoded.ok) {
        rejected.push({ seq: m.seq, code: decoded.error.code, reason: decoded.error.message });
        continue;
      }
      events.push(decoded.value);
      seqOf.push(m.seq);
    }
    state.clock = clock;
    if (events.length === 0) return rejected;
    const result = state.live.ingest(events);
    for (const r of result.rejected) rejected.push({ seq: seqOf[r.index] ?? 0, code: r.code, reason: r.reason });
    return rejected.sort((a, b) => a.seq - b.seq);
  }

  /** Re-reads the partition's subject up to `covered` (ordered consumer: nothing acked, nothing kept). */
  async #rebuild(partition: number, state: OpenPartition, covered: number): Promise<void> {
    const subject = partitionSubject(partition);
    const consumer = await this.#js.consumers.get(EVENT_STREAM, { filter_subjects: subject, deliver_policy: DeliverPolicy.All });
    const batchSize = this.#options.restoreBatch ?? 2_000;
    let last = 0;
    while (last < covered) {
      const batch: PartitionMessage[] = [];
      const fetched = await consumer.fetch({ max_messages: batchSize, expires: 2_000 });
      for await (const m of fetched) {
        if (m.seq > covered) break;
        if (m.subject === subject) batch.push(toPartitionMessage(m));
        last = m.seq;
        if (m.seq === covered) break;
      }
      if (batch.length === 0 && last < covered) {
        // No more messages below the position: the stream lost them (limits, a purge).
        throw new Error(`partition ${partition}: the stream ends at seq ${last}, before the stored position ${covered}`);
      }
      this.#ingest(state, batch);
    }
    await consumer.delete().catch(() => {});
  }
}
