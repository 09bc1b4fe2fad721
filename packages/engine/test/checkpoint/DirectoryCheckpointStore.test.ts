import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DirectoryCheckpointStore } from '../../src/checkpoint/DirectoryCheckpointStore.js';
import { tempDir } from '../support.js';

describe('DirectoryCheckpointStore', () => {
  it('reads what it wrote, replaces it whole, and says when there is none', async () => {
    const dir = tempDir();
    const store = new DirectoryCheckpointStore(dir);
    expect(await store.read('fleet.ckpt')).toBeUndefined();
    await store.write('fleet.ckpt', Uint8Array.of(1, 2, 3));
    expect(Array.from((await store.read('fleet.ckpt'))!)).toEqual([1, 2, 3]);
    await store.write('fleet.ckpt', Uint8Array.of(9));
    expect(Array.from(readFileSync(join(dir, 'fleet.ckpt')))).toEqual([9]);
    expect(readdirSync(dir)).toEqual(['fleet.ckpt']);
  });

  it('removes temporary files a killed writer left, and leaves other names alone', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, '.fleet.ckpt.tmp-123-abcd'), 'half a checkpoint');
    writeFileSync(join(dir, '.other.ckpt.tmp-123-abcd'), 'another one');
    await new DirectoryCheckpointStore(dir).write('fleet.ckpt', Uint8Array.of(7));
    expect(readdirSync(dir).sort()).toEqual(['.other.ckpt.tmp-123-abcd', 'fleet.ckpt']);
  });

  it('takes names, not paths', async () => {
    const store = new DirectoryCheckpointStore(tempDir());
    await expect(store.write('../escape.ckpt', Uint8Array.of(1))).rejects.toThrow(/file name, not a path/);
    await expect(store.read('a/b')).rejects.toThrow(/file name, not a path/);
  });
});
