/**
 * Temporary files and directories the process must not leave behind: spill directories,
 * the temporary halves of atomic writes. They are removed when the process exits and
 * when it is interrupted (SIGINT, SIGTERM, SIGHUP): Node's default for those signals ends
 * the process without running `exit` hooks, so each registered path would outlive it.
 *
 * The handlers are installed while at least one path is registered and removed after,
 * so a program that registers nothing keeps Node's default behaviour. On a signal the
 * paths are removed, the handlers are taken away and the signal is raised again, so the
 * process still ends the way the signal says (status 128 + signal number for a shell).
 */
import { rmSync } from 'node:fs';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

const paths = new Set<string>();
let installed = false;

function removeAll(): void {
  for (const path of paths) rmSync(path, { recursive: true, force: true });
  paths.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  removeAll();
  uninstall();
  process.kill(process.pid, signal);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', removeAll);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off('exit', removeAll);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

/**
 * Registers a temporary file or directory for removal on exit or interruption; the
 * returned function forgets it again (call it once the path is renamed or removed).
 *
 * @example
 * const forget = removeOnExit(tempFile);
 * await rename(tempFile, target);
 * forget();
 */
export function removeOnExit(path: string): () => void {
  paths.add(path);
  install();
  return () => {
    paths.delete(path);
    if (paths.size === 0) uninstall();
  };
}
