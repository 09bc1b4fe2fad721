// @simfleet/core — the public surface. Pure: no Node I/O anywhere below.

// The event catalog (the one table of event type ids) and the other code tables.
export * from './catalog/eventTypes.js';
export * from './catalog/eventSources.js';
export * from './catalog/rejectionReasons.js';

// The typed event model and the decoder.
export type * from './model/event.js';
export { DecodeError, type DecodeErrorCode, type DecodeResult, type TextLocation } from './decode/DecodeError.js';
export { decodeEvent } from './decode/decodeEvent.js';
export { decodeEventText } from './decode/decodeEventText.js';
export { MAX_JSON_DEPTH, parseJsonText } from './decode/parseJsonText.js';
export { stringifyJson } from './decode/stringifyJson.js';
export { parseTimestamp, formatTimestamp } from './decode/timestamp.js';
export { classifyEvent, DEVICE_EVENT_RULES, type DeviceEventRule, type RecordFlag } from './decode/classifyEvent.js';
export { encodeEvent } from './decode/encodeEvent.js';

// The statecharts (the executable specification) and the views of a device.
export * from './machine/deviceEvent.js';
export * from './machine/deviceMachine.js';
export * from './machine/organisationMachine.js';
export * from './machine/endpointState.js';
export * from './machine/endpointStateFromSnapshot.js';
export * from './machine/ruleSources.js';

// The compiled reducer (the hot path) and the fleet store.
export * from './reducer/compileMachine.js';
export { StringPool } from './reducer/StringPool.js';
export * from './reducer/ReducerError.js';
export { EventColumns, type PushResult } from './reducer/EventColumns.js';
export {
  type ApplyBatchOptions,
  applyBatch,
  type BatchResult,
  type RegionTransition,
  ROW_APPLIED,
  ROW_DUPLICATE,
  ROW_LATE,
  TRANSITION_STATES,
  type Transition,
  type TransitionRegion,
  type TransitionStates,
  transitionOf,
} from './reducer/applyBatch.js';
export * from './reducer/organisationFact.js';
export { expandOrganisationTransition, type MemberChange, type OrganisationTransition } from './reducer/organisationTransition.js';
export * from './fleet/FleetStore.js';
export * from './fleet/fleetSummary.js';
export * from './snapshot/endpointJson.js';
export { ENDPOINT_LINE_ROOM, EndpointLineWriter } from './snapshot/endpointLines.js';

// The reducer's row layout, the byte-level input path (line splitter, fast path, its
// per-type tables) and the re-fold report are at @simfleet/core/columns; the checkpoint
// format at @simfleet/core/checkpoint; the generated docs at @simfleet/core/docs.
