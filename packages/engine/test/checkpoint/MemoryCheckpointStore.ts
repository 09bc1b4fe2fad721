import type { CheckpointStore } from '../../src/checkpoint/CheckpointStore.js';

/** A checkpoint store in memory that remembers every version written: the store API's other backend. */
export class MemoryCheckpointStore implements CheckpointStore {
  readonly history: Uint8Array[] = [];
  readonly #files = new Map<string, Uint8Array>();

  async read(name: string): Promise<Uint8Array | undefined> {
    return this.#files.get(name);
  }

  async write(name: string, bytes: Uint8Array): Promise<void> {
    this.#files.set(name, bytes);
    this.history.push(bytes);
  }
}
