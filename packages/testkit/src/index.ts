export { generateFleetLog } from './simulator/generateFleetLog.js';
export type { FleetSimulationOptions } from './simulator/FleetSimulator.js';
