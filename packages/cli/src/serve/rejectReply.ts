import { type JsonValue, stringifyJson } from '@simfleet/core';
import type { ParsedBody, RecordReject } from './parseEventsBody.js';

/** The smallest reply size allowed to a tiny request: room for the counts and one reason. */
const MIN_REPLY_BYTES = 1024;

/** An event too late to place, as the reply lists it. */
export interface TooLateJson {
  readonly index: number | null;
  readonly eventId: number | bigint;
  readonly endpointId: number;
  readonly behindMs: number;
}

/** What `POST /events` answers, before it is bounded. */
export interface IngestReplyParts {
  readonly accepted: number;
  readonly duplicates: number;
  readonly tooLate: readonly TooLateJson[];
  /** Reasons in body order (possibly fewer than `rejectCount`). */
  readonly rejects: readonly RecordReject[];
  readonly rejectCount: number;
  readonly rejectsByCode: Readonly<Record<string, number>>;
}

/**
 * The decoder's reasons and the engine's (a `future_timestamp`…) as one list in body order,
 * with counts. The decoder keeps only its first reasons, so the list holds its first ones
 * and the engine's first ones, merged; the counts hold every reason.
 *
 * @example
 * ingestReply({ accepted, duplicates, tooLate, ...mergeRejects(parsed, refused) }, body.length, 100)
 */
export function mergeRejects(
  parsed: Pick<ParsedBody, 'rejects' | 'rejectCount' | 'rejectsByCode'>,
  refused: readonly RecordReject[],
): Pick<IngestReplyParts, 'rejects' | 'rejectCount' | 'rejectsByCode'> {
  if (refused.length === 0) return { rejects: parsed.rejects, rejectCount: parsed.rejectCount, rejectsByCode: parsed.rejectsByCode };
  const byCode: Record<string, number> = { ...parsed.rejectsByCode };
  for (const r of refused) byCode[r.code] = (byCode[r.code] ?? 0) + 1;
  const rejects = [...parsed.rejects, ...refused].sort((a, b) => (a.index ?? -1) - (b.index ?? -1));
  return { rejects, rejectCount: parsed.rejectCount + refused.length, rejectsByCode: byCode };
}

/**
 * The body of `POST /events`'s reply: `{accepted, duplicates, tooLate, rejected}`, bounded.
 * `rejected` and `tooLate` list at most `maxListed` entries each, and no more than keeps
 * the reply within the request's own size (or 1 KiB for a tiny request); with any reason,
 * `rejectedCount` and `rejectedByCode` count them all, and with any late event
 * `tooLateCount` does. A reply is never an amplification of its request.
 *
 * @example
 * sendJson(res, parts.rejectCount === 0 ? 202 : 400, ingestReply(parts, body.length, 100));
 */
export function ingestReply(parts: IngestReplyParts, requestBytes: number, maxListed: number): JsonValue {
  const budget = Math.max(requestBytes, MIN_REPLY_BYTES);
  const counts = {
    ...(parts.tooLate.length === 0 ? {} : { tooLateCount: parts.tooLate.length }),
    ...(parts.rejectCount === 0 ? {} : { rejectedCount: parts.rejectCount, rejectedByCode: { ...parts.rejectsByCode } }),
  };
  let size = stringifyJson({ accepted: parts.accepted, duplicates: parts.duplicates, tooLate: [], rejected: [], ...counts }).length;
  const take = <T extends JsonValue>(items: readonly T[]): T[] => {
    const listed: T[] = [];
    for (const item of items) {
      if (listed.length >= maxListed) break;
      const bytes = Buffer.byteLength(stringifyJson(item)) + 1;
      if (size + bytes > budget) break;
      listed.push(item);
      size += bytes;
    }
    return listed;
  };
  const rejected = take(parts.rejects.map((r) => ({ ...r })));
  const tooLate = take(parts.tooLate.map((t) => ({ ...t })));
  return { accepted: parts.accepted, duplicates: parts.duplicates, tooLate, rejected, ...counts };
}
