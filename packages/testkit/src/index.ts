export { generateFleetLog } from './simulator/generateFleetLog.js';
export { simulateFleetEvents } from './simulator/simulateFleetEvents.js';
export { type FleetSimulationOptions, DEFAULT_START_AT } from './simulator/FleetSimulator.js';
