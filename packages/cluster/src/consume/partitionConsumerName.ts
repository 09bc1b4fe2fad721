/**
 * The durable pull consumer of one partition: one per partition, shared by whichever worker
 * holds the partition's lease, so a new owner continues where the old one acknowledged.
 *
 * @example
 * partitionConsumerName(3) // 'simfleet-p3'
 */
export function partitionConsumerName(partition: number): string {
  return `simfleet-p${partition}`;
}
