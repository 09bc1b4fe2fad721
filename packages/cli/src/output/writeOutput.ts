/**
 * Writing to stdout when the reader may leave early (`| head`): the pipe closes, writes
 * fail with EPIPE, and an unheard 'error' event would end the process with a stack trace.
 * These helpers report "the reader is gone" as `false` instead, so a command stops
 * producing output and exits normally.
 */

/** A stream error is the reader closing the pipe. */
export function isBrokenPipe(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'EPIPE';
}

/**
 * Resolves once the stream has taken all of `chunk` (so its buffer may be reused): true,
 * or false when the reader is gone (EPIPE); rejects with any other write error.
 *
 * @example
 * if (!(await writeChunk(process.stdout, bytes))) return; // `| head` has what it wanted
 */
export function writeChunk(stream: NodeJS.WritableStream, chunk: Uint8Array | string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    // The write callback carries the error; this listener keeps the 'error' event that
    // follows it from being unhandled.
    const ignore = (): void => {};
    stream.on('error', ignore);
    stream.write(chunk, (error) => {
      stream.off('error', ignore);
      if (!error) resolve(true);
      else if (isBrokenPipe(error)) resolve(false);
      else reject(error);
    });
  });
}

/**
 * Writes every chunk in order, each taken by the stream before the next is made; false as
 * soon as the reader is gone (the remaining chunks are never produced).
 *
 * @example
 * const complete = await writeChunks(process.stdout, snapshotChunks(fleet, account));
 */
export async function writeChunks(stream: NodeJS.WritableStream, chunks: Iterable<Uint8Array | string> | AsyncIterable<Uint8Array | string>): Promise<boolean> {
  for await (const chunk of chunks) {
    if (!(await writeChunk(stream, chunk))) return false;
  }
  return true;
}
