/** One region compiled: state names (index = state code, 0 = initial) and the next-state table. */
export interface RegionTable {
  readonly region: string;
  readonly states: readonly string[];
  /** `next[state * EVENT_COUNT + eventCode]` = the next state's code. */
  readonly next: Uint8Array;
}
