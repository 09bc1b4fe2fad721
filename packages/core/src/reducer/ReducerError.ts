/**
 * Why an event could not enter the reducer's columns, or why a batch was refused.
 */

/** Stable codes of `ReducerError`. */
export type ReducerErrorCode =
  /** The event id is not an integer in [0, 2^64). */
  | 'event_id_out_of_range'
  /** The event time is not a finite number. */
  | 'invalid_time'
  /** The endpoint, organisation or SIM id is not a safe integer. */
  | 'invalid_id'
  /** The RAT type does not fit the column (an integer in [0, 32767]). */
  | 'invalid_rat_type'
  /** The event type or rejection reason is not in its catalog. */
  | 'invalid_code'
  /** The columns intern into another pool than the fleet's. */
  | 'pool_mismatch';

/**
 * An error of the reducer, with a stable code and the field it is about.
 *
 * @example
 * const r = columns.push(event);
 * if (!r.ok) console.error(r.error.code, r.error.field, r.error.message);
 */
export class ReducerError extends Error {
  override readonly name = 'ReducerError';
  readonly code: ReducerErrorCode;
  /** The offending field of the event (`eventId`, `at`, `observation.simId`, …). */
  readonly field: string;

  constructor(code: ReducerErrorCode, field: string, message: string) {
    super(`${field}: ${message}`);
    this.code = code;
    this.field = field;
  }
}
