import type { ParsedBody, RecordReject } from './ParsedBody.js';

/**
 * The reasons of one body, bounded: the first `maxListed` in full, every one counted by
 * code. A body of a million bad records costs a million counter increments, not a
 * million reason objects.
 *
 * @example
 * const tally = new RejectTally(100); tally.add(reason); tally.summary().rejectsByCode
 */
export class RejectTally {
  readonly #maxListed: number;
  readonly #listed: RecordReject[] = [];
  readonly #byCode = new Map<string, number>();
  #count = 0;
  #records = 0;

  constructor(maxListed: number) {
    this.#maxListed = maxListed;
  }

  add(reject: RecordReject): void {
    this.#count += 1;
    if (reject.index !== null) this.#records += 1;
    this.#byCode.set(reject.code, (this.#byCode.get(reject.code) ?? 0) + 1);
    if (this.#listed.length < this.#maxListed) this.#listed.push(reject);
  }

  /** The reasons kept and the counts (what `ParsedBody` and `BodyRows` carry of them). */
  summary(): Pick<ParsedBody, 'rejects' | 'rejectCount' | 'rejectedRecords' | 'rejectsByCode'> {
    return {
      rejects: this.#listed,
      rejectCount: this.#count,
      rejectedRecords: this.#records,
      rejectsByCode: Object.fromEntries([...this.#byCode].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))),
    };
  }
}
