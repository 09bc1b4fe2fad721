/**
 * Where checkpoints live. The replay only reads and writes whole checkpoints by name, so a
 * backend (object storage, a database) needs just these two operations; the embedded
 * default is a directory of files (DirectoryCheckpointStore.ts).
 */
export interface CheckpointStore {
  /** The checkpoint's bytes, or `undefined` when there is none by that name. */
  read(name: string): Promise<Uint8Array | undefined>;
  /**
   * Replaces the checkpoint `name` with `bytes`, atomically: a reader — or a process
   * restarted after a crash at any moment — sees the previous checkpoint or the new one,
   * whole, never a mix or a torn file.
   */
  write(name: string, bytes: Uint8Array): Promise<void>;
}
