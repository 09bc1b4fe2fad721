import { AckPolicy, type Consumer, DeliverPolicy, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import { nanos } from '@nats-io/transport-node';
import { partitionKey } from '../ownership/clusterBuckets.js';
import type { CheckpointRecord } from '../ownership/checkpointRecord.js';
import { FANOUT_HEADER, ORGANISATION_FACTS_HEADER, SOURCE_HEADER } from '../publish/messageHeaders.js';
import { EVENT_STREAM, partitionSubject } from '../stream/eventStream.js';
import { PartitionFencedError } from './PartitionFencedError.js';
import { StoreUnavailableError } from './StoreUnavailableError.js';
import type { PartitionMessage, PartitionSink } from './PartitionSink.js';
import { partitionConsumerName } from './partitionConsumerName.js';
import { publishRejection } from './rejectStream.js';

/** Options for {@link PartitionConsumer}. */
export interface PartitionConsumerOptions {
  /** The worker's name (written into checkpoint records). */
  readonly owner: string;
  /** The checkpoint bucket (status reads it); attempt counters live there too. */
  readonly checkpoints: KV;
  /**
   * Deliveries of one record before it is rejected as poison (default 5): JetStream's
   * MaxDeliver within one consumer, and owners that started from the same position and died
   * (a record that crashes the process) across consumers.
   */
  readonly maxDeliver?: number;
  /** Messages fetched and applied per batch (default 500). */
  readonly batchSize?: number;
  /** The consumer's MaxAckPending (default 2000). */
  readonly maxAckPending?: number;
  /** Empty fetches, with messages pending, after which the consumer is recreated (default 3). */
  readonly stallFetches?: number;
  /** Called after every stored checkpoint. */
  readonly onCheckpoint?: (partition: number, record: CheckpointRecord) => void;
  readonly log?: (line: string) => void;
}

const FETCH_EXPIRES_MS = 1_000;
const ACK_WAIT_MS = 60_000;
const IN_PROCESS_ATTEMPTS = 3;

/**
 * One owned partition: a durable pull consumer on the partition's subject, applied in stream
 * order through a {@link PartitionSink}, acknowledged after the sink stored the position.
 *
 * On start the consumer is (re)created at the sink's position + 1, so a new owner continues
 * exactly where the last checkpoint ends, without waiting for the old owner's unacknowledged
 * messages to time out and without their redelivery out of order. A message at or below the
 * position (a redelivery after a lost ack) is acknowledged and skipped.
 *
 * Poison records never loop: a batch that fails is retried one message at a time; a message
 * that still fails after 3 attempts, or that JetStream delivered `maxDeliver` times, or that
 * sits at a position `maxDeliver` owners started from without getting past (it crashes the
 * process), is published to the rejects stream with the reason, and the position moves past it.
 *
 * The 2.9 server can stall a consumer at MaxAckPending after a restart (deliveries it thinks
 * are pending): when fetches come back empty while the consumer reports pending messages, the
 * consumer is recreated at the position + 1, which is always safe here.
 *
 * @example
 * const consumer = new PartitionConsumer(js, jsm, 3, sink, { owner: 'w1', checkpoints });
 * await consumer.start();
 * await consumer.stop();
 */
export class PartitionConsumer {
  readonly #js: JetStreamClient;
  readonly #jsm: JetStreamManager;
  readonly #partition: number;
  readonly #sink: PartitionSink;
  readonly #options: PartitionConsumerOptions;
  readonly #maxDeliver: number;
  #consumer: Consumer | undefined;
  #covered = 0;
  #messages = 0;
  #startAttempt = 1;
  #stopping = false;
  #loop: Promise<void> = Promise.resolve();
  #onFenced: (() => void) | undefined;
  #firstSeqAfterStart: number | undefined;
  /** Records still to apply one at a time before leaving careful mode. */
  #carefulLeft = 0;

  constructor(js: JetStreamClient, jsm: JetStreamManager, partition: number, sink: PartitionSink, options: PartitionConsumerOptions) {
    this.#js = js;
    this.#jsm = jsm;
    this.#partition = partition;
    this.#sink = sink;
    this.#options = options;
    this.#maxDeliver = options.maxDeliver ?? 5;
  }

  /** The stream sequence the partition's stored state covers. */
  get covered(): number {
    return this.#covered;
  }

  /**
   * Opens the partition's state and starts consuming. `onFenced` is called when the sink
   * refuses a batch because another owner moved on.
   */
  async start(onFenced?: () => void): Promise<void> {
    this.#onFenced = onFenced;
    this.#covered = await this.#sink.open(this.#partition);
    const stored = this.#sink.consumed?.(this.#partition);
    if (stored !== undefined) this.#messages = stored;
    else {
      const previous = await this.#readCheckpoint();
      this.#messages = previous?.seq === this.#covered ? previous.messages : 0;
    }
    this.#startAttempt = await this.#countStartAttempt();
    this.#carefulLeft = this.#options.batchSize ?? 500;
    await this.#deleteOtherOwnersConsumers();
    await this.#recreateConsumer();
    this.#loop = this.#run();
  }

  /**
   * Stops after the batch in progress (its checkpoint stored) and closes the partition's state.
   * A clean stop (handover, shutdown) also clears the start-attempt counter: only owners that
   * died count as attempts that did not get past a record.
   */
  async stop(clean = true): Promise<void> {
    this.#stopping = true;
    await this.#loop;
    if (clean) await this.#options.checkpoints.delete(`attempt.${this.#partition}`).catch(() => {});
    await this.#sink.close(this.#partition, !clean);
  }

  async #run(): Promise<void> {
    let emptyFetches = 0;
    while (!this.#stopping) {
      let batch: JsMsg[];
      try {
        batch = await this.#fetch();
      } catch (error) {
        this.#log(`fetch failed: ${errorText(error)}`);
        await sleep(250);
        await this.#recreateConsumer().catch(() => {});
        continue;
      }
      if (batch.length === 0) {
        emptyFetches += 1;
        if (emptyFetches >= (this.#options.stallFetches ?? 3)) {
          emptyFetches = 0;
          await this.#recoverFromStall().catch((error) => this.#log(`stall check failed: ${errorText(error)}`));
        }
        continue;
      }
      emptyFetches = 0;
      try {
        await this.#process(batch);
      } catch (error) {
        if (error instanceof PartitionFencedError) {
          this.#log(`fenced: ${error.message}`);
          this.#stopping = true;
          this.#onFenced?.();
          return;
        }
        // A failure outside the sink (NATS down while acking or checkpointing), or a store that
        // cannot be reached: nothing was acknowledged beyond the stored position, so start again
        // from it (a new consumer: the redeliveries of an outage count against no record).
        this.#log(`batch failed, resuming from seq ${this.#covered + 1}: ${errorText(error)}`);
        await sleep(error instanceof StoreUnavailableError ? 1_000 : 250);
        await this.#recreateConsumer().catch(() => {});
      }
    }
  }

  async #fetch(): Promise<JsMsg[]> {
    if (this.#consumer === undefined) await this.#recreateConsumer();
    const consumer = this.#consumer!;
    // Right after a restart from a position that owners failed to get past, go one message at a
    // time so a crashing record is found exactly.
    const max = this.#startAttempt > 1 ? 1 : (this.#options.batchSize ?? 500);
    const messages = await consumer.fetch({ max_messages: max, expires: FETCH_EXPIRES_MS });
    const batch: JsMsg[] = [];
    for await (const m of messages) batch.push(m);
    return batch;
  }

  async #process(batch: readonly JsMsg[]): Promise<void> {
    let run: JsMsg[] = [];
    for (const m of batch) {
      if (m.seq <= this.#covered) {
        m.ack(); // already in the stored state (a redelivery after a lost ack)
        continue;
      }
      const poison = this.#poisonReason(m);
      if (poison === undefined) {
        run.push(m);
        continue;
      }
      await this.#applyRun(run);
      run = [];
      await this.#reject(m, 'max_deliver', poison);
    }
    await this.#applyRun(run);
  }

  #poisonReason(m: JsMsg): string | undefined {
    if (m.info.deliveryCount >= this.#maxDeliver) {
      return `delivered ${m.info.deliveryCount} times without being applied (MaxDeliver ${this.#maxDeliver})`;
    }
    // The record the crashed owners could not get past: the first one after the position.
    this.#firstSeqAfterStart ??= m.seq;
    if (this.#startAttempt >= this.#maxDeliver && m.seq === this.#firstSeqAfterStart) {
      return `${this.#startAttempt} owners started at this record without getting past it (it stops the worker)`;
    }
    return undefined;
  }

  async #applyRun(run: readonly JsMsg[]): Promise<void> {
    if (run.length === 0) return;
    try {
      await this.#applyAndAck(run);
      return;
    } catch (error) {
      if (error instanceof PartitionFencedError || error instanceof StoreUnavailableError) throw error;
      this.#log(`batch of ${run.length} failed (${errorText(error)}): retrying one record at a time`);
    }
    for (const m of run) {
      if (m.seq <= this.#covered) continue;
      let lastError: unknown;
      for (let attempt = 1; attempt <= IN_PROCESS_ATTEMPTS; attempt += 1) {
        try {
          await this.#applyAndAck([m]);
          lastError = undefined;
          break;
        } catch (error) {
          if (error instanceof PartitionFencedError || error instanceof StoreUnavailableError) throw error;
          lastError = error;
          await sleep(50 * attempt);
        }
      }
      if (lastError !== undefined) await this.#reject(m, 'apply_failed', `applying failed ${IN_PROCESS_ATTEMPTS} times: ${errorText(lastError)}`);
    }
  }

  async #applyAndAck(run: readonly JsMsg[]): Promise<void> {
    const pending = run.filter((m) => m.seq > this.#covered);
    const last = pending[pending.length - 1];
    if (last === undefined) return;
    // Only a failure of the sink itself means "not applied"; once it resolved, the records are
    // in the stored state and are never applied again, whatever fails after.
    const result = await this.#sink.apply(this.#partition, pending.map(toPartitionMessage), this.#covered, last.seq);
    this.#covered = last.seq;
    this.#messages += pending.length;
    try {
      for (const rejection of result.rejected) {
        const m = pending.find((candidate) => candidate.seq === rejection.seq);
        await publishRejection(this.#js, {
          partition: this.#partition,
          seq: rejection.seq,
          code: rejection.code,
          reason: rejection.reason,
          source: m?.headers?.get(SOURCE_HEADER) || undefined,
          text: m?.string() ?? '',
        });
      }
      await this.#recordCheckpoint();
      for (const m of run) m.ack();
    } catch (error) {
      // Unacknowledged messages come back and are skipped (at or below the position); the
      // checkpoint record is rewritten with the next batch.
      this.#log(`stored seq ${last.seq}, but acknowledging or recording it failed: ${errorText(error)}`);
    }
  }

  /** Rejects a poison record: published first (never lost), then the position moves past it. */
  async #reject(m: JsMsg, code: string, reason: string): Promise<void> {
    this.#log(`rejected seq ${m.seq}: ${reason}`);
    await publishRejection(this.#js, {
      partition: this.#partition,
      seq: m.seq,
      code,
      reason,
      source: m.headers?.get(SOURCE_HEADER) || undefined,
      text: m.string(),
    });
    await this.#sink.apply(this.#partition, [], this.#covered, m.seq);
    this.#covered = m.seq;
    this.#messages += 1;
    await this.#recordCheckpoint().catch((error) => this.#log(`recording the checkpoint failed: ${errorText(error)}`));
    m.ack();
  }

  async #recordCheckpoint(): Promise<void> {
    if (this.#startAttempt > 1) {
      // Careful mode after owners died here: one record per batch, the death count carried
      // forward with the position, until a full batch's worth of records got through (the
      // record that killed them lies within the first batch after where they started).
      this.#carefulLeft -= 1;
      if (this.#carefulLeft <= 0) {
        this.#startAttempt = 1;
        await this.#options.checkpoints.delete(`attempt.${this.#partition}`).catch(() => {});
      } else {
        await this.#options.checkpoints.put(`attempt.${this.#partition}`, JSON.stringify({ from: this.#covered, count: this.#startAttempt }));
      }
    }
    const record: CheckpointRecord = { seq: this.#covered, messages: this.#messages, at: new Date().toISOString(), owner: this.#options.owner };
    await this.#options.checkpoints.put(partitionKey(this.#partition), JSON.stringify(record));
    this.#options.onCheckpoint?.(this.#partition, record);
  }

  async #readCheckpoint(): Promise<CheckpointRecord | undefined> {
    const entry = await this.#options.checkpoints.get(partitionKey(this.#partition));
    if (entry === null || entry.operation !== 'PUT') return undefined;
    return entry.json<CheckpointRecord>();
  }

  /** How many owners in a row started this partition at the current position (1: this one only). */
  async #countStartAttempt(): Promise<number> {
    const key = `attempt.${this.#partition}`;
    const entry = await this.#options.checkpoints.get(key);
    const previous = entry !== null && entry.operation === 'PUT' ? entry.json<{ from: number; count: number }>() : undefined;
    const count = previous !== undefined && previous.from === this.#covered ? previous.count + 1 : 1;
    await this.#options.checkpoints.put(key, JSON.stringify({ from: this.#covered, count }));
    return count;
  }

  /** Deletes this partition's consumers of other owners (stopped, dead or stale ones). */
  async #deleteOtherOwnersConsumers(): Promise<void> {
    const mine = partitionConsumerName(this.#partition, this.#options.owner);
    const subject = partitionSubject(this.#partition);
    const others: string[] = [];
    for await (const info of this.#jsm.consumers.list(EVENT_STREAM)) {
      if (info.config.filter_subject === subject && info.name !== mine && info.config.durable_name !== undefined) others.push(info.name);
    }
    for (const name of others) await this.#jsm.consumers.delete(EVENT_STREAM, name).catch(() => false);
  }

  async #recreateConsumer(): Promise<void> {
    const durable = partitionConsumerName(this.#partition, this.#options.owner);
    await this.#jsm.consumers.delete(EVENT_STREAM, durable).catch(() => false);
    await this.#jsm.consumers.add(EVENT_STREAM, {
      durable_name: durable,
      filter_subject: partitionSubject(this.#partition),
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: this.#covered + 1,
      max_deliver: this.#maxDeliver,
      ack_wait: nanos(ACK_WAIT_MS),
      max_ack_pending: this.#options.maxAckPending ?? 2_000,
    });
    this.#consumer = await this.#js.consumers.get(EVENT_STREAM, durable);
    this.#firstSeqAfterStart = undefined;
  }

  async #recoverFromStall(): Promise<void> {
    const info = await this.#jsm.consumers.info(EVENT_STREAM, partitionConsumerName(this.#partition, this.#options.owner));
    if (info.num_pending === 0) return;
    this.#log(
      `consumer stalled with ${info.num_pending} pending and ${info.num_ack_pending} awaiting ack (MaxAckPending ${info.config.max_ack_pending}): recreated at seq ${this.#covered + 1}`,
    );
    await this.#recreateConsumer();
  }

  #log(line: string): void {
    this.#options.log?.(`partition ${this.#partition}: ${line}`);
  }
}

/** The sink's view of a stored message (also used when a partition is rebuilt from the stream). */
export function toPartitionMessage(m: JsMsg): PartitionMessage {
  const fanout = m.headers?.get(FANOUT_HEADER);
  const factsFrom = m.headers?.get(ORGANISATION_FACTS_HEADER);
  return {
    ...(factsFrom === undefined || factsFrom === '' ? {} : { factsFrom: Number(factsFrom) }),
    seq: m.seq,
    storedAt: m.time.getTime(),
    text: m.string(),
    source: m.headers?.get(SOURCE_HEADER) || undefined,
    fanoutHome: fanout === undefined || fanout === '' ? undefined : Number(fanout),
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
