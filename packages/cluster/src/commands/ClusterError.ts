/**
 * A problem a cluster command reports as one line and exit status 1: unusable arguments, a
 * NATS server that cannot be reached, a stream with another partition count. `message` names
 * what, where and why.
 */
export class ClusterError extends Error {
  override readonly name = 'ClusterError';
}
