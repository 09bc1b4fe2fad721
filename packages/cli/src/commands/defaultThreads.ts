/**
 * How many threads a replay uses when `--threads` is not given: the cores that are idle.
 *
 * A thread only pays when it gets a core of its own: a worker costs start-up and the merge
 * of its strings and rows (about a quarter more CPU than one thread for the same file), so on
 * a machine whose cores are busy with other work, a second thread makes the replay slower,
 * not faster. Each whole unit of the one-minute load average is a core taken; at least one
 * thread is used, at most the cores. (Where the load average is not known, as on Windows,
 * it is 0: every core.)
 *
 * @example
 * defaultThreads(2, 0.3) // 2: both cores idle
 * defaultThreads(2, 1.4) // 1: one core busy elsewhere
 * defaultThreads(8, 3.2) // 5
 */
export function defaultThreads(cores: number, loadAverage: number): number {
  const busy = Number.isFinite(loadAverage) && loadAverage > 0 ? Math.floor(loadAverage) : 0;
  return Math.max(1, Math.min(cores, cores - busy));
}
