import { DeliverPolicy, type JetStreamClient } from '@nats-io/jetstream';
import { headers } from '@nats-io/transport-node';
import { decodeEventText, type EmnifyEvent, type OrganisationFact, type Transition } from '@simfleet/core';
import { LIVE_REJECTED, LiveFleet } from '@simfleet/engine';
import { toPartitionMessage } from '../consume/PartitionConsumer.js';
import { PartitionFencedError } from '../consume/PartitionFencedError.js';
import type { PartitionMessage, PartitionSink, SinkRejection, SinkResult } from '../consume/PartitionSink.js';
import { StoreUnavailableError } from '../consume/StoreUnavailableError.js';
import { ORGANISATION_FACTS_HEADER } from '../publish/messageHeaders.js';
import { EVENT_STREAM, partitionSubject } from '../stream/eventStream.js';
import { partitionOf } from '../stream/partitionOf.js';
import { applyFacts, decodeOrganisationFacts, encodeOrganisationFacts, factsSince, markOrganisations } from './organisationFacts.js';
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
  /** State changes since the stored position. */
  readonly transitions: Transition[];
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
 * Organisations couple partitions: after each batch, the facts of the organisations its own
 * records moved are published to every other partition before the batch is stored
 * (engine/organisationFacts.ts), and facts received are applied to the organisations only.
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
    const state: OpenPartition = { live: undefined as unknown as LiveFleet, clock: 0, changed: new Set(), transitions: [], consumed, covered };
    const live = new LiveFleet({
      ...(this.#options.reorderHorizonMs === undefined ? {} : { reorderHorizonMs: this.#options.reorderHorizonMs }),
      now: () => state.clock,
      onTransition: (transition) => {
        state.changed.add(transition.endpointId);
        state.transitions.push(transition);
      },
    });
    (state as { live: LiveFleet }).live = live;
    if (covered > 0) await this.#rebuild(partition, state, covered);
    state.changed.clear();
    state.transitions.length = 0;
    this.#open.set(partition, state);
    return covered;
  }

  async apply(partition: number, messages: readonly PartitionMessage[], previousSeq: number, coveredSeq: number): Promise<SinkResult> {
    let state = this.#open.get(partition);
    if (state === undefined) {
      // Its state was dropped after a failed write and could not be rebuilt then (the store
      // was down): rebuild it now, at the stored position.
      const covered = await this.open(partition);
      if (covered !== previousSeq) throw new PartitionFencedError(`partition ${partition} is at seq ${covered}, this worker continued from ${previousSeq}`);
      state = this.#open.get(partition) as OpenPartition;
    }
    try {
      const { rejected, facts } = this.#ingest(state, messages);
      // Before the batch is stored: a crash in between applies the batch again and sends them again.
      if (facts.length > 0) await this.#sendFacts(partition, coveredSeq, facts);
      const ours = (id: number): boolean => partitionOf(id, this.#options.partitions) === partition;
      const endpointIds = [...state.changed].filter(ours);
      const transitions = state.transitions.filter((t) => ours(t.endpointId));
      // An empty batch moves the position past one rejected (poison) record.
      const consumed = state.consumed + Math.max(1, messages.length);
      await this.#store.commit(partition, { previousSeq, coveredSeq, consumed, fleet: state.live.fleet, endpointIds, transitions, asOf: state.live.asOf });
      state.consumed = consumed;
      state.covered = coveredSeq;
      state.changed.clear();
      state.transitions.length = 0;
      return { rejected };
    } catch (error) {
      // The live state may now hold part of a batch the store does not: drop it. A fenced
      // partition is closed by its consumer; any other failure is retried on the state rebuilt
      // at the stored position (so the retry finds the same changes to write, not duplicates).
      this.#open.delete(partition);
      if (!(error instanceof PartitionFencedError)) await this.open(partition).catch(() => {});
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

  /**
   * Decodes and ingests a batch: its records through the engine, the organisation facts it
   * holds to the organisations. Returns what could not be decoded or was refused, and the facts
   * of the organisations the batch's own records moved (to send to the other partitions).
   */
  #ingest(state: OpenPartition, messages: readonly PartitionMessage[]): { rejected: SinkRejection[]; facts: OrganisationFact[] } {
    const rejected: SinkRejection[] = [];
    const events: EmnifyEvent[] = [];
    const seqOf: number[] = [];
    const received: OrganisationFact[] = [];
    let clock = state.clock;
    for (const m of messages) {
      clock = Math.max(clock, m.storedAt);
      if (m.factsFrom !== undefined) {
        const facts = decodeOrganisationFacts(m.text);
        if (facts.ok) received.push(...facts.facts);
        else rejected.push({ seq: m.seq, code: 'invalid_organisation_facts', reason: `organisation facts from partition ${m.factsFrom}: ${facts.reason}` });
        continue;
      }
      const decoded = decodeEventText(m.text);
      if (!decoded.ok) {
        rejected.push({ seq: m.seq, code: decoded.error.code, reason: decoded.error.message });
        continue;
      }
      events.push(decoded.value);
      seqOf.push(m.seq);
    }
    state.clock = clock;
    let facts: OrganisationFact[] = [];
    if (events.length > 0) {
      const mark = markOrganisations(state.live.fleet);
      const result = state.live.ingest(events);
      facts = factsSince(state.live.fleet, mark);
      markChanged(state, events, result.outcomes);
      for (const r of result.rejected) rejected.push({ seq: seqOf[r.index] ?? 0, code: r.code, reason: r.reason });
    }
    // After the mark was compared: facts received are never sent on.
    if (received.length > 0) {
      applyFacts(state.live.fleet, received, (t) => {
        state.changed.add(t.endpointId);
        state.transitions.push(t);
      });
    }
    return { rejected: rejected.sort((a, b) => a.seq - b.seq), facts };
  }

  /** Publishes a batch's organisation facts to every other partition and waits for JetStream's acks. */
  async #sendFacts(partition: number, coveredSeq: number, facts: readonly OrganisationFact[]): Promise<void> {
    const body = encodeOrganisationFacts(facts);
    const sends: Promise<unknown>[] = [];
    for (let q = 0; q < this.#options.partitions; q++) {
      if (q === partition) continue;
      const hdrs = headers();
      hdrs.set(ORGANISATION_FACTS_HEADER, String(partition));
      // The same batch sent again (a retry after a failed write) is a duplicate within the window.
      sends.push(this.#js.publish(partitionSubject(q), body, { msgID: `facts.${partition}.${coveredSeq}.${q}`, headers: hdrs, timeout: 30_000 }));
    }
    try {
      await Promise.all(sends);
    } catch (error) {
      await Promise.allSettled(sends);
      throw new StoreUnavailableError(`JetStream did not acknowledge the organisation facts of partition ${partition}: ${(error as Error).message}`);
    }
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

/**
 * Adds the endpoints whose rows a batch may have changed to `state.changed` (transitions add
 * theirs as they happen): those its events name — an event can change a row's fields (IMEI,
 * operator, address) without a state change — and every member of an organisation an
 * endpoint-less event names (a member's row can change without a transition of its own).
 */
function markChanged(state: OpenPartition, events: readonly EmnifyEvent[], outcomes: Uint8Array): void {
  const fleet = state.live.fleet;
  const organisations = new Set<number>();
  events.forEach((e, i) => {
    if (outcomes[i] === LIVE_REJECTED) return;
    const endpointId = e.endpoint?.id;
    if (endpointId !== undefined && endpointId !== null) state.changed.add(endpointId);
    else if (e.organisation !== null) {
      const o = fleet.organisationIndexById.get(e.organisation.id);
      if (o !== undefined) organisations.add(o);
    }
  });
  if (organisations.size === 0) return;
  for (let d = 0; d < fleet.endpointCount; d++) if (organisations.has(fleet.organisationIndexOfDevice(d))) state.changed.add(fleet.idOf(d));
}
