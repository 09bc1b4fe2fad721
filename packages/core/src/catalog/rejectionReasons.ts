/**
 * Why a Create PDP Context was rejected, read from the record's description.
 * The prefix and phrases are the ones seen in emnify's examples and real records
 * (the seeds and the reference notes on emnify's events).
 */
export const REJECTION_REASONS = [
  { code: 'DATA_SERVICE_DISABLED', phrase: 'data service disabled' },
  { code: 'NO_QUOTA', phrase: 'has no quota' },
  { code: 'QUOTA_EXHAUSTED_BLOCKED', phrase: 'quota volume of endpoint is exhausted' },
  { code: 'SIM_NOT_ACTIVATED', phrase: 'sim is not activated' },
] as const;

export type RejectionReason = (typeof REJECTION_REASONS)[number]['code'] | 'OTHER';

/** All reasons, in a fixed order (their index is the reducer's column code). */
export const REJECTION_REASON_CODES: readonly RejectionReason[] = [...REJECTION_REASONS.map((r) => r.code), 'OTHER'];

/** A Create PDP Context whose description starts with this was refused. */
export const REJECTION_PREFIX = 'pdp context request rejected';

/** A Generic event whose description starts with this ended the data session. */
export const DATA_DISCONNECT_PREFIX = 'disconnecting data access';

/**
 * The reason of a rejection description (case-insensitive), `OTHER` if none matches.
 *
 * @example
 * rejectionReason('PDP Context Request rejected, because endpoint has no quota.') // 'NO_QUOTA'
 */
export function rejectionReason(description: string): RejectionReason {
  const text = description.toLowerCase();
  for (const r of REJECTION_REASONS) if (text.includes(r.phrase)) return r.code;
  return 'OTHER';
}
