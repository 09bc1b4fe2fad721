/**
 * Decoding an emnify event record that is already a JavaScript value.
 */
import type { EmnifyEvent } from '../model/event.js';
import type { DecodeResult } from './DecodeError.js';
import { decodeRecord } from './internal/decodeRecord.js';

/**
 * Decodes one emnify event record from a JSON value (what `JSON.parse` or a webhook
 * framework hands over) into the typed model. Never throws: a record that cannot be
 * decoded is an error value with a code and a JSON path.
 *
 * Ids may be numbers, digit strings or bigints; a `number` id beyond 2^53 is refused
 * (`unsafe_integer`: it was rounded before it got here — decode the text with
 * `decodeEventText` to keep its digits). The parts kept as sent (`detail`,
 * `pdp_context`, `endpoint.tags`) are copied, so the event does not change when the
 * caller's object does.
 *
 * @example
 * const r = decodeEvent({
 *   id: 137241622976969, timestamp: '2021-10-27T10:49:23.673Z',
 *   event_type: { id: 15, description: 'Purge location' }, endpoint: { id: 11088066 },
 * });
 * if (r.ok) r.value.type; // 'purgeLocation'
 */
export function decodeEvent(value: unknown): DecodeResult<EmnifyEvent> {
  return decodeRecord(value, false);
}
