/** One record's text and where it came from. */
export interface RawRecord {
  /** The record's JSON text (an NDJSON line, or one element of a JSON array). */
  readonly text: string;
  /** 1-based line in the (decompressed) input where the record starts. */
  readonly line: number;
  /** A framing problem found while splitting (unterminated array, stray text): the record is rejected. */
  readonly framingError?: string;
}
