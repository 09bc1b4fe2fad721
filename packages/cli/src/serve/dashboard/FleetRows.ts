import type { EndpointState, FleetStore } from '@simfleet/core';

/**
 * Every endpoint's state as objects, in ascending id order, rebuilt only when the fleet
 * changed. Reading 100k devices out of the store's columns costs far more than filtering
 * 100k objects, and a person paging or refining filters asks many times between changes;
 * `version` tells when the columns moved (the pipeline's applied count and the device count).
 *
 * @example
 * const rows = new FleetRows(store, () => pipeline.counters.applied);
 * rows.current().length === store.endpointCount // true
 */
export class FleetRows {
  #rows: EndpointState[] = [];
  #version: string | undefined;

  constructor(
    private readonly store: FleetStore,
    private readonly version: () => number,
  ) {}

  current(): readonly EndpointState[] {
    const version = `${this.store.endpointCount}:${this.version()}`;
    if (version !== this.#version) {
      // By dense index, then sorted: looking each id up (findDevice) costs about four times
      // as much as reading the device (0.54 s against 0.14 s for 86k devices).
      const n = this.store.endpointCount;
      const rows: EndpointState[] = new Array(n);
      for (let d = 0; d < n; d++) rows[d] = this.store.readDevice(d);
      rows.sort((a, b) => a.endpointId - b.endpointId);
      this.#rows = rows;
      this.#version = version;
    }
    return this.#rows;
  }
}
