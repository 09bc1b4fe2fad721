export * from './catalog/eventTypes.js';
export * from './catalog/eventSources.js';
export * from './catalog/rejectionReasons.js';
export type * from './model/event.js';
export * from './machine/deviceEvent.js';
