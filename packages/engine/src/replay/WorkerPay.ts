/**
 * Whether a parallel replay's workers pay, judged from the cores the process gets while the
 * main thread and a worker decode at the same time.
 *
 * A worker's range costs more CPU in all than the main thread decoding it (its strings are
 * interned in its own pool, then adopted by the main thread's, and its rows copied over): it
 * pays only when it runs on a core of its own. On a busy machine it may not: when the
 * scheduler shares CPU between groups of processes (Linux's autogroup, cgroups), a second
 * thread only splits the replay's share, and two threads are slower than one. So the main
 * thread measures the process's CPU time per wall-clock second while it decodes and a worker
 * is busy too: near 2 when the worker has its own core, near 1 (or less) when they share one.
 * Below `MIN_CORES` the workers pause; they get a new trial later, after twice as many ranges
 * each time, so a busy machine costs a few trial ranges, not a share of the file.
 */

/** Cores the process must get while two threads decode for the workers to go on. */
export const MIN_CORES = 1.5;

/** Wall-clock time of simultaneous decoding a verdict needs (shorter samples are noise). */
const SAMPLE_MS = 250;

/** Main-thread ranges before the first new trial of paused workers. */
const FIRST_RETRY = 4;

/**
 * The verdict, fed around each range the main thread decodes.
 *
 * @example
 * const pay = new WorkerPay();
 * pay.begin(claims.busy); decodeRange(); pay.end(claims.busy);
 * const pause = pay.pauseAfterRange(); // true: workers should not claim for now
 */
export class WorkerPay {
  #cpu = 0;
  #wall = 0;
  #startCpu = 0;
  #startWall = 0;
  #startBusy = 0;
  #paused = false;
  /** Main-thread ranges left before the next trial, while paused. */
  #wait = 0;
  #retry = FIRST_RETRY;
  readonly #now: () => number;
  readonly #cpuNow: () => number;

  /** Clocks in ms (tests pass their own). */
  constructor(now: () => number = () => performance.now(), cpuNow: () => number = processCpuMs) {
    this.#now = now;
    this.#cpuNow = cpuNow;
  }

  /** The main thread starts decoding a range while `busy` workers decode. */
  begin(busy: number): void {
    this.#startBusy = busy;
    this.#startCpu = this.#cpuNow();
    this.#startWall = this.#now();
  }

  /** The main thread ended that range; `busy` workers decode now. Counts when one was busy throughout. */
  end(busy: number): void {
    if (this.#startBusy === 0 || busy === 0) return;
    this.#cpu += this.#cpuNow() - this.#startCpu;
    this.#wall += this.#now() - this.#startWall;
  }

  /** Cores the process got in the samples so far (`undefined` before enough of them). */
  get cores(): number | undefined {
    return this.#wall >= SAMPLE_MS ? this.#cpu / this.#wall : undefined;
  }

  /** After each main-thread range: whether workers should be paused now. */
  pauseAfterRange(): boolean {
    if (this.#paused) {
      if (--this.#wait > 0) return true;
      // A new trial: the workers claim again and are measured afresh.
      this.#paused = false;
      this.#cpu = 0;
      this.#wall = 0;
      return false;
    }
    const cores = this.cores;
    if (cores === undefined) return false;
    this.#cpu = 0;
    this.#wall = 0;
    if (cores >= MIN_CORES) {
      this.#retry = FIRST_RETRY;
      return false;
    }
    this.#paused = true;
    this.#wait = this.#retry;
    this.#retry *= 2;
    return true;
  }
}

/** CPU time of the whole process (every thread), in ms. */
function processCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}
