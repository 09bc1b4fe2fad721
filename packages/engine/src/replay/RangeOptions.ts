/** Options a range needs (the replay's, minus callbacks). */
export interface RangeOptions {
  readonly until?: number | undefined;
  readonly watchEndpoint?: number | undefined;
}
