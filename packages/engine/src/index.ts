/** @simfleet/engine: records to fleet state, for replay and live. */
export {};
