import { type JetStreamClient, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { headers, type NatsConnection } from '@nats-io/transport-node';
import type { EmnifyEvent } from '@simfleet/core';
import { connectNats } from '../nats/connectNats.js';
import { ensureEventStream } from '../stream/ensureEventStream.js';
import { DEFAULT_PARTITIONS, EVENT_STREAM, partitionSubject } from '../stream/eventStream.js';
import { FANOUT_HEADER, SOURCE_HEADER } from './messageHeaders.js';
import { recordMessages } from './recordRoute.js';

/** A decoded record to publish, with its JSON text and where it came from. */
export interface GatewayRecord {
  readonly event: EmnifyEvent;
  readonly text: string;
  /** What `Simfleet-Source` says (`file:line` for publish; the request for serve). */
  readonly source: string;
}

/** Options for {@link StreamGateway.open}. */
export interface StreamGatewayOptions {
  /** Partition count of a new stream (must match an existing one; default 16 when it is created). */
  readonly partitions?: number;
  /** How long to wait for JetStream's ack of a message before the publish fails (default 5 s). */
  readonly ackTimeoutMs?: number;
  /** Client name shown by the server. */
  readonly name?: string;
}

/** JetStream did not acknowledge every message of a publish: some may be stored, the caller acknowledged nothing. */
export class StreamUnavailableError extends Error {
  override readonly name = 'StreamUnavailableError';
}

/**
 * Publishes decoded records into the event stream and resolves once JetStream acknowledged
 * every message — the same partitions, fan-out and `Nats-Msg-Id` as `simfleet publish`, so a
 * record sent twice (by a client retrying, or by serve and publish) is stored once within the
 * duplicate window and dropped by the workers' engine after it. The connection reconnects by
 * itself; while the server is away, a publish fails after the ack timeout.
 *
 * @example
 * const gateway = await StreamGateway.open('nats://127.0.0.1:4222');
 * await gateway.publish([{ event, text, source: 'POST /events:1' }]); // stored in JetStream
 * await gateway.close();
 */
export class StreamGateway {
  readonly url: string;
  /** The stream's partition count. */
  readonly partitions: number;
  readonly #nc: NatsConnection;
  readonly #js: JetStreamClient;
  readonly #ackTimeoutMs: number;
  #messages = 0;
  #failures = 0;

  private constructor(url: string, nc: NatsConnection, partitions: number, ackTimeoutMs: number) {
    this.url = url;
    this.#nc = nc;
    this.#js = jetstream(nc);
    this.partitions = partitions;
    this.#ackTimeoutMs = ackTimeoutMs;
  }

  /**
   * Connects and creates the event stream when it does not exist yet. An unreachable server
   * or a partition count that differs from the stream's is a one-line `ClusterError`.
   */
  static async open(url: string, options: StreamGatewayOptions = {}): Promise<StreamGateway> {
    const nc = await connectNats(url, { reconnectForever: true, ...(options.name === undefined ? {} : { name: options.name }) });
    try {
      const partitions = await ensureEventStream(await jetstreamManager(nc), options.partitions, DEFAULT_PARTITIONS);
      return new StreamGateway(url, nc, partitions, options.ackTimeoutMs ?? 5_000);
    } catch (error) {
      await nc.close();
      throw error;
    }
  }

  /** Publishes every record and waits for every ack; throws {@link StreamUnavailableError} when one is missing. */
  async publish(records: readonly GatewayRecord[]): Promise<void> {
    const acks: Promise<unknown>[] = [];
    for (const record of records) {
      for (const m of recordMessages(record.event, this.partitions)) {
        const hdrs = headers();
        hdrs.set(SOURCE_HEADER, record.source);
        if (m.fanoutHome !== undefined) hdrs.set(FANOUT_HEADER, String(m.fanoutHome));
        acks.push(this.#js.publish(partitionSubject(m.partition), record.text, { msgID: m.msgId, headers: hdrs, timeout: this.#ackTimeoutMs }));
      }
    }
    const settled = await Promise.allSettled(acks);
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed !== undefined) {
      this.#failures += 1;
      const reason = failed.reason instanceof Error ? failed.reason.message : String(failed.reason);
      throw new StreamUnavailableError(
        `JetStream at ${this.url} did not acknowledge ${settled.filter((s) => s.status === 'rejected').length} of ${acks.length} messages to ${EVENT_STREAM}: ${reason}`,
      );
    }
    this.#messages += acks.length;
  }

  /** What `/healthz` shows: the stream, its partitions, the messages acknowledged and the publishes that failed. */
  status(): { url: string; stream: string; partitions: number; messages: number; failedPublishes: number } {
    return { url: this.url, stream: EVENT_STREAM, partitions: this.partitions, messages: this.#messages, failedPublishes: this.#failures };
  }

  /** Closes the connection (after what was published was acknowledged). */
  async close(): Promise<void> {
    await this.#nc.close().catch(() => {});
  }
}
