#!/usr/bin/env node
import { main } from './main.js';

// A reader that leaves early (`simfleet device … | head`) closes stdout: later writes fail
// with EPIPE. That ends the output, not the command with a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') {
    process.stderr.write(`simfleet: cannot write to stdout: ${error.message}\n`);
    process.exit(1);
  }
});

process.exitCode = await main(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
