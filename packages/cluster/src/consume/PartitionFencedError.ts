/**
 * Thrown by a sink when a batch's previous position is not the one it holds: another worker
 * owns the partition now (this one's lease was lost), so this worker stops it at once.
 */
export class PartitionFencedError extends Error {
  override readonly name = 'PartitionFencedError';
}
