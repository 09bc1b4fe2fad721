/**
 * State changes kept compactly until they are written: a replay reports millions of them
 * (core's `applyBatch` `onTransition`) while it applies events synchronously, so they
 * cannot stream to the server as they come. One object per change would cost ~150 bytes
 * of heap; here a change is 28 bytes of typed arrays (endpoint id, time, event id as two
 * uint32s, three codes of interned state names).
 */
import { expandOrganisationTransition, formatTimestamp, type OrganisationTransition, type Transition, transitionOf } from '@simfleet/core';
import { finishCopyBinary, PG_EPOCH_MS, setEventId, setInt64, TWO_32, writeCopyHeader } from './copyBinary.js';
import { copyChunks } from './copyText.js';

/** Columns of `transitions`, in the order `copyChunks` writes them. */
export const TRANSITION_COLUMNS = ['endpoint_id', 'region', 'from_state', 'to_state', 'at', 'event_id'] as const;

/** An event id from its two halves as decimal text: a number below 2^53 (no bigint per row). */
const eventIdText = (hi: number, lo: number): string => (hi < 0x200000 ? String(hi * TWO_32 + lo) : ((BigInt(hi) << 32n) | BigInt(lo)).toString());

/** Bytes of COPY binary data handed to the socket at a time. */
const BINARY_CHUNK = 1 << 18;

/** Names `TransitionLog` remembers the code of without a map lookup. */
const RECENT_NAMES = 8;

/** A shared change being collected: its endpoints in parts, as they were taken out. */
interface SharedParts {
  readonly change: SharedChange;
  readonly parts: Float64Array[];
}

/** Digits of `sortIds`' radix sort: 11 bits, three passes over 32-bit ids. */
const RADIX_BITS = 11;
const RADIX = 1 << RADIX_BITS;
const RADIX_MASK = RADIX - 1;

/**
 * Endpoint ids ascending. Ids below 2^32 (all of emnify's) take a three-pass radix sort on
 * 11-bit digits: a typed array's own sort costs ~10 ms per 30,000 ids, and an
 * organisation's block holds tens of thousands. Ids already ascending are kept as they are.
 */
function sortIds(ids: Float64Array): Float64Array | Uint32Array {
  const n = ids.length;
  let small = true;
  let sorted = true;
  for (let k = 0; k < n && small; k++) {
    const v = ids[k] as number;
    if (!(v >= 0 && v < 4294967296 && Number.isInteger(v))) small = false;
    if (k > 0 && v < (ids[k - 1] as number)) sorted = false;
  }
  if (sorted && small) return ids;
  if (!small || n < 64) return ids.slice().sort();
  let a = Uint32Array.from(ids);
  let b = new Uint32Array(n);
  const count = new Uint32Array(RADIX);
  for (let shift = 0; shift < 32; shift += RADIX_BITS) {
    count.fill(0);
    for (let k = 0; k < n; k++) {
      const digit = ((a[k] as number) >>> shift) & RADIX_MASK;
      count[digit] = (count[digit] as number) + 1;
    }
    let sum = 0;
    for (let d = 0; d < RADIX; d++) {
      const c = count[d] as number;
      count[d] = sum;
      sum += c;
    }
    for (let k = 0; k < n; k++) {
      const v = a[k] as number;
      const digit = (v >>> shift) & RADIX_MASK;
      b[count[digit] as number] = v;
      count[digit] = (count[digit] as number) + 1;
    }
    const swap = a;
    a = b;
    b = swap;
  }
  return a;
}

/** The first index of the ascending `ids` whose id is not below `id`. */
function lowerBound(ids: Float64Array, id: number): number {
  let low = 0;
  let high = ids.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((ids[mid] as number) < id) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** The ascending `ids` with `id` in its place (a new array; `ids` as it is when it holds `id`). */
function withId(ids: Float64Array, id: number): Float64Array {
  const at = lowerBound(ids, id);
  if (ids[at] === id) return ids;
  const out = new Float64Array(ids.length + 1);
  out.set(ids.subarray(0, at), 0);
  out[at] = id;
  out.set(ids.subarray(at), at + 1);
  return out;
}

/** Whether the ascending `ids` hold `id`. */
function binaryHas(ids: ArrayLike<number>, id: number): boolean {
  let low = 0;
  let high = ids.length - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const v = ids[mid] as number;
    if (v === id) return true;
    if (v < id) low = mid + 1;
    else high = mid - 1;
  }
  return false;
}

/**
 * One change that one event made to several endpoints at once (an organisation's block
 * reaching its members): a row of `organisation_transitions`.
 */
export interface SharedChange {
  readonly region: Transition['region'];
  readonly from: string;
  readonly to: string;
  readonly at: number;
  readonly eventId: bigint;
  /** The endpoints it reached, ascending, each once. */
  readonly endpointIds: Float64Array;
}

/** `TransitionLog.split`: indexes of the changes of one endpoint alone, and the shared changes. */
export interface TransitionSplit {
  readonly own: Uint32Array;
  readonly shared: readonly SharedChange[];
}

/**
 * A growable log of transitions.
 *
 * @example
 * const log = new TransitionLog();
 * const session = new ReplaySession({ onTransition: log.push });
 * // … replay …
 * log.length // number of state changes
 */
export class TransitionLog {
  /** Entries in the arrays below (in a compacting log: without the shared changes taken out). */
  #length = 0;
  /** Changes pushed since the last `clear`. */
  #pushed = 0;
  readonly #compact: boolean;
  #endpoint = new Float64Array(1024);
  #at = new Float64Array(1024);
  #hi = new Uint32Array(1024);
  #lo = new Uint32Array(1024);
  #region = new Uint16Array(1024);
  #from = new Uint16Array(1024);
  #to = new Uint16Array(1024);
  #lastId = -1n;
  #lastHi = 0;
  #lastLo = 0;
  /** Interned region and state names (a few dozen). */
  readonly #names: string[] = [];
  readonly #codes = new Map<string, number>();
  /** The names met last and their codes: an organisation's block repeats a handful of them. */
  readonly #recentNames: string[] = [];
  readonly #recentCodes: number[] = [];
  #recentNext = 0;
  /** A compacting log: the event under way (its first entry, time, id, first endpoint). */
  #runStart = 0;
  #runAt = Number.NaN;
  #runHi = -1;
  #runLo = -1;
  #runFirst = Number.NaN;
  #runSeveral = false;
  /** A compacting log: the shared changes taken out so far, by event and (region, from, to). */
  readonly #shared = new Map<string, SharedParts>();
  /** `#bucketRun`'s bucket of each change of the event (reused). */
  #scratch = new Uint16Array(1024);

  /**
   * @param options.compact take each event's shared changes (`split`) out as soon as the
   *   event's changes are complete, keeping 8 bytes per endpoint they reached instead of a
   *   whole entry: for a replay, whose organisations' blocks report millions of changes.
   *   Such a log can be split and written, not read back change by change (`get`).
   */
  constructor(options: { readonly compact?: boolean } = {}) {
    this.#compact = options.compact === true;
  }

  /** Number of transitions pushed (since the last `clear`). */
  get length(): number {
    return this.#pushed;
  }

  /** Appends one transition; bound, so it can be handed over as `onTransition` as it is. */
  readonly push = (t: Transition): void => {
    const id = t.eventId;
    if (id !== this.#lastId) {
      this.#lastId = id;
      this.#lastHi = Number(id >> 32n);
      this.#lastLo = Number(id & 0xffffffffn);
    }
    if (this.#compact) {
      if (t.at !== this.#runAt || this.#lastHi !== this.#runHi || this.#lastLo !== this.#runLo) {
        this.#closeRun();
        this.#runStart = this.#length;
        this.#runAt = t.at;
        this.#runHi = this.#lastHi;
        this.#runLo = this.#lastLo;
        this.#runFirst = t.endpointId;
      } else if (t.endpointId !== this.#runFirst) {
        this.#runSeveral = true;
      }
    }
    this.#pushed++;
    const i = this.#length;
    if (i === this.#endpoint.length) this.#grow(i * 2);
    this.#endpoint[i] = t.endpointId;
    this.#at[i] = t.at;
    // An organisation's block reports thousands of changes with one event id: split it once.
    this.#hi[i] = this.#lastHi;
    this.#lo[i] = this.#lastLo;
    this.#region[i] = this.#code(t.region);
    this.#from[i] = this.#code(t.from);
    this.#to[i] = this.#code(t.to);
    this.#length = i + 1;
  };

  /**
   * Appends an organisation change as `applyBatch` reports it once
   * (`onOrganisationTransition`); bound, like `push`. The same as pushing each change of
   * `expandOrganisationTransition(change)` — `length`, `split` and the rows written are
   * equal — but a compacting log takes the members' changes out as they come, as typed
   * arrays: no object or call per member. The changes of the endpoint whose own event
   * moved the organisation (pushed just before, same event) join the change they equal.
   *
   * @example
   * const log = new TransitionLog({ compact: true });
   * applyBatch(fleet, columns, { onTransition: log.push, onOrganisationTransition: log.pushOrganisation });
   */
  readonly pushOrganisation = (change: OrganisationTransition): void => {
    if (!this.#compact) {
      for (const t of expandOrganisationTransition(change)) this.push(t);
      return;
    }
    const id = change.eventId;
    if (id !== this.#lastId) {
      this.#lastId = id;
      this.#lastHi = Number(id >> 32n);
      this.#lastLo = Number(id & 0xffffffffn);
    }
    const h = this.#lastHi;
    const l = this.#lastLo;
    if (change.at !== this.#runAt || h !== this.#runHi || l !== this.#runLo) {
      this.#closeRun();
      this.#runStart = this.#length;
      this.#runAt = change.at;
      this.#runHi = h;
      this.#runLo = l;
      this.#runFirst = Number.NaN;
    }
    const groups = [
      { region: 'block' as const, from: change.block.from, to: change.block.to, ids: change.block.endpointIds },
      ...change.status.map((g) => ({ region: 'status' as const, from: g.from, to: g.to, ids: g.endpointIds })),
    ];
    const keys = groups.map((g) => (this.#code(g.region) * 0x10000 + this.#code(g.from)) * 0x10000 + this.#code(g.to));
    for (const g of groups) this.#pushed += g.ids.length;
    // The run's entries so far (the moving endpoint's own changes) by key; a group they
    // equal comes first, in their order, as a plain log's bucketing of the run orders them.
    const start = this.#runStart;
    const end = this.#length;
    const taken = new Uint8Array(end - start);
    const order: number[] = [];
    const joined = new Map<number, number[]>();
    for (let k = start; k < end; k++) {
      const key = ((this.#region[k] as number) * 0x10000 + (this.#from[k] as number)) * 0x10000 + (this.#to[k] as number);
      const g = keys.indexOf(key);
      if (g < 0) continue;
      if (!order.includes(g)) order.push(g);
      const list = joined.get(g);
      if (list === undefined) joined.set(g, [k]);
      else list.push(k);
    }
    for (let g = 0; g < groups.length; g++) if (!order.includes(g)) order.push(g);
    // Changes that reach one endpoint alone stay per endpoint, in the members' order.
    const alone: { position: number; group: number }[] = [];
    const block = change.block.endpointIds;
    for (const g of order) {
      const group = groups[g] as (typeof groups)[number];
      const own = joined.get(g) ?? [];
      const first = group.ids.length > 0 ? (group.ids[0] as number) : (this.#endpoint[own[0] as number] as number);
      let several = group.ids.length > 1;
      for (const k of own) if (this.#endpoint[k] !== first) several = true;
      if (!several) {
        if (group.ids.length > 0) alone.push({ position: block.indexOf(first), group: g });
        continue;
      }
      // Ascending as core reports them (split then finds them sorted), the moving endpoint's own change merged in.
      let ascending = group.ids;
      for (const k of own) {
        ascending = withId(ascending, this.#endpoint[k] as number);
        taken[k - start] = 1;
      }
      const parts = [ascending];
      const name = `${h}:${l}:${keys[g]}`;
      const entry = this.#shared.get(name);
      if (entry !== undefined) entry.parts.push(...parts);
      else {
        this.#shared.set(name, {
          change: { region: group.region, from: group.from, to: group.to, at: change.at, eventId: id, endpointIds: new Float64Array(0) },
          parts,
        });
      }
    }
    // Own changes that joined a shared one leave the arrays (kept ones move down).
    let to = start;
    for (let k = start; k < end; k++) {
      if (taken[k - start] === 1) continue;
      if (k !== to) this.#move(k, to);
      to++;
    }
    this.#length = to;
    alone.sort((a, b) => a.position - b.position || a.group - b.group);
    for (const { group: g } of alone) {
      const group = groups[g] as (typeof groups)[number];
      const i = this.#length;
      if (i === this.#endpoint.length) this.#grow(i * 2);
      this.#endpoint[i] = group.ids[0] as number;
      this.#at[i] = change.at;
      this.#hi[i] = h;
      this.#lo[i] = l;
      this.#region[i] = this.#code(group.region);
      this.#from[i] = this.#code(group.from);
      this.#to[i] = this.#code(group.to);
      this.#length = i + 1;
    }
    // Resolved: what is left of the run reaches one endpoint per change.
    this.#runSeveral = false;
  };

  /** Forgets every transition (keeps the memory). */
  clear(): void {
    this.#length = 0;
    this.#pushed = 0;
    this.#runAt = Number.NaN;
    this.#runSeveral = false;
    this.#shared.clear();
  }

  /** The transition at index i (0 ≤ i < length), as core reports it. */
  get(i: number): Transition {
    if (this.#compact) throw new TypeError('a compacting TransitionLog cannot give back changes one by one');
    if (!(i >= 0 && i < this.#length)) throw new RangeError(`no transition at index ${i}`);
    return transitionOf({
      endpointId: this.#endpoint[i] as number,
      region: this.#names[this.#region[i] as number] as string,
      from: this.#names[this.#from[i] as number] as string,
      to: this.#names[this.#to[i] as number] as string,
      at: this.#at[i] as number,
      eventId: (BigInt(this.#hi[i] as number) << 32n) | BigInt(this.#lo[i] as number),
    });
  }

  /**
   * Transitions [start, end) as COPY text chunks, columns in `TRANSITION_COLUMNS` order.
   * Event ids below 2^53 print as numbers (no bigint per row); a time is formatted once
   * for a run of changes at the same instant (an organisation's block reaches each of
   * its endpoints at one time).
   */
  copyChunks(start = 0, end: number = this.#length): Generator<string> {
    if (this.#compact) throw new TypeError('a compacting TransitionLog is written through split()');
    const names = this.#names;
    let lastAt = Number.NaN;
    let lastText = '';
    return copyChunks(end - start, (k) => {
      const i = start + k;
      const id = eventIdText(this.#hi[i] as number, this.#lo[i] as number);
      const at = this.#at[i] as number;
      if (at !== lastAt) {
        lastAt = at;
        lastText = formatTimestamp(at);
      }
      return `${this.#endpoint[i]}\t${names[this.#region[i] as number]}\t${names[this.#from[i] as number]}\t${names[this.#to[i] as number]}\t${lastText}\t${id}`;
    });
  }

  /**
   * Splits transitions [start, end) into the changes of one endpoint alone and the changes
   * one event made to several endpoints at once (an organisation's block reaching its
   * members: the same region, from and to state for each), which are stored once, in
   * `organisation_transitions`. The rule reads only the changes of one event (they are
   * consecutive: `applyBatch` reports an event's changes together), so the same event is
   * split the same way in every write that holds it. Within a shared change each endpoint
   * appears once, ascending; shared changes with the same event, region, from and to are
   * merged, and a change of one endpoint that a shared change already holds is left out.
   *
   * @example
   * const { own, shared } = log.split();
   * own.length + shared.reduce((n, s) => n + s.endpointIds.length, 0) // ≤ log.length (repeats dropped)
   */
  split(start = 0, end: number = this.#length): TransitionSplit {
    if (this.#compact && (start !== 0 || end !== this.#length)) throw new RangeError('a compacting TransitionLog splits whole');
    const endpoint = this.#endpoint;
    const at = this.#at;
    const hi = this.#hi;
    const lo = this.#lo;
    const own = new Uint32Array(end - start);
    let owned = 0;
    const shared = new Map<string, SharedParts>();
    if (this.#compact) {
      // The event under way is complete now; earlier ones were taken out as they completed.
      this.#closeRun();
      for (const [key, parts] of this.#shared) shared.set(key, { change: parts.change, parts: [...parts.parts] });
    }
    const ownOfRun: number[] = [];
    let i = start;
    while (i < end) {
      const a = at[i] as number;
      const h = hi[i] as number;
      const l = lo[i] as number;
      const first = endpoint[i] as number;
      let j = i + 1;
      let several = false;
      while (j < end && at[j] === a && hi[j] === h && lo[j] === l) {
        if (endpoint[j] !== first) several = true;
        j++;
      }
      if (!several) {
        for (let k = i; k < j; k++) own[owned++] = k;
      } else {
        ownOfRun.length = 0;
        this.#bucketRun(i, j, ownOfRun, shared);
        for (const k of ownOfRun) own[owned++] = k;
      }
      i = j;
    }
    const changes: SharedChange[] = [];
    for (const { change, parts } of shared.values()) {
      let ids = parts[0] as Float64Array;
      if (parts.length > 1) {
        ids = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
        let offset = 0;
        for (const p of parts) {
          ids.set(p, offset);
          offset += p.length;
        }
      }
      const sorted = sortIds(ids);
      const out = sorted instanceof Float64Array ? sorted : Float64Array.from(sorted);
      let n = 0;
      for (let k = 0; k < out.length; k++) if (k === 0 || out[k] !== out[n - 1]) out[n++] = out[k] as number;
      changes.push({ ...change, endpointIds: out.subarray(0, n) });
    }
    // A change of one endpoint that a shared change of its event already holds (the log
    // holds it twice) is left out: each change is written to one table only.
    if (changes.length > 0) {
      // Event id halves → the shared changes of that event.
      const byEvent = new Map<number, Map<number, SharedChange[]>>();
      for (const change of changes) {
        const h = Number(change.eventId >> 32n);
        const l = Number(change.eventId & 0xffffffffn);
        let byLo = byEvent.get(h);
        if (byLo === undefined) {
          byLo = new Map();
          byEvent.set(h, byLo);
        }
        const list = byLo.get(l);
        if (list === undefined) byLo.set(l, [change]);
        else list.push(change);
      }
      let kept = 0;
      for (let k = 0; k < owned; k++) {
        const i = own[k] as number;
        const list = byEvent.get(hi[i] as number)?.get(lo[i] as number);
        if (list !== undefined) {
          const name = this.#names[this.#region[i] as number];
          const id = endpoint[i] as number;
          if (list.some((change) => change.region === name && binaryHas(change.endpointIds, id))) continue;
        }
        own[kept++] = i;
      }
      owned = kept;
    }
    return { own: own.subarray(0, owned), shared: changes };
  }

  /**
   * The changes [i, j) of one event that reached several endpoints: bucketed by (region,
   * from, to) (a handful of buckets), a bucket reaching two or more endpoints becomes (part
   * of) a shared change in `shared`, the indexes of the others go to `own`.
   */
  #bucketRun(i: number, j: number, own: number[], shared: Map<string, SharedParts>): void {
    const endpoint = this.#endpoint;
    const region = this.#region;
    const from = this.#from;
    const to = this.#to;
    // One pass: each change's bucket (a handful: the last two found are tried first).
    const keys: number[] = [];
    const counts: number[] = [];
    const bucketOf = this.#bucketScratch(j - i);
    let lastKey = -1;
    let lastBucket = -1;
    let prevKey = -1;
    let prevBucket = -1;
    for (let k = i; k < j; k++) {
      const key = ((region[k] as number) * 0x10000 + (from[k] as number)) * 0x10000 + (to[k] as number);
      let b: number;
      if (key === lastKey) b = lastBucket;
      else if (key === prevKey) {
        b = prevBucket;
        prevKey = lastKey;
        prevBucket = lastBucket;
        lastKey = key;
        lastBucket = b;
      } else {
        b = keys.indexOf(key);
        if (b < 0) {
          b = keys.length;
          keys.push(key);
          counts.push(0);
        }
        prevKey = lastKey;
        prevBucket = lastBucket;
        lastKey = key;
        lastBucket = b;
      }
      bucketOf[k - i] = b;
      counts[b] = (counts[b] as number) + 1;
    }
    // Second pass: each bucket's endpoints into its own array.
    const ids = counts.map((n) => new Float64Array(n));
    const fill = new Array<number>(keys.length).fill(0);
    const firstOf = new Array<number>(keys.length).fill(-1);
    for (let k = i; k < j; k++) {
      const b = bucketOf[k - i] as number;
      if (firstOf[b] === -1) firstOf[b] = k;
      const at = fill[b] as number;
      (ids[b] as Float64Array)[at] = endpoint[k] as number;
      fill[b] = at + 1;
    }
    const h = this.#hi[i] as number;
    const l = this.#lo[i] as number;
    for (let b = 0; b < keys.length; b++) {
      const bucket = ids[b] as Float64Array;
      let alone = true;
      for (let m = 1; m < bucket.length && alone; m++) if (bucket[m] !== bucket[0]) alone = false;
      if (alone) {
        for (let k = i; k < j; k++) if (bucketOf[k - i] === b) own.push(k);
        continue;
      }
      const name = `${h}:${l}:${keys[b]}`;
      const entry = shared.get(name);
      if (entry !== undefined) entry.parts.push(bucket);
      else {
        const k0 = firstOf[b] as number;
        const change: SharedChange = {
          region: this.#names[region[k0] as number] as Transition['region'],
          from: this.#names[from[k0] as number] as string,
          to: this.#names[to[k0] as number] as string,
          at: this.#at[i] as number,
          eventId: (BigInt(h) << 32n) | BigInt(l),
          endpointIds: new Float64Array(0),
        };
        shared.set(name, { change, parts: [bucket] });
      }
    }
  }

  /** A reused array of at least n bucket numbers. */
  #bucketScratch(n: number): Uint16Array {
    if (this.#scratch.length < n) this.#scratch = new Uint16Array(Math.max(n, this.#scratch.length * 2));
    return this.#scratch;
  }

  /** A compacting log: takes the shared changes of the event under way out of the arrays. */
  #closeRun(): void {
    const start = this.#runStart;
    const end = this.#length;
    if (!this.#runSeveral || end - start < 2) {
      this.#runSeveral = false;
      return;
    }
    this.#runSeveral = false;
    const own: number[] = [];
    this.#bucketRun(start, end, own, this.#shared);
    // Keep the changes of one endpoint alone, moved down over the ones taken out.
    let to = start;
    for (const k of own) {
      if (k !== to) this.#move(k, to);
      to++;
    }
    this.#length = to;
  }

  /**
   * The transitions at the given indexes as COPY text chunks (see `copyChunks`).
   *
   * @example
   * const { own } = log.split();
   * await copy('COPY endpoint_transitions FROM STDIN', log.copyChunksOf(own));
   */
  copyChunksOf(indexes: Uint32Array, start = 0, end: number = indexes.length): Generator<string> {
    const names = this.#names;
    let lastAt = Number.NaN;
    let lastText = '';
    return copyChunks(end - start, (k) => {
      const i = indexes[start + k] as number;
      const at = this.#at[i] as number;
      if (at !== lastAt) {
        lastAt = at;
        lastText = formatTimestamp(at);
      }
      return `${this.#endpoint[i]}\t${names[this.#region[i] as number]}\t${names[this.#from[i] as number]}\t${names[this.#to[i] as number]}\t${lastText}\t${eventIdText(this.#hi[i] as number, this.#lo[i] as number)}`;
    });
  }

  /** Copies entry `from` over entry `to`. */
  #move(from: number, to: number): void {
    this.#endpoint[to] = this.#endpoint[from] as number;
    this.#at[to] = this.#at[from] as number;
    this.#hi[to] = this.#hi[from] as number;
    this.#lo[to] = this.#lo[from] as number;
    this.#region[to] = this.#region[from] as number;
    this.#from[to] = this.#from[from] as number;
    this.#to[to] = this.#to[from] as number;
  }

  /**
   * The transitions at the given indexes as COPY binary data (header, rows, trailer), for
   * `COPY … (TRANSITION_COLUMNS) FROM STDIN (FORMAT binary)`: the same rows as
   * `copyChunksOf`, without the server parsing times and event ids from text (half of
   * the COPY's time) or the client formatting them.
   *
   * @example
   * const { own } = log.split();
   * await copy('COPY endpoint_transitions (…) FROM STDIN (FORMAT binary)', log.copyBinaryOf(own));
   */
  *copyBinaryOf(indexes: Uint32Array, start = 0, end: number = indexes.length): Generator<Buffer> {
    // Each name as its whole field (length, then bytes), made once: rows copy it as it is.
    const fields = this.#names.map((name) => {
      const bytes = Buffer.from(name, 'utf8');
      const field = Buffer.allocUnsafe(4 + bytes.length);
      field.writeInt32BE(bytes.length, 0);
      bytes.copy(field, 4);
      return field;
    });
    const longest = fields.reduce((n, b) => Math.max(n, b.length), 0);
    // Field count, endpoint, three names, time, event id (at most 5 base-10,000 digits).
    const rowMax = 2 + 12 + 3 * longest + 12 + 4 + 8 + 2 * 5;
    let chunk = Buffer.allocUnsafe(BINARY_CHUNK);
    let view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let p = writeCopyHeader(chunk);
    for (let k = start; k < end; k++) {
      if (p + rowMax > BINARY_CHUNK) {
        yield chunk.subarray(0, p);
        chunk = Buffer.allocUnsafe(BINARY_CHUNK);
        view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        p = 0;
      }
      const i = indexes[k] as number;
      view.setInt16(p, TRANSITION_COLUMNS.length);
      view.setInt32(p + 2, 8);
      p = setInt64(view, p + 6, this.#endpoint[i] as number);
      p += (fields[this.#region[i] as number] as Buffer).copy(chunk, p);
      p += (fields[this.#from[i] as number] as Buffer).copy(chunk, p);
      p += (fields[this.#to[i] as number] as Buffer).copy(chunk, p);
      view.setInt32(p, 8);
      p = setInt64(view, p + 4, ((this.#at[i] as number) - PG_EPOCH_MS) * 1000);
      p = setEventId(view, p, this.#hi[i] as number, this.#lo[i] as number);
    }
    yield* finishCopyBinary(chunk, p);
  }

  #code(name: string): number {
    const recent = this.#recentNames;
    for (let r = 0; r < recent.length; r++) if (recent[r] === name) return this.#recentCodes[r] as number;
    let code = this.#codes.get(name);
    if (code === undefined) {
      code = this.#names.length;
      this.#names.push(name);
      this.#codes.set(name, code);
    }
    const slot = this.#recentNext;
    this.#recentNames[slot] = name;
    this.#recentCodes[slot] = code;
    this.#recentNext = (slot + 1) % RECENT_NAMES;
    return code;
  }

  #grow(capacity: number): void {
    const grow = <T extends Float64Array | Uint32Array | Uint16Array>(a: T): T => {
      const next = new (a.constructor as new (n: number) => T)(capacity);
      next.set(a);
      return next;
    };
    this.#endpoint = grow(this.#endpoint);
    this.#at = grow(this.#at);
    this.#hi = grow(this.#hi);
    this.#lo = grow(this.#lo);
    this.#region = grow(this.#region);
    this.#from = grow(this.#from);
    this.#to = grow(this.#to);
  }
}
