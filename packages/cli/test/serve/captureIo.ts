import { PassThrough } from 'node:stream';

/** stdout/stderr streams for an in-process command, with what was written to each. */
export interface Captured {
  readonly stdout: PassThrough;
  readonly stderr: PassThrough;
  out(): string;
  err(): string;
}

export function capture(): Captured {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  stderr.on('data', (c: Buffer) => {
    err += c.toString();
  });
  return { stdout, stderr, out: () => out, err: () => err };
}
