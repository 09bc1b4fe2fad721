/**
 * The names the cluster shares: one JetStream stream holds every event record, one subject
 * per partition. The subject list *is* the partition count (`simfleet.events.0` …
 * `simfleet.events.N-1`), so every client reads N from the stream itself and a publish to a
 * partition that does not exist is refused by the server.
 */

/** The stream every record is published to. */
export const EVENT_STREAM = 'SIMFLEET_EVENTS';

/** Records the workers could not apply, with the reason (see docs/cluster.md). */
export const REJECT_SUBJECT = 'simfleet.rejects';

/** The partition count `simfleet publish` creates the stream with when not told otherwise. */
export const DEFAULT_PARTITIONS = 16;

/**
 * The subject of one partition.
 *
 * @example
 * partitionSubject(3) // 'simfleet.events.3'
 */
export function partitionSubject(partition: number): string {
  return `simfleet.events.${partition}`;
}

/**
 * The subjects of a stream of `count` partitions, in partition order.
 *
 * @example
 * partitionSubjects(2) // ['simfleet.events.0', 'simfleet.events.1']
 */
export function partitionSubjects(count: number): string[] {
  return Array.from({ length: count }, (_, partition) => partitionSubject(partition));
}

/**
 * The partition count of a stream from its subjects, or `undefined` when they are not exactly
 * `simfleet.events.0` … `simfleet.events.N-1` (a stream simfleet did not make).
 *
 * @example
 * partitionCountOf(['simfleet.events.0', 'simfleet.events.1']) // 2
 */
export function partitionCountOf(subjects: readonly string[] | undefined): number | undefined {
  if (subjects === undefined || subjects.length === 0) return undefined;
  const expected = new Set(partitionSubjects(subjects.length));
  return subjects.every((subject) => expected.has(subject)) && new Set(subjects).size === subjects.length ? subjects.length : undefined;
}
