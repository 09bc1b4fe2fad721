/**
 * A problem with what the caller asked the engine to read or write: a missing or unreadable
 * input, a refused checkpoint, a checkpoint that cannot be written (a full disk). A command line reports it as one line (exit status 1); an embedder
 * shows `message`, which names the path and what is wrong.
 */
export class InputError extends Error {
  override readonly name = 'InputError';
}
