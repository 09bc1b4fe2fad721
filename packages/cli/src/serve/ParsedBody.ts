import type { EmnifyEvent } from '@simfleet/core';

/** Why one record of a body was refused, and where it was. */
export interface RecordReject {
  /** 0-based record index in the body (array element, or non-blank NDJSON line); `null` when the body as a whole failed. */
  readonly index: number | null;
  /** 1-based line in the body, where known. */
  readonly line: number | null;
  /** 1-based column, for JSON syntax errors. */
  readonly column: number | null;
  /** The decoder's error code (`invalid_json`, `missing_field`, …) or `empty_body`. */
  readonly code: string;
  /** JSON path inside the record (`$.event_type.id`). */
  readonly path: string;
  readonly message: string;
}

/** A body, split into decoded events and refused records. */
export interface ParsedBody {
  readonly format: 'object' | 'array' | 'ndjson';
  readonly events: readonly EmnifyEvent[];
  /** Where each event was: its record index in the body (`events[i]` is record `eventIndexes[i]`). */
  readonly eventIndexes: readonly number[];
  /** NDJSON bodies: each event's line as received (`texts[i]` decodes to `events[i]`), what the journal keeps as it is. */
  readonly texts?: readonly string[];
  /** The first `maxListedRejects` reasons, in body order (memory stays bounded for any body). */
  readonly rejects: readonly RecordReject[];
  /** Every reason, counted (`rejects` may list fewer). */
  readonly rejectCount: number;
  /** Records refused (reasons with an `index`; a body-wide failure has none). */
  readonly rejectedRecords: number;
  /** Reasons counted by `code`. */
  readonly rejectsByCode: Readonly<Record<string, number>>;
}
