/** One record's text and where it came from. */
export interface RawRecord {
  /** The record's JSON text (an NDJSON line, or one element of a JSON array). */
  readonly text: string;
  /** 1-based line in the (decompressed) input where the record starts. */
  readonly line: number;
  /** A problem found before decoding (framing, bytes that are not UTF-8, a line too long): the record is rejected with it. */
  readonly framingError?: string;
  /** The rejection code of `framingError` (default `invalid_framing`). */
  readonly code?: string;
}
