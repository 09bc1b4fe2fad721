/** Where fetched events go: an NDJSON file or a running `simfleet serve`. */
export interface EventSink {
  /**
   * Delivers whole NDJSON lines (one event each, no line break inside). Resolves once
   * they are durable (a file) or acknowledged (serve), so a state saved afterwards
   * never claims more than was delivered.
   */
  deliver(lines: readonly string[]): Promise<void>;
  /** One line for the summary (what the sink accepted). */
  describe(): string;
  close(): Promise<void>;
}
