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
      const ids = this.store.endpointIds();
      const rows: EndpointState[] = new Array(ids.length);
      let n = 0;
      for (const id of ids) {
        const state = this.store.readEndpoint(id);
        if (state !== undefined) rows[n++] = state;
      }
      rows.length = n;
      this.#rows = rows;
      this.#version = version;
    }
    return this.#rows;
  }
}
