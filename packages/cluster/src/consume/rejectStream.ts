import { type JetStreamClient, type JetStreamManager, JetStreamApiCodes, JetStreamApiError, StorageType } from '@nats-io/jetstream';
import { headers } from '@nats-io/transport-node';
import { SOURCE_HEADER } from '../publish/messageHeaders.js';
import { REJECT_SUBJECT } from '../stream/eventStream.js';

/** The stream that keeps every record a worker could not apply. */
export const REJECT_STREAM = 'SIMFLEET_REJECTS';

/** A rejected record: where it was, and why. */
export interface RejectedRecord {
  readonly partition: number;
  readonly seq: number;
  readonly code: string;
  readonly reason: string;
  readonly source: string | undefined;
  readonly text: string;
}

/**
 * Creates the rejects stream when it does not exist.
 *
 * @example
 * await ensureRejectStream(jsm);
 */
export async function ensureRejectStream(jsm: JetStreamManager): Promise<void> {
  try {
    await jsm.streams.info(REJECT_STREAM);
  } catch (error) {
    if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound)) throw error;
    await jsm.streams.add({ name: REJECT_STREAM, subjects: [REJECT_SUBJECT], storage: StorageType.File });
  }
}

/**
 * Publishes a rejected record (its text as the payload, the rest as headers) and waits for the
 * ack. `Nats-Msg-Id` is `<partition>.<seq>`: a record rejected again after a restart is stored once.
 *
 * @example
 * await publishRejection(js, { partition: 3, seq: 17, code: 'max_deliver', reason: '…', source: 'a.ndjson:4', text });
 */
export async function publishRejection(js: JetStreamClient, rejected: RejectedRecord): Promise<void> {
  const hdrs = headers();
  hdrs.set('Simfleet-Partition', String(rejected.partition));
  hdrs.set('Simfleet-Seq', String(rejected.seq));
  hdrs.set('Simfleet-Code', rejected.code);
  hdrs.set('Simfleet-Reason', rejected.reason.replace(/[\r\n]+/g, ' '));
  if (rejected.source !== undefined) hdrs.set(SOURCE_HEADER, rejected.source);
  await js.publish(REJECT_SUBJECT, rejected.text, { msgID: `${rejected.partition}.${rejected.seq}`, headers: hdrs, retries: 5 });
}
