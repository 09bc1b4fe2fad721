import { Duration, type DurationLikeObject } from 'luxon';

/**
 * Event-time spans as the operators accept them. Event time is UTC epoch ms, so a span
 * is milliseconds; luxon durations are accepted for readability (`{ minutes: 5 }`).
 */

/** An event-time span: milliseconds, a luxon `Duration`, or a luxon duration object (`{ minutes: 5 }`). */
export type EventTimeSpan = number | Duration | DurationLikeObject;

/**
 * The span in milliseconds. `Infinity` is allowed (and meaningful: "never"); negative
 * or NaN spans are a programming error, reported at operator construction.
 */
export function spanMillis(span: EventTimeSpan, name: string): number {
  const ms = typeof span === 'number' ? span : Duration.isDuration(span) ? span.as('milliseconds') : Duration.fromObject(span).as('milliseconds');
  if (Number.isNaN(ms) || ms < 0) throw new RangeError(`${name} must be a non-negative duration, got ${String(ms)}`);
  return ms;
}
