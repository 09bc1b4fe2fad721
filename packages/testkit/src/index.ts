// The lifecycle simulator (workload generator).
export { generateFleetLog } from './simulator/generateFleetLog.js';
export { generateFleetLogBytes } from './simulator/generateFleetLogBytes.js';
export { FLEET_LOG_CHUNK_BYTES, fleetLogChunks } from './simulator/fleetLogChunks.js';
export { simulateFleetEvents } from './simulator/simulateFleetEvents.js';
export { type FleetSimulationOptions, DEFAULT_START_AT } from './simulator/FleetSimulator.js';
export { seededShuffle } from './seededShuffle.js';
// Arbitraries (fast-check).
export { event, type EventArbitraryOptions } from './arbitrary/event.js';
export { deviceLifecycle, type DeviceLifecycleOptions } from './arbitrary/deviceLifecycle.js';
export { fleetLog, type FleetLogDisorder, type FleetLogOptions } from './arbitrary/fleetLog.js';
export {
  MALFORMED_KINDS,
  type MalformedKind,
  malformedRecord,
  type MalformedRecordOptions,
} from './arbitrary/malformedRecord.js';
// Transition coverage.
export { type MachineTransition, TransitionCoverage, transitionCoverage } from './coverage/TransitionCoverage.js';
// Replaying records through the engine.
export { type AnyEvent, RecordDecodeError, toDeviceEvents } from './replay/toDeviceEvents.js';
export { type FleetReplay, formatTimeline, replayRecords, type TimelineEntry } from './replay/replayRecords.js';
// Model-based testing.
export { FleetModel, type ModelBatchResult } from './model/FleetModel.js';
export {
  ApplyBatchCommand,
  CheckSummaryCommand,
  expectSameFleet,
  fleetCommands,
  type FleetCommandsOptions,
  FleetSystem,
  ModelMismatchError,
  RedeliverCommand,
  runFleetCommands,
} from './model/fleetCommands.js';
