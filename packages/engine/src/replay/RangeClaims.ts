/**
 * Who decodes which byte range of a parallel replay, decided as the replay goes, in shared
 * memory that the main thread and every worker read and claim with atomics: no message is
 * needed to hand out work, so a worker goes on while the main thread is busy decoding.
 *
 * The ranges are grouped in windows of consecutive ranges. In its current window the main
 * thread takes ranges from the front, and decodes each straight into the session (its
 * ranges follow every range merged before: no copy, no remap); the workers take ranges
 * from the back of that window (or, once it has none left, of the next one) and hand back
 * their results, which the main thread merges in file order when it reaches them. So the
 * main thread never waits for a worker to start a range: a worker only ever holds ranges
 * the main thread would have reached last, and a worker that gets no core (a busy machine)
 * simply claims fewer of them. When the main thread reaches a range a worker is still
 * decoding, it asks for a cut: the worker stops after the line it is at (within a chunk) and
 * hands back the lines so far, and the main thread decodes the rest itself. So it never waits
 * for more than a chunk, and memory is bounded by two windows of rows per worker.
 */

/** Slot of the window the main thread is in (`windows` once it is past the last). */
const WINDOW = 0;
/** Slot set to 1 when the replay is abandoned (an error): workers stop claiming. */
const STOP = 1;
/** Slot of the number of ranges. */
const RANGES = 2;
/** Slot set to 1 while workers must not claim (they do not pay: see ParallelReplay.ts). */
const PAUSED = 3;
/** Slot counting the workers decoding a range right now. */
const BUSY = 4;
/** First range's slot: 0 unclaimed, `MAIN_CLAIM`, or `workerClaim(i)`; then one slot per range: 1 when a cut is asked for. */
const FIRST = 5;

/** `Atomics.waitAsync` (ES2024; Node.js has it, the project's `lib` is ES2023). */
interface AtomicsWaitAsync {
  waitAsync(
    array: Int32Array,
    index: number,
    value: number,
    timeout: number,
  ): { readonly async: false; readonly value: string } | { readonly async: true; readonly value: Promise<string> };
}

/** The claim of a range the main thread decodes. */
export const MAIN_CLAIM = 1;

/** The claim of a range worker `i` decodes. */
export function workerClaim(i: number): number {
  return 2 + i;
}

/**
 * The claims of one parallel replay's ranges.
 *
 * @example
 * const claims = RangeClaims.create(8);          // main thread
 * claims.enterWindow(0);
 * claims.claimFront(0);                          // true: range 0 is the main thread's
 * new RangeClaims(claims.buffer).claimBack(0, 4, workerClaim(0)); // 3 (in a worker)
 */
export class RangeClaims {
  readonly buffer: SharedArrayBuffer;
  readonly #state: Int32Array;
  /** Slot of range 0's cut flag. */
  readonly #cuts: number;

  constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    this.#state = new Int32Array(buffer);
    this.#cuts = FIRST + (this.#state[RANGES] as number);
  }

  /** Claims for `ranges` ranges, none claimed, the main thread before its first window. */
  static create(ranges: number): RangeClaims {
    const buffer = new SharedArrayBuffer((FIRST + 2 * ranges) * 4);
    new Int32Array(buffer)[RANGES] = ranges;
    return new RangeClaims(buffer);
  }

  /** The main thread asks the worker decoding range `k` to stop after its current line. */
  requestCut(k: number): void {
    Atomics.store(this.#state, this.#cuts + k, 1);
  }

  /** Whether the main thread asked for a cut of range `k`. */
  cutRequested(k: number): boolean {
    return Atomics.load(this.#state, this.#cuts + k) !== 0;
  }

  /** The window the main thread is in. */
  get window(): number {
    return Atomics.load(this.#state, WINDOW);
  }

  /** Whether the replay was abandoned. */
  get stopped(): boolean {
    return Atomics.load(this.#state, STOP) !== 0;
  }

  /** Whether workers may claim ranges now. */
  get paused(): boolean {
    return Atomics.load(this.#state, PAUSED) !== 0;
  }

  /** Stops workers from claiming ranges (`true`) or lets them again (`false`). */
  pause(paused: boolean): void {
    Atomics.store(this.#state, PAUSED, paused ? 1 : 0);
  }

  /** Workers decoding a range right now. */
  get busy(): number {
    return Atomics.load(this.#state, BUSY);
  }

  /** A worker starts (`+1`) or ends (`-1`) decoding a range. */
  addBusy(delta: 1 | -1): void {
    Atomics.add(this.#state, BUSY, delta);
  }

  /** The main thread moves to window `w` (wakes workers waiting for it). */
  enterWindow(w: number): void {
    Atomics.store(this.#state, WINDOW, w);
    Atomics.notify(this.#state, WINDOW);
  }

  /** Abandons the replay: workers claim nothing more. */
  stop(): void {
    Atomics.store(this.#state, STOP, 1);
    Atomics.notify(this.#state, WINDOW);
  }

  /** Who holds range `k`: 0 (nobody yet), `MAIN_CLAIM` or `workerClaim(i)`. */
  owner(k: number): number {
    return Atomics.load(this.#state, FIRST + k);
  }

  /** The main thread claims range `k` (the front of its window); false when a worker holds it. */
  claimFront(k: number): boolean {
    const was = Atomics.compareExchange(this.#state, FIRST + k, 0, MAIN_CLAIM);
    return was === 0 || was === MAIN_CLAIM;
  }

  /**
   * A worker claims the last unclaimed range among [from, to) for `claim`; -1 when there is
   * none (the main thread reached the ranges workers hold).
   */
  claimBack(from: number, to: number, claim: number): number {
    for (let k = to - 1; k >= from; k--) {
      let owner = Atomics.load(this.#state, FIRST + k);
      if (owner === 0) {
        owner = Atomics.compareExchange(this.#state, FIRST + k, 0, claim);
        if (owner === 0) return k;
      }
      // The main thread's ranges are a prefix of the window: nothing before them is free.
      if (owner === MAIN_CLAIM) return -1;
    }
    return -1;
  }

  /** Resolves when the main thread left window `w` (or the replay stopped), or after `ms`. */
  async windowAfter(w: number, ms: number): Promise<void> {
    const waited = (Atomics as unknown as AtomicsWaitAsync).waitAsync(this.#state, WINDOW, w, ms);
    if (waited.async) await waited.value;
  }
}
