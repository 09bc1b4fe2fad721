/** Options a range needs (the replay's, minus callbacks). */
export interface RangeOptions {
  readonly until?: number | undefined;
  readonly watchEndpoint?: number | undefined;
  /** Longest line in bytes (default 16 MiB); longer ones are rejected as `line_too_long`. */
  readonly maxLineBytes?: number | undefined;
}
