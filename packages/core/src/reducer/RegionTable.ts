/**
 * One region compiled: state names (index = state code, 0 = initial) and the next-state
 * table. `R`/`S` narrow the region name and its state names once `compileMachine` has
 * checked them against the region's list.
 */
export interface RegionTable<R extends string = string, S extends string = string> {
  readonly region: R;
  readonly states: readonly S[];
  /** `next[state * EVENT_COUNT + eventCode]` = the next state's code. */
  readonly next: Uint8Array;
}
