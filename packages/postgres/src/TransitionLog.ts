/**
 * State changes kept compactly until they are written: a replay reports millions of them
 * (core's `applyBatch` `onTransition`) while it applies events synchronously, so they
 * cannot stream to the server as they come. One object per change would cost ~150 bytes
 * of heap; here a change is 28 bytes of typed arrays (endpoint id, time, event id as two
 * uint32s, three codes of interned state names).
 */
import { formatTimestamp, type Transition, transitionOf } from '@simfleet/core';
import { copyChunks } from './copyText.js';

/** Columns of `transitions`, in the order `copyChunks` writes them. */
export const TRANSITION_COLUMNS = ['endpoint_id', 'region', 'from_state', 'to_state', 'at', 'event_id'] as const;

const TWO_32 = 4294967296;

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
  #length = 0;
  #endpoint = new Float64Array(1024);
  #at = new Float64Array(1024);
  #hi = new Uint32Array(1024);
  #lo = new Uint32Array(1024);
  #region = new Uint16Array(1024);
  #from = new Uint16Array(1024);
  #to = new Uint16Array(1024);
  /** Interned region and state names (a few dozen). */
  readonly #names: string[] = [];
  readonly #codes = new Map<string, number>();

  /** Number of transitions held. */
  get length(): number {
    return this.#length;
  }

  /** Appends one transition; bound, so it can be handed over as `onTransition` as it is. */
  readonly push = (t: Transition): void => {
    const i = this.#length;
    if (i === this.#endpoint.length) this.#grow(i * 2);
    this.#endpoint[i] = t.endpointId;
    this.#at[i] = t.at;
    this.#hi[i] = Number(t.eventId >> 32n);
    this.#lo[i] = Number(t.eventId & 0xffffffffn);
    this.#region[i] = this.#code(t.region);
    this.#from[i] = this.#code(t.from);
    this.#to[i] = this.#code(t.to);
    this.#length = i + 1;
  };

  /** Forgets every transition (keeps the memory). */
  clear(): void {
    this.#length = 0;
  }

  /** The transition at index i (0 ≤ i < length), as core reports it. */
  get(i: number): Transition {
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
    const names = this.#names;
    let lastAt = Number.NaN;
    let lastText = '';
    return copyChunks(end - start, (k) => {
      const i = start + k;
      const hi = this.#hi[i] as number;
      const lo = this.#lo[i] as number;
      const id = hi < 0x200000 ? String(hi * TWO_32 + lo) : ((BigInt(hi) << 32n) | BigInt(lo)).toString();
      const at = this.#at[i] as number;
      if (at !== lastAt) {
        lastAt = at;
        lastText = formatTimestamp(at);
      }
      return `${this.#endpoint[i]}\t${names[this.#region[i] as number]}\t${names[this.#from[i] as number]}\t${names[this.#to[i] as number]}\t${lastText}\t${id}`;
    });
  }

  #code(name: string): number {
    let code = this.#codes.get(name);
    if (code === undefined) {
      code = this.#names.length;
      this.#names.push(name);
      this.#codes.set(name, code);
    }
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
