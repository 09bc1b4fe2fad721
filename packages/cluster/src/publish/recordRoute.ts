import type { EmnifyEvent } from '@simfleet/core';
import { partitionOf } from '../stream/partitionOf.js';

/** One message a record becomes: where it goes and its `Nats-Msg-Id`. */
export interface RecordMessage {
  readonly partition: number;
  readonly msgId: string;
  /** On the copies of a record without an endpoint: the partition that counts it. */
  readonly fanoutHome?: number;
}

/**
 * The messages a decoded record is published as (`simfleet publish` and `serve --nats` alike).
 * A record with an endpoint goes to `partitionOf(endpoint.id)` with `Nats-Msg-Id` = its event
 * id. A record without an endpoint (an organisation event, a SIM event before its endpoint
 * exists) can concern any endpoint, including ones first seen later, so it goes to every
 * partition, with `Nats-Msg-Id` = `<event id>.<partition>` and a home partition (by
 * organisation id) that counts it, so fleet-wide counts see it once.
 *
 * @example
 * recordMessages(event, 16) // [{ partition: 5, msgId: '137057052900038' }]
 */
export function recordMessages(event: EmnifyEvent, partitions: number): RecordMessage[] {
  const id = event.id.toString();
  if (event.endpoint !== null) return [{ partition: partitionOf(event.endpoint.id, partitions), msgId: id }];
  const fanoutHome = event.organisation === null ? 0 : partitionOf(event.organisation.id, partitions);
  return Array.from({ length: partitions }, (_, partition) => ({ partition, msgId: `${id}.${partition}`, fanoutHome }));
}
