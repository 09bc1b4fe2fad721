import type { CliIo } from '../cliIo.js';
import { runServe } from '../serve/serveCommand.js';

/** `simfleet serve`: the webhook ingest service (see serve/). */
export function runServeCommand(argv: readonly string[], io: CliIo): Promise<number> {
  return runServe([...argv], { stdout: io.stdout, stderr: io.stderr, env: io.env });
}
