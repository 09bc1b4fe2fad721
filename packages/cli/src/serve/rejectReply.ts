import type { JsonValue } from '@simfleet/core';
import type { ParsedBody } from './parseEventsBody.js';

/** The smallest reply size allowed to a tiny request: room for the counts and one reason. */
const MIN_REPLY_BYTES = 1024;

/**
 * The body of `POST /events`'s reply. With no reason: `{accepted, rejected: []}`. With
 * reasons: the first ones in full (at most what `parsed.rejects` holds, and no more than
 * keeps the reply within the request's own size, or 1 KiB for a tiny request), plus
 * `rejectedCount` (all reasons) and `rejectedByCode` (reasons per code), so a reply is
 * never an amplification of its request.
 *
 * @example
 * sendJson(res, parsed.rejectCount === 0 ? 202 : 400, rejectReply(parsed, body.length));
 */
export function rejectReply(parsed: ParsedBody, requestBytes: number): JsonValue {
  if (parsed.rejectCount === 0) return { accepted: parsed.events.length, rejected: [] };
  const budget = Math.max(requestBytes, MIN_REPLY_BYTES);
  const counts = { rejectedCount: parsed.rejectCount, rejectedByCode: { ...parsed.rejectsByCode } };
  const base = JSON.stringify({ accepted: parsed.events.length, rejected: [], ...counts }).length;
  const listed: JsonValue[] = [];
  let size = base;
  for (const reject of parsed.rejects) {
    const item = { ...reject };
    const bytes = Buffer.byteLength(JSON.stringify(item)) + 1;
    if (size + bytes > budget) break;
    listed.push(item);
    size += bytes;
  }
  return { accepted: parsed.events.length, rejected: listed, ...counts };
}
