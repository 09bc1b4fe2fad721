/**
 * Headers simfleet puts on the messages of the event stream (besides JetStream's `Nats-Msg-Id`).
 */

/** `file:line` of the record in the input it was published from: where a rejected record came from. */
export const SOURCE_HEADER = 'Simfleet-Source';

/**
 * On the copies of a record sent to every partition (no endpoint): the one partition whose
 * worker counts the record, so fleet-wide counts see it once.
 */
export const FANOUT_HEADER = 'Simfleet-Fanout';

/**
 * On a message of organisation facts (not an event record): the partition whose worker sent
 * it. A worker sends the other partitions what its endpoints' events did to organisations
 * (engine/organisationFacts.ts).
 */
export const ORGANISATION_FACTS_HEADER = 'Simfleet-Organisation-Facts';
