/**
 * `simfleet serve --nats URL`: the webhook as a gateway into the cluster's event stream.
 *
 * The choice: serve keeps folding what it accepts into its own live state (its routes, the
 * dashboard and SSE work as without the flag, and show what *this* process accepted since it
 * started), and the JetStream stream becomes its write-ahead: a request's records are published
 * (same partitions and `Nats-Msg-Id` as `simfleet publish`) and applied here only once
 * JetStream acknowledged every one of them; then `POST /events` answers 2xx. If JetStream does
 * not acknowledge them all, the request is answered 503 with `Retry-After` and nothing of it is
 * applied or acknowledged (what was stored is a duplicate when the client sends it again). The
 * cluster's state — every publisher's records — is the workers' PostgreSQL tables.
 *
 * Exactly the records serve accepts are published: records the decoder refuses keep their
 * per-record reasons and are not sent; records dated after the clock guard are not sent and
 * are refused here (the clock for the guard is fixed per request, so what is published and
 * what is accepted agree).
 */

import { ClusterError, StreamGateway, StreamUnavailableError } from '@simfleet/cluster';
import { type EmnifyEvent, encodeEvent, stringifyJson } from '@simfleet/core';
import { JournalError } from '@simfleet/engine';
import { UsageError } from '../cliIo.js';
import type { BodyRows } from './BodyRows.js';

/**
 * The engine's receiving clock under `--nats`: fixed, while a request is applied, to the time
 * its records were published at (so the clock guard judges them as the publish did).
 *
 * @example
 * const clock = new RequestClock(); new LiveFleet({ now: clock.now });
 */
export class RequestClock {
  /** The fixed time, or null (then `Date.now()`). */
  fixed: number | null = null;
  readonly now = (): number => this.fixed ?? Date.now();
}

/** serve's hooks for `--nats`: the write-ahead and the health. */
export class ServeNats {
  readonly #gateway: StreamGateway;
  readonly #maxClockSkewMs: number;
  readonly #clock: RequestClock;

  private constructor(gateway: StreamGateway, maxClockSkewMs: number, clock: RequestClock) {
    this.#gateway = gateway;
    this.#maxClockSkewMs = maxClockSkewMs;
    this.#clock = clock;
  }

  /**
   * Connects to NATS and creates the event stream when missing (`--partitions N`, default 16).
   * An unreachable server or a partition count the stream does not have is a `UsageError`.
   *
   * @example
   * const nats = await ServeNats.open('nats://127.0.0.1:4222', undefined, DEFAULT_MAX_CLOCK_SKEW_MS, clock);
   */
  static async open(url: string, partitions: number | undefined, maxClockSkewMs: number, clock: RequestClock): Promise<ServeNats> {
    try {
      const gateway = await StreamGateway.open(url, { ...(partitions === undefined ? {} : { partitions }), name: `simfleet serve ${process.pid}` });
      return new ServeNats(gateway, maxClockSkewMs, clock);
    } catch (error) {
      if (error instanceof ClusterError) throw new UsageError(`--nats: ${error.message}`);
      throw error;
    }
  }

  /** The stream's partition count. */
  get partitions(): number {
    return this.#gateway.partitions;
  }

  /**
   * startServer's `writeAhead`: publishes the body's rows the clock guard will accept, waits
   * for every ack, then applies the request with the clock of the publish. A missing ack
   * rejects with a retryable `JournalError` (serve answers 503, Retry-After, nothing applied).
   * Rows are sent as `encodeEvent`'s canonical JSON (it decodes to the same event); records the
   * engine's columns cannot hold (`misfits`) are refused here and not sent.
   */
  readonly writeAhead = async <R>(body: BodyRows, apply: () => R): Promise<R> => {
    const at = Date.now();
    const limit = at + this.#maxClockSkewMs;
    const received = new Date(at).toISOString();
    const events = body.rows.length === 0 ? [] : body.events();
    const records = [];
    for (let row = 0; row < events.length; row++) {
      const event = events[row] as EmnifyEvent;
      if (event.timestamp > limit) continue;
      records.push({ event, text: stringifyJson(encodeEvent(event)), source: `POST /events ${received}:${body.bodyIndex(row) + 1}` });
    }
    try {
      await this.#gateway.publish(records);
    } catch (error) {
      if (!(error instanceof StreamUnavailableError)) throw error;
      throw new JournalError('io_error', error.message, { path: this.#gateway.url, cause: error });
    }
    // apply() is synchronous: no other request's clock can interleave.
    this.#clock.fixed = at;
    try {
      return apply();
    } finally {
      this.#clock.fixed = null;
    }
  };

  /** What `/healthz` shows under `nats`. */
  health(): { ok: boolean; nats: ReturnType<StreamGateway['status']> } {
    return { ok: true, nats: this.#gateway.status() };
  }

  async close(): Promise<void> {
    await this.#gateway.close();
  }
}
