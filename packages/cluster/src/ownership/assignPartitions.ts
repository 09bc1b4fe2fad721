/**
 * Which live worker should own a partition: the members sorted by name, partition p to member
 * p mod M. Every worker computes the same answer from the same member list, so nobody has to
 * coordinate an assignment; shares differ by at most one partition.
 *
 * @example
 * desiredOwner(5, ['a', 'b', 'c']) // 'c'
 */
export function desiredOwner(partition: number, members: readonly string[]): string | undefined {
  if (members.length === 0) return undefined;
  const sorted = [...members].sort(compareText);
  return sorted[partition % sorted.length];
}

/**
 * The partitions a member should own.
 *
 * @example
 * shareOf('b', ['a', 'b'], 4) // [1, 3]
 */
export function shareOf(member: string, members: readonly string[], partitions: number): number[] {
  const share: number[] = [];
  for (let partition = 0; partition < partitions; partition += 1) {
    if (desiredOwner(partition, members) === member) share.push(partition);
  }
  return share;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
