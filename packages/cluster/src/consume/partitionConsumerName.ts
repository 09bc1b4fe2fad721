/**
 * The durable pull consumer of one partition *for one owner*: `simfleet-p<partition>-<owner>`.
 *
 * Why per owner: a pull consumer hands each message to one of the fetches waiting on it. When a
 * lease changes hands under load, the old owner can still be fetching for a moment (until it
 * stops at 3/4 TTL or its write is refused); on a shared consumer it would take messages the new
 * owner then never sees in that batch, and the new owner's batch would skip them. With one
 * consumer per owner, each owner gets every message after its own position; the store's
 * position check decides whose writes count. A new owner deletes the partition's consumers of
 * other owners when it starts (they belong to stopped or stale owners).
 *
 * @example
 * partitionConsumerName(3, 'w1') // 'simfleet-p3-w1'
 */
export function partitionConsumerName(partition: number, owner: string): string {
  return `simfleet-p${partition}-${owner}`;
}
