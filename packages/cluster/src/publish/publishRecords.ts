import type { JetStreamClient, PubAck } from '@nats-io/jetstream';
import { headers } from '@nats-io/transport-node';
import { decodeEventText } from '@simfleet/core';
import { ClusterError } from '../commands/ClusterError.js';
import { partitionSubject } from '../stream/eventStream.js';
import { FANOUT_HEADER, SOURCE_HEADER } from './messageHeaders.js';
import { recordMessages } from './recordRoute.js';

/** One input record and where it came from. */
export interface SourcedRecord {
  /** The record's JSON text. */
  readonly text: string;
  /** The input it was read from (a path, or `-` for stdin). */
  readonly file: string;
  /** 1-based line in that input. */
  readonly line: number;
  /** A framing problem found while splitting the input: the record is rejected. */
  readonly framingError?: string;
}

/** A record that was not published, and why. */
export interface PublishRejection {
  readonly file: string;
  readonly line: number;
  readonly code: string;
  readonly reason: string;
  readonly raw: string;
}

/** What a publish run did: `records = published + rejected`. */
export interface PublishAccount {
  /** Records read from the inputs. */
  records: number;
  /** Records handed to JetStream (each acknowledged on every partition it went to). */
  published: number;
  /** Records not published: undecodable, with the reason in `onReject`. */
  rejected: number;
  /** Messages JetStream acknowledged (a fanned-out organisation record is one per partition). */
  messages: number;
  /** Of those, messages JetStream already held (same `Nats-Msg-Id` within its duplicate window). */
  duplicates: number;
  /** Records without an endpoint, sent to every partition. */
  fannedOut: number;
}

/** Options for {@link publishRecords}. */
export interface PublishOptions {
  /** The stream's partition count. */
  readonly partitions: number;
  /** Called for every record that is not published. */
  readonly onReject?: (rejection: PublishRejection) => void;
  /** Publishes awaiting their ack at once (default 512): enough to keep the connection busy. */
  readonly window?: number;
}

const DEFAULT_WINDOW = 512;
const ACK_TIMEOUT_MS = 30_000;

/**
 * Publishes event records into the partitioned event stream and waits for JetStream's ack of
 * every message.
 *
 * A record with an endpoint goes to `partitionOf(endpoint.id)` with `Nats-Msg-Id` = its event
 * id. A record without an endpoint (an organisation event, a SIM event before its endpoint
 * exists) can concern any endpoint, including ones first seen later, so it goes to every
 * partition, with `Nats-Msg-Id` = `<event id>.<partition>`; its `Simfleet-Fanout` header names
 * the one partition (by organisation id) whose worker counts it, so fleet-wide counts see it
 * once. Re-publishing is safe: within the stream's duplicate window JetStream drops the copy,
 * beyond it the workers' engine drops it as a duplicate event id, as replay does.
 *
 * @example
 * const account = await publishRecords(jetstream(nc), records, { partitions: 16 });
 */
export async function publishRecords(js: JetStreamClient, records: AsyncIterable<SourcedRecord>, options: PublishOptions): Promise<PublishAccount> {
  const { partitions } = options;
  const window = options.window ?? DEFAULT_WINDOW;
  const account: PublishAccount = { records: 0, published: 0, rejected: 0, messages: 0, duplicates: 0, fannedOut: 0 };
  const inFlight: Promise<PubAck>[] = [];
  let failure: unknown;
  const settle = async (): Promise<void> => {
    const ack = inFlight.shift();
    if (ack === undefined) return;
    try {
      const pubAck = await ack;
      account.messages += 1;
      if (pubAck.duplicate) account.duplicates += 1;
    } catch (error) {
      failure ??= error;
    }
  };
  const send = async (partition: number, msgId: string, record: SourcedRecord, fanoutHome?: number): Promise<void> => {
    const hdrs = headers();
    hdrs.set(SOURCE_HEADER, `${record.file}:${record.line}`);
    if (fanoutHome !== undefined) hdrs.set(FANOUT_HEADER, String(fanoutHome));
    // The ack promise is awaited later (in order); a rejection before then must not surface as unhandled.
    const ack = js.publish(partitionSubject(partition), record.text, { msgID: msgId, headers: hdrs, timeout: ACK_TIMEOUT_MS, retries: 5 });
    ack.catch(() => {});
    inFlight.push(ack);
    while (inFlight.length >= window) await settle();
  };

  for await (const record of records) {
    if (failure !== undefined) break;
    account.records += 1;
    if (record.framingError !== undefined) {
      reject(account, options, record, 'invalid_framing', record.framingError);
      continue;
    }
    const decoded = decodeEventText(record.text, { line: record.line });
    if (!decoded.ok) {
      reject(account, options, record, decoded.error.code, decoded.error.message);
      continue;
    }
    const event = decoded.value;
    if (event.endpoint === null) account.fannedOut += 1;
    for (const m of recordMessages(event, partitions)) await send(m.partition, m.msgId, record, m.fanoutHome);
    account.published += 1;
  }
  while (inFlight.length > 0) await settle();
  if (failure !== undefined) {
    const reason = failure instanceof Error ? failure.message : String(failure);
    throw new ClusterError(
      `publish failed after ${account.messages} acknowledged messages: ${reason} (re-run: already stored records are dropped as duplicates)`,
    );
  }
  return account;
}

function reject(account: PublishAccount, options: PublishOptions, record: SourcedRecord, code: string, reason: string): void {
  account.rejected += 1;
  options.onReject?.({ file: record.file, line: record.line, code, reason, raw: record.text });
}
