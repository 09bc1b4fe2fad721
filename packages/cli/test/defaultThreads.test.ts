/** The default thread count of a replay: the idle cores, at least one, at most the cores. */
import { describe, expect, it } from 'vitest';
import { defaultThreads } from '../src/commands/defaultThreads.js';

describe('defaultThreads', () => {
  it('uses every core of an idle machine and leaves out the cores other work keeps busy', () => {
    expect(defaultThreads(2, 0)).toBe(2);
    expect(defaultThreads(2, 0.9)).toBe(2);
    expect(defaultThreads(2, 1.4)).toBe(1);
    expect(defaultThreads(8, 3.2)).toBe(5);
  });

  it('is at least one thread and at most the cores, whatever the load average says', () => {
    expect(defaultThreads(2, 20)).toBe(1);
    expect(defaultThreads(1, 0)).toBe(1);
    expect(defaultThreads(4, -1)).toBe(4);
    expect(defaultThreads(4, Number.NaN)).toBe(4);
  });
});
