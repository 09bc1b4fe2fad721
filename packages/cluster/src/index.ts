/**
 * @simfleet/cluster — simfleet scaled out on NATS JetStream.
 *
 * - `runPublish`: event logs into one stream, one subject per partition (by endpoint id).
 * - Partition ownership by KV leases, `simfleet worker` and `simfleet status` (docs/cluster.md).
 */
export { ClusterError } from './commands/ClusterError.js';
export type { CommandIo } from './commands/CommandIo.js';
export { publishSummary, runPublish } from './commands/publish.js';
export { type PublishAccount, type PublishOptions, type PublishRejection, type SourcedRecord, publishRecords } from './publish/publishRecords.js';
export { type RecordMessage, recordMessages } from './publish/recordRoute.js';
export { type GatewayRecord, StreamGateway, type StreamGatewayOptions, StreamUnavailableError } from './publish/StreamGateway.js';
export { DEFAULT_PARTITIONS, EVENT_STREAM, REJECT_SUBJECT, partitionSubject } from './stream/eventStream.js';
export { ensureEventStream, eventStreamPartitions } from './stream/ensureEventStream.js';
export { partitionOf } from './stream/partitionOf.js';
export { desiredOwner, shareOf } from './ownership/assignPartitions.js';
export {
  CHECKPOINT_BUCKET,
  DEFAULT_LEASE_TTL_MS,
  LEASE_BUCKET,
  type LeaseBucket,
  openCheckpointBucket,
  openLeaseBucket,
} from './ownership/clusterBuckets.js';
export { type CheckpointRecord, parseCheckpointRecord } from './ownership/checkpointRecord.js';
export { type OwnershipOptions, type PartitionHandler, PartitionOwnership, type ReleaseReason } from './ownership/PartitionOwnership.js';
export { partitionConsumerName } from './consume/partitionConsumerName.js';
export { type ClusterStatus, type PartitionStatus, readClusterStatus, renderClusterStatus } from './status/clusterStatus.js';
export { runStatus } from './commands/status.js';
export { PartitionConsumer, type PartitionConsumerOptions } from './consume/PartitionConsumer.js';
export { PartitionFencedError } from './consume/PartitionFencedError.js';
export type { PartitionMessage, PartitionSink, SinkRejection, SinkResult } from './consume/PartitionSink.js';
export { REJECT_STREAM, type RejectedRecord, ensureRejectStream, publishRejection } from './consume/rejectStream.js';
export { EngineSink, type EngineSinkOptions } from './engine/EngineSink.js';
export { decodeOrganisationFacts, encodeOrganisationFacts } from './engine/organisationFacts.js';
export { KvPositionStore } from './engine/KvPositionStore.js';
export type { PartitionCommit, PartitionStore } from './engine/PartitionStore.js';
export { runWorker, type WorkerOptions } from './worker/runWorker.js';
export { runWorkerCommand } from './commands/worker.js';
